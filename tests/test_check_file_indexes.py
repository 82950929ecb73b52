"""What `check FILE` computes once per run instead of once per root, rule or document (Service judgement
per kustomization, missing targets per kustomization, the judged workloads, the Helm chart directories)
and what it asks ownership for first: each answers exactly as the whole computation did."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import write_repo
from gitops_lint.api import lint_path
from gitops_lint.argo.helm_source import argo_releases
from gitops_lint.checks.services import other_shards_renders
from gitops_lint.checks.workloads import judged_workloads
from gitops_lint.core.config import Config
from gitops_lint.core.source import WorkingTree
from gitops_lint.model.partition import FileShare, share_for, units
from gitops_lint.model.repository import Repository
from gitops_lint.model.service_sources import renders_services_as_written
from helm_charts import DEPLOY_REPO, argo_app, argo_source, web_chart

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n{extra}"
              "  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n"
              "    spec:\n      containers:\n        - name: {name}\n          image: {image}\n")


def _deployment(name: str, image: str = "web:1.0.0", extra: str = "") -> str:
    return DEPLOYMENT.format(name=name, image=image, extra=extra)


def _build(root) -> Repository:
    return Repository.build(WorkingTree(root), Config())


def _overlays(root, overlays: dict[str, str]) -> Repository:
    """One base (a Service selecting `app: web`) and an overlay per entry (its extra kustomization lines)."""
    files = {"base/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - svc.yaml\n", "base/svc.yaml": SERVICE}
    for name, extra in overlays.items():
        files[f"{name}/kustomization.yaml"] = f"{KUSTOMIZATION}resources:\n  - ../base\n{extra}"
    return _build(write_repo(root, files))


@pytest.mark.parametrize("order", [("good", "bad"), ("bad", "good")])
def test_overlays_of_one_base_are_judged_each_on_their_own_labels(tmp_path, order):
    """The base is judged once and shared; each overlay's own labels decide (in either order of asking)."""
    repo = _overlays(tmp_path / "repo", {"good": "commonLabels: {app: web, tier: front}\n",
                                         "bad": "commonLabels: {app: api}\n"})
    answers = {root: renders_services_as_written(repo, root) for root in order}
    assert answers == {"good": True, "bad": False}
    assert renders_services_as_written(repo, "good") and not renders_services_as_written(repo, "bad")


@pytest.mark.parametrize("entry, expected", [
    ("'  ../base  '", True),  # written with spaces: the same directory, as kustomize's reference index has it
    ("../../outside", False),  # leads outside the repository
    ("https://example.com/app?ref=v1", False),  # remote
    ("''", False),  # empty
    ("{path: ../base}", False),  # not a string
])
def test_a_resource_entry_is_resolved_from_the_kustomization_references(tmp_path, entry, expected):
    files = {"base/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - svc.yaml\n", "base/svc.yaml": SERVICE,
             "app/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - {entry}\n"}
    assert renders_services_as_written(_build(write_repo(tmp_path / "repo", files)), "app") == expected


def _app(name: str, extra: str = "") -> dict[str, str]:
    return {f"apps/{name}/base/deployment.yaml": _deployment(name),
            f"apps/{name}/base/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - deployment.yaml\n",
            f"apps/{name}/prod/kustomization.yaml": f"{KUSTOMIZATION}resources:\n  - ../base\n{extra}"}


def _named_roots(repo: Repository, named: str) -> set[str]:
    """The roots of every unit reading `named`, from the sized units (what `share_for` must take)."""
    found, _hubs = units(repo)
    return {r for u in found if named in u.files for r in u.roots}


def test_roots_naming_the_same_missing_file_share_a_unit_and_a_named_share(tmp_path):
    missing = "patches:\n  - path: ../../../shared/gone.yaml\n"
    repo = _build(write_repo(tmp_path / "repo", {**_app("a", missing), **_app("b", missing), **_app("c")}))
    found, _hubs = units(repo)
    assert sorted(u.roots for u in found) == [("apps/a/prod", "apps/b/prod"), ("apps/c/prod",)]
    assert all(u.size > 0 for u in found)
    for named in ("apps/a/base/deployment.yaml", "apps/c/base/deployment.yaml"):
        share = share_for(repo, [named], charts=False)
        assert set(share.roots) == _named_roots(repo, named) and share.files == {named}
    assert share_for(repo, ["shared/gone.yaml"], charts=False).roots == {"apps/a/prod", "apps/b/prod"}


def test_without_missing_files_each_app_is_its_own_unit(tmp_path):
    repo = _build(write_repo(tmp_path / "repo", {**_app("a"), **_app("b")}))
    assert sorted(u.roots for u in units(repo)[0]) == [("apps/a/prod",), ("apps/b/prod",)]
    assert share_for(repo, ["apps/b/base/deployment.yaml"], charts=False).roots == {"apps/b/prod"}


def _rules_at(root, rule: str, named: str | None = None) -> list[tuple[str, int]]:
    result = lint_path(root, jobs=1, select=[rule], files=[named] if named else None)
    return sorted((f.path, f.line) for f in result.findings if f.rule == rule)


