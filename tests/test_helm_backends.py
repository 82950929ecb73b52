"""helm/: packing charts from the repository, the two backends and the worker's limits."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile

import pytest

from gitops_lint.core.source import WorkingTree
from gitops_lint.helm.backends import BinaryBackend, RenderRequest, split_sources
from gitops_lint.helm.charts import ChartError, pack_chart
from gitops_lint.helm.renderer import ChartRenderer
from helm_charts import by_kind_name, expected_web, loop_chart, needs_sdk, web_chart


def test_pack_chart_honours_helmignore_and_names_the_root(make_repo):
    repo = make_repo(web_chart())
    packed = pack_chart(WorkingTree(repo), "charts/web")
    with tarfile.open(fileobj=io.BytesIO(packed.archive)) as tar:
        names = tar.getnames()
    assert (packed.name, packed.version) == ("web", "1.4.0")
    assert "web/templates/deployment.yaml" in names
    assert "web/charts/sidecar/Chart.yaml" in names
    assert not [n for n in names if n.startswith("web/notes/")]
    assert pack_chart(WorkingTree(repo), "charts/web").digest == packed.digest  # deterministic


def test_symlink_leaving_the_chart_is_refused(make_repo):
    repo = make_repo({**web_chart(), "secret.txt": "s3cr3t\n"})
    os.symlink("../../../secret.txt", repo / "charts/web/files/leak.txt")
    with pytest.raises(ChartError, match="leaves the chart"):
        pack_chart(WorkingTree(repo), "charts/web")


def test_directory_without_chart_yaml_is_an_error(make_repo):
    repo = make_repo({"charts/none/values.yaml": "a: 1\n"})
    with pytest.raises(ChartError, match="no Chart.yaml"):
        pack_chart(WorkingTree(repo), "charts/none")


@needs_sdk
def test_sdk_render_matches_expected_objects(make_repo):
    repo = make_repo(web_chart())
    packed = pack_chart(WorkingTree(repo), "charts/web")
    with ChartRenderer("sdk") as renderer:
        out = renderer.render(packed, "shop", "prod", {"replicas": 3, "global": {"team": "red"}})
    assert out.error is None
    assert by_kind_name(out.objects) == expected_web("shop", "prod", replicas=3, team="red")


@needs_sdk
@pytest.mark.parametrize(("values", "message"), [
    ({"broken": True}, "broken is set"),
    ({"host": None}, "host is required"),
    ({"replicas": 0}, "/replicas"),
])
def test_sdk_render_errors_carry_helms_message(make_repo, values, message):
    repo = make_repo(web_chart())
    with ChartRenderer("sdk") as renderer:
        out = renderer.render(pack_chart(WorkingTree(repo), "charts/web"), "shop", "prod", values)
    assert out.objects == [] and message in out.error and not out.killed


@needs_sdk
def test_template_loop_is_killed_at_the_time_limit_and_the_worker_recovers(make_repo):
    repo = make_repo({**loop_chart(), **web_chart()})
    tree = WorkingTree(repo)
    with ChartRenderer("sdk", timeout=1.0) as renderer:
        out = renderer.render(pack_chart(tree, "charts/loop"), "l", "default", {})
        assert out.killed and "time limit" in out.error
        after = renderer.render(pack_chart(tree, "charts/web"), "shop", "prod", {})
    assert after.error is None and len(after.objects) == 4


@needs_sdk
def test_memory_exhaustion_kills_only_the_worker(make_repo):
    repo = make_repo({"charts/bomb/Chart.yaml": "apiVersion: v2\nname: bomb\nversion: 0.0.1\n",
                      "charts/bomb/templates/x.yaml": "{{ range until 200000000 }}{{ . }}{{ end }}\n"})
    with ChartRenderer("sdk", timeout=20.0, memory_mb=1024) as renderer:
        out = renderer.render(pack_chart(WorkingTree(repo), "charts/bomb"), "b", "default", {})
    assert out.killed and out.objects == []


FAKE_HELM = """#!/usr/bin/env python3
import json, os, sys
LOG = {log!r}
with open(LOG, "a") as fh:
    fh.write(json.dumps({"argv": sys.argv[1:], "values": json.load(open(sys.argv[sys.argv.index("--values") + 1])),
                         "env": {k: v for k, v in os.environ.items() if k.startswith("HELM_")}}) + "\\n")
print("---\\n# Source: web/templates/a.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: a")
print("---\\n# Source: web/templates/a.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: b")
"""


def test_binary_backend_runs_helm_template_without_plugins(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "helm"
    fake.parent.mkdir()
    log = tmp_path / "log.jsonl"
    fake.write_text(FAKE_HELM.replace("{log!r}", repr(str(log))))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    backend = BinaryBackend()
    out = backend.render(RenderRequest(b"archive", "shop", "prod", {"replicas": 3}))
    call = json.loads(log.read_text().splitlines()[0])
    argv = call["argv"]
    assert argv[:2] == ["template", "shop"] and argv[2].endswith("chart.tgz")
    assert argv[argv.index("--namespace") + 1] == "prod"
    assert "--include-crds" in argv and "--skip-tests" in argv and "--post-renderer" not in argv
    assert call["values"] == {"replicas": 3} and call["env"]["HELM_NO_PLUGINS"] == "1"
    assert list(out) == ["web/templates/a.yaml"] and "name: b" in out["web/templates/a.yaml"]


def test_split_sources_groups_documents_by_template():
    stream = "---\n# Source: c/templates/x.yaml\nkind: A\n---\n# Source: c/templates/y.yaml\nkind: B\n"
    assert {k: v.strip() for k, v in split_sources(stream).items()} == {
        "c/templates/x.yaml": "# Source: c/templates/x.yaml\nkind: A",
        "c/templates/y.yaml": "# Source: c/templates/y.yaml\nkind: B"}


@pytest.mark.skipif(not __import__("shutil").which("helm"), reason="no helm binary on PATH")
def test_real_helm_binary_renders_the_test_chart(make_repo):
    repo = make_repo(web_chart())
    with ChartRenderer("binary") as renderer:
        out = renderer.render(pack_chart(WorkingTree(repo), "charts/web"), "shop", "prod", {})
    assert by_kind_name(out.objects) == expected_web("shop", "prod")


@needs_sdk
def test_subchart_vendored_as_tgz_renders_like_a_directory(make_repo):
    files = web_chart()
    sub = {k: v for k, v in files.items() if "/charts/sidecar/" in k}
    packed_sub = pack_chart(WorkingTree(make_repo(sub)), "charts/web/charts/sidecar").archive
    repo = make_repo({k: v for k, v in files.items() if k not in sub})
    (repo / "charts/web/charts").mkdir(parents=True)
    (repo / "charts/web/charts/sidecar-0.1.0.tgz").write_bytes(packed_sub)
    with ChartRenderer("sdk") as renderer:
        out = renderer.render(pack_chart(WorkingTree(repo), "charts/web"), "shop", "prod", {})
    assert by_kind_name(out.objects) == expected_web("shop", "prod")


def test_missing_dependency_is_helms_error(make_repo):
    files = {k: v for k, v in web_chart().items() if "/charts/sidecar/" not in k}
    with pytest.raises(ChartError, match="missing in charts/ directory: sidecar"):
        pack_chart(WorkingTree(make_repo(files)), "charts/web")
