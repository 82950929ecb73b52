"""GL304 and GL705 are root-scoped: each shard validates the files it owns and its own roots' builds, and
judges its own roots' workloads against the Services that may select them; the shards' merged report
equals one run's."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_shard_roots import _assert_shards_merge_into_one_run

from conftest import load_benchmark, write_repo
from gitops_lint.api import lint_path
from gitops_lint.core.config import Config, load_config
from gitops_lint.core.source import WorkingTree
from gitops_lint.model.partition import share_of, units
from gitops_lint.model.repository import Repository
from gitops_lint.model.service_sources import renders_services_as_written

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def _deployment(name: str, extra: str = "", selector: bool = True, probe: bool = True) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n{extra}"
            + (f"  selector:\n    matchLabels: {{app: {name}}}\n" if selector else "")
            + f"  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n"
            f"        - name: {name}\n          image: {name}:1.0.0\n          ports:\n"
            "            - containerPort: 8080\n"
            + ("          readinessProbe:\n            httpGet: {path: /, port: 8080}\n" if probe else ""))


def _app(name: str, deployment: str, overlay: str = "", base: str = "", files: dict | None = None,
         namespace: str | None = None) -> dict:
    """An app: a base and a production overlay (`overlay`/`base`: more kustomization fields)."""
    out = {f"apps/{name}/base/deployment.yaml": deployment,
           f"apps/{name}/base/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - deployment.yaml\n{base}",
           f"apps/{name}/overlays/production/kustomization.yaml":
               f"{KUSTOMIZATION}namespace: {namespace or name}\nresources:\n  - ../../base\n{overlay}"}
    return {**out, **(files or {})}


def _by_shard(repo: Path, rule: str, n: int) -> list[list[tuple[str, int]]]:
    """(path, line) of the rule's findings in each shard of `n`."""
    return [sorted((f.path, f.line) for f in lint_path(repo, jobs=1, shard=(k, n), select=[rule]).findings)
            for k in range(1, n + 1)]


def test_gl304_file_and_build_problems_in_two_units_come_from_their_own_shards(tmp_path):
    """app `a`: an unknown field in its base (a file-level problem its build repeats: one finding);
    app `b`: a patch that breaks its build only, and a base Deployment without the selector that the
    build's labels add (no finding: the shard judges it on the build it renders)."""
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  replicas: two\n"
    files = {**_app("a", _deployment("a", extra="  replica: 2\n")),
             **_app("b", _deployment("b", selector=False), overlay="patches:\n  - path: replicas.yaml\n",
                    base="labels:\n  - pairs: {app: b}\n    includeSelectors: true\n",
                    files={"apps/b/overlays/production/replicas.yaml": patch})}
    repo = write_repo(tmp_path / "repo", files)
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work")
    found = sorted((f["path"], f["line"], f["message"]) for f in whole["findings"] if f["rule"] == "GL304")
    assert [(p, line) for p, line, _ in found] == [("apps/a/base/deployment.yaml", 6),
                                                   ("apps/b/overlays/production/replicas.yaml", 6)]
    assert "in the build of" not in found[0][2] and "in the build of apps/b/overlays/production" in found[1][2]
    found_units, _hubs = units(Repository.build(WorkingTree(repo), Config()))
    assert len(found_units) == 2
    shards = _by_shard(repo, "GL304", 2)
    assert sorted(map(len, shards)) == [1, 1]  # one unit per shard, each finding from its own


def _services_repo(root: Path, service: str, b_overlay: str = "", b_files: dict | None = None) -> Path:
    """app `a`: a Deployment without a readiness probe and no Service of its own, in namespace `shop`;
    app `b`: its own Deployment and `service` (the one that may select `a`), in namespace `shop` too."""
    files = {**_app("a", _deployment("a", probe=False), namespace="shop"),
             **_app("b", _deployment("b"), overlay=b_overlay, base="  - service.yaml\n", files=b_files,
                    namespace="shop"),
             "apps/b/base/service.yaml": service}
    return write_repo(root, files)


SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  selector: {{app: {app}}}\n" \
          "  ports:\n    - port: 80\n      targetPort: 8080\n"


@pytest.mark.parametrize("case, service, overlay, files", [
    # the document already selects `a`: the build of `b` (namespace set, nothing else) adds nothing
    ("as written", SERVICE.format(app="a"), "", None),
    # only the build selects `a`: a JSON patch of `b`'s overlay points the Service at it
    ("patched", SERVICE.format(app="b"), "patches:\n  - target: {kind: Service, name: front}\n    patch: |\n"
     "      - {op: replace, path: /spec/selector/app, value: a}\n", None),
    # only the build selects `a`: the overlay's labels replace the selector's value
    ("relabelled", SERVICE.format(app="b"), "labels:\n  - pairs: {app: a}\n    includeSelectors: true\n", None),
])
def test_gl705_a_service_of_another_unit_selects_a_workload(tmp_path, case, service, overlay, files):
    repo = _services_repo(tmp_path / "repo", service, overlay, files)
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work")
    found = [f for f in whole["findings"] if f["rule"] == "GL705"]
    assert [f["path"] for f in found] == ["apps/a/base/deployment.yaml"], case
    assert "Deployment/shop/a container a serves traffic through a Service" in found[0]["message"]
    built = Repository.build(WorkingTree(repo), Config())
    assert renders_services_as_written(built, "apps/b/overlays/production") == (case == "as written")