def test_gl304_in_check_file_reports_the_named_manifest_and_kustomization_only(tmp_path):
    files = {**_app("a"), **_app("b")}
    files["apps/a/base/deployment.yaml"] = _deployment("a", extra="  replica: 2\n")
    files["apps/b/base/deployment.yaml"] = _deployment("b", extra="  replica: 2\n")
    files["apps/b/prod/kustomization.yaml"] += "namePrefx: x-\n"
    root = write_repo(tmp_path / "repo", files)
    whole = _rules_at(root, "GL304")
    assert [p for p, _line in whole] == ["apps/a/base/deployment.yaml", "apps/b/base/deployment.yaml",
                                         "apps/b/prod/kustomization.yaml"]
    for path in ("apps/a/base/deployment.yaml", "apps/b/prod/kustomization.yaml", "apps/b/base/kustomization.yaml"):
        assert _rules_at(root, "GL304", path) == [f for f in whole if f[0] == path]


TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def test_gl602_in_check_file_scans_the_named_file_and_still_honours_sops_rules(tmp_path):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  GITHUB: " + TOKEN + "\n"
    root = write_repo(tmp_path / "repo", {
        "a/cm.yaml": cm, "b/cm.yaml": cm, "clean/cm.yaml": cm.replace(TOKEN, "nothing-here"),
        "secrets/cm.yaml": cm, ".sops.yaml": "creation_rules:\n  - path_regex: ^secrets/.*\n    age: age1xyz\n"})
    assert [p for p, _line in _rules_at(root, "GL602")] == ["a/cm.yaml", "b/cm.yaml"]
    assert [p for p, _line in _rules_at(root, "GL602", "b/cm.yaml")] == ["b/cm.yaml"]
    assert _rules_at(root, "GL602", "clean/cm.yaml") == []
    assert _rules_at(root, "GL602", "secrets/cm.yaml") == []  # SOPS' rules cover it: GL604's


def test_judged_workloads_are_listed_once_per_share(tmp_path):
    repo = _build(write_repo(tmp_path / "repo", {**_app("a"), **_app("b")}))
    everything = judged_workloads(repo)
    assert judged_workloads(repo) is everything
    assert sorted(w.name for w in everything) == ["a", "b"]
    repo.share = FileShare(frozenset({"apps/b/prod"}), False, frozenset({"apps/b/base/deployment.yaml"}))
    with repo.restricted():
        assert [w.name for w in judged_workloads(repo)] == ["b"]
    assert judged_workloads(repo) is everything


def test_gl701_an_untagged_image_is_excused_only_when_a_dev_loop_builds_it(tmp_path):
    files = {**_app("a"), **_app("b"), "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\n"
             "build:\n  artifacts:\n    - image: built\n"}
    files["apps/a/base/deployment.yaml"] = _deployment("a", image="built")
    files["apps/b/base/deployment.yaml"] = _deployment("b", image="other")
    root = write_repo(tmp_path / "repo", files)
    image_line = files["apps/b/base/deployment.yaml"].splitlines().index("          image: other") + 1
    assert _rules_at(root, "GL701") == [("apps/b/base/deployment.yaml", image_line)]


def test_argo_helm_sources_are_charts_only_where_a_chart_yaml_is(tmp_path):
    local = argo_app(argo_source(path="charts/web"), name="chart")
    plain = argo_app(argo_source(path="apps/a/prod"), name="plain")
    config = {"repo_urls": [DEPLOY_REPO]}
    with_chart = _build(write_repo(tmp_path / "one", {**web_chart(), **_app("a"), "argocd/chart.yaml": local,
                                                     "argocd/plain.yaml": plain}, config))
    assert [(r.resource, r.chart.directory) for r in argo_releases(with_chart)] == [("Application/chart", "charts/web")]
    no_chart = _build(write_repo(tmp_path / "two", {**_app("a"), "argocd/plain.yaml": plain}, config))
    assert argo_releases(no_chart) == []


def test_kubernetes_schemas_are_found_without_importing_their_package():
    code = ("import sys\nfrom gitops_lint.schemas.kubernetes import bundled_versions\n"
            "assert bundled_versions(), 'no bundled schema versions'\n"
            "assert 'kubernetes_validate' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gl705_builds_the_service_index_only_for_a_container_without_a_probe(tmp_path):
    probe = "          readinessProbe:\n            httpGet: {path: /, port: 8080}\n"
    files = {**_app("a"), **_app("b")}
    for name, extra in (("a", probe), ("b", "")):
        files[f"apps/{name}/base/deployment.yaml"] = _deployment(name) + "          ports:\n" \
            "            - containerPort: 8080\n" + extra
        files[f"apps/{name}/base/svc.yaml"] = SERVICE.replace("web", name)
        files[f"apps/{name}/base/kustomization.yaml"] += "  - svc.yaml\n"
    root = write_repo(tmp_path / "repo", files)
    probed = lint_path(root, jobs=1, select=["GL705"], files=["apps/a/base/deployment.yaml"])
    assert probed.findings == [] and probed.repo is not None
    assert other_shards_renders not in probed.repo._derived  # every container has a probe: no Service asked
    unprobed = lint_path(root, jobs=1, select=["GL705"], files=["apps/b/base/deployment.yaml"])
    assert [(f.rule, f.path) for f in unprobed.findings] == [("GL705", "apps/b/base/deployment.yaml")]
    assert unprobed.repo is not None and other_shards_renders in unprobed.repo._derived
