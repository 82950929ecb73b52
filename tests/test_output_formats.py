"""`--output-format FORMAT=PATH`: several reports from one run of `check` or `diff`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from gitfixture import commit, init, write

from gitops_lint.cli import main
from gitops_lint.model.repository import Repository
from gitops_lint.report.outputs import OutputSpecError, parse_output_formats

DUP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n  k: 2\n"


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def test_check_writes_every_format_from_one_parse(make_repo, tmp_path, monkeypatch):
    repo = make_repo({"apps/web/cm.yaml": DUP})
    builds = []
    real_build = Repository.build.__func__
    monkeypatch.setattr(Repository, "build", classmethod(lambda cls, *a, **k: builds.append(1) or real_build(cls, *a, **k)))
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("codequality", "sarif", "junit", "json")}
    args = ["check", "-j", "1", "--select", "GL302", repo, "--format", "text"]
    result = invoke(*args, *[x for fmt, path in out.items() for x in ("--output-format", f"{fmt}={path}")])
    assert result.exit_code == 1 and len(builds) == 1
    assert result.output == invoke(*args).output  # the main report is unchanged
    for fmt, path in out.items():
        single = invoke("check", "-j", "1", "--select", "GL302", repo, "--format", fmt).output
        assert path.read_text(encoding="utf-8") == single, fmt
    assert json.loads(out["codequality"].read_text())[0]["check_name"] == "GL302"


@pytest.mark.parametrize("value, message", [
    ("codequality", "expected FORMAT=PATH"),
    ("yaml=out.yaml", "unknown format 'yaml'"),
    ("json=", "expected FORMAT=PATH"),
])
def test_bad_values_are_usage_errors_before_any_work(make_repo, value, message):
    repo = make_repo({"apps/web/cm.yaml": DUP})
    result = invoke("check", repo, "--output-format", value)
    assert result.exit_code == 2 and message in result.output


def test_the_same_path_twice_is_refused(tmp_path):
    with pytest.raises(OutputSpecError, match="written twice"):
        parse_output_formats(["json=a.json", "sarif=./a.json"], ["json", "sarif"])
    with pytest.raises(OutputSpecError, match="written twice"):
        parse_output_formats(["json=out.txt"], ["json"], taken=["out.txt"])


def test_unwritable_path_is_a_usage_error(make_repo, tmp_path):
    repo = make_repo({"apps/web/cm.yaml": DUP})
    result = invoke("check", repo, "--output-format", f"json={tmp_path / 'missing' / 'x.json'}")
    assert result.exit_code == 2 and "--output-format" in result.output and "Traceback" not in result.output


def test_diff_writes_markdown_json_and_codequality_at_once(tmp_path):
    repo = tmp_path / "repo"
    base = {
        "apps/web/base/kustomization.yaml": "resources: [deployment.yaml]\n",
        "apps/web/base/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        "spec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
        "      labels: {app: web}\n    spec:\n      containers: [{name: web, image: 'nginx:1.27'}]\n",
        "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\nnamespace: web-prod\n",
    }
    init(repo, base)
    write(repo, {"apps/web/overlays/production/kustomization.yaml":
                 "resources: [../../base]\nnamespace: web-prod\nreplicas: [{name: web, count: 0}]\n"})
    head = commit(repo, "scale to zero")
    md, js, cq = tmp_path / "diff.md", tmp_path / "diff.json", tmp_path / "diff-cq.json"
    args = ["diff", repo, "--base", "HEAD~1", "--head", head]
    result = invoke(*args, "--output-format", f"markdown={md}", "--output-format", f"json={js}",
                    "--output-format", f"codequality={cq}")
    assert result.output == invoke(*args).output
    assert md.read_text() == invoke(*args, "--format", "markdown").output
    findings = json.loads(js.read_text())["findings"]
    issues = json.loads(cq.read_text())
    assert [f["rule"] for f in findings] == [i["check_name"] for i in issues] == ["GL804"]
    assert issues[0]["severity"] in ("critical", "minor", "info")
    assert invoke(*args, "--output-format", "junit=x.xml").exit_code == 2  # not a diff format