def test_gl705_a_shard_leaves_other_units_unrendered_when_their_services_are_as_written(tmp_path):
    repo = _services_repo(tmp_path / "repo", SERVICE.format(app="a"))
    for k in (1, 2):
        result = lint_path(repo, jobs=1, shard=(k, 2), select=["GL705"])
        assert result.repo is not None and result.repo.share is not None
        assert set(result.repo.rendered._results) <= result.repo.share.roots


def test_gl705_a_service_in_another_namespace_selects_nothing_across_units(tmp_path):
    repo = _services_repo(tmp_path / "repo", SERVICE.format(app="a").replace("name: front\n",
                                                                              "name: front\n  namespace: other\n"))
    repo_b = repo / "apps" / "b" / "overlays" / "production" / "kustomization.yaml"
    repo_b.write_text(repo_b.read_text().replace("namespace: shop\n", ""))
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work")
    assert not [f for f in whole["findings"] if f["rule"] == "GL705"]


def _judged(tmp_path: Path, kustomization: str, files: dict[str, str]) -> bool:
    repo = write_repo(tmp_path, {"app/kustomization.yaml": KUSTOMIZATION + kustomization, **files})
    return renders_services_as_written(Repository.build(WorkingTree(repo), Config()), "app")


SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"


@pytest.mark.parametrize("kustomization, files, expected", [
    ("resources: [svc.yaml]\n", {}, True),
    ("namespace: shop\nresources: [svc.yaml]\n", {}, True),
    ("namespace: shop\nresources: [svc.yaml]\n", {"app/svc.yaml": SVC.replace("{name: web}", "{name: web, namespace: x}")},
     False),
    ("commonLabels: {app: web, tier: front}\nresources: [svc.yaml]\n", {}, True),
    ("commonLabels: {app: api}\nresources: [svc.yaml]\n", {}, False),
    ("labels:\n  - pairs: {app: api}\nresources: [svc.yaml]\n", {}, True),  # metadata only, not the selector
    ("labels:\n  - pairs: {tier: x}\n    includeSelectors: true\nresources: [svc.yaml]\n",
     {"app/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {}\n"}, False),
    ("resources: [svc.yaml]\npatches:\n  - path: p.yaml\n",
     {"app/p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n"}, True),
    ("resources: [svc.yaml]\npatches:\n  - path: p.yaml\n", {"app/p.yaml": SVC}, False),
    ("resources: [svc.yaml]\npatches:\n  - target: {kind: Deployment}\n    patch: '[]'\n", {}, True),
    ("resources: [svc.yaml]\npatches:\n  - target: {kind: 'Serv.*'}\n    patch: '[]'\n", {}, False),
    ("resources: [svc.yaml]\npatches:\n  - target: {name: web}\n    patch: '[]'\n", {}, False),
    ("resources: [svc.yaml]\npatchesStrategicMerge:\n  - |\n    apiVersion: v1\n    kind: Service\n"
     "    metadata: {name: web}\n", {}, False),
    ("resources: [svc.yaml]\nreplacements: []\n", {}, False),
    ("resources: [svc.yaml]\nhelmCharts: []\n", {}, False),
    ("resources: [svc.yaml, 'https://example.com/svc.yaml']\n", {}, False),
    ("resources: [list.yaml]\n", {"app/list.yaml": "apiVersion: v1\nkind: List\nitems: []\n"}, False),
    ("resources: [../base]\n", {"base/kustomization.yaml": "resources: [svc.yaml]\nnameSuffix: -v2\n",
                                "base/svc.yaml": SVC}, False),
])
def test_which_builds_render_services_as_written(tmp_path, kustomization, files, expected):
    assert _judged(tmp_path, kustomization, {"app/svc.yaml": SVC, **files}) == expected


def test_gl705_a_helm_release_service_selects_a_workload_of_another_shard(tmp_path):
    """A rendered Helm release's Service (shard 1's render) selects an unnamespaced kustomize workload:
    the shard of that workload renders the releases for its index too."""
    bench_helm = load_benchmark("bench_helm")
    repo = tmp_path / "repo"
    bench_helm.write(repo, 1)
    worker = _deployment("a", probe=False).replace("labels: {app: a}", "labels: {app.kubernetes.io/name: web-000}")
    files = {**_app("a", worker), **_app("b", _deployment("b"))}
    for name in ("a", "b"):  # no namespace: a Service of any namespace may select them
        files[f"apps/{name}/overlays/production/kustomization.yaml"] = f"{KUSTOMIZATION}resources:\n  - ../../base\n"
    write_repo(repo, files)
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work")
    assert [f["path"] for f in whole["findings"] if f["rule"] == "GL705"] == ["apps/a/base/deployment.yaml"]
    built = Repository.build(WorkingTree(repo), load_config(repo / ".gitops-lint.yaml"))
    assert any("apps/a/overlays/production" not in share_of(built, 1, n).roots for n in (2, 3, 4))
