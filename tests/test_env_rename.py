"""GL106's unsafe fix: a misspelt overlay directory renamed, with every reference to it in the repository."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from conftest import write_repo
from gitops_lint.cli import main

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27.0
"""
OVERLAY = "resources:\n  - ../../base\nnamePrefix: {env}-\n"
PRODUCTION = """# production overlay
resources:
  - ../../base
namePrefix: prod-
patches:
  - path: replicas.yaml   # more replicas in production
"""
REPLICAS = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
APPLICATION = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-production
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/example/gitops.git
    targetRevision: main
    path: 'apps/web/overlays/prodcution'   # the production overlay
  destination: {server: https://kubernetes.default.svc, namespace: web}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
"""
APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
  namespace: argocd
spec:
  generators:
    - git:
        repoURL: https://github.com/example/gitops.git
        revision: main
        directories:
          - path: apps/web/overlays/prodcution
          - path: apps/web/overlays/staging
  template:
    metadata:
      name: 'web-{{path.basename}}'
    spec:
      project: default
      source:
        repoURL: https://github.com/example/gitops.git
        targetRevision: main
        path: '{{path}}'
      destination: {server: https://kubernetes.default.svc, namespace: web}
      syncPolicy:
        automated: {prune: true, selfHeal: true}
"""
FLUX = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: web
  namespace: flux-system
spec:
  interval: 10m
  path: "./apps/web/overlays/prodcution"
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""
CLUSTER = "resources:\n  - ../../apps/web/overlays/prodcution  # web\n  - ../../apps/web/overlays/staging\n"


def layout() -> dict[str, str]:
    return {
        "apps/web/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "apps/web/base/deployment.yaml": DEPLOYMENT,
        "apps/web/overlays/development/kustomization.yaml": OVERLAY.format(env="dev"),
        "apps/web/overlays/staging/kustomization.yaml": OVERLAY.format(env="staging"),
        "apps/web/overlays/prodcution/kustomization.yaml": PRODUCTION,
        "apps/web/overlays/prodcution/replicas.yaml": REPLICAS,
        "argocd/web-production.yaml": APPLICATION,
        "argocd/web-appset.yaml": APPSET,
        "flux/web.yaml": FLUX,
        "clusters/prod/kustomization.yaml": CLUSTER,
    }


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def gl106(repo) -> list[dict]:
    result = invoke("check", "-j", "1", repo, "--format", "json", "--select", "GL106")
    return [f for f in json.loads(result.output)["findings"] if f["rule"] == "GL106"]


def tree(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def digest(root) -> str:
    return hashlib.sha256(repr(sorted(tree(root).items())).encode()).hexdigest()


def kustomize(directory) -> str:
    return subprocess.run(["kubectl", "kustomize", str(directory)], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(tmp_path):
    return write_repo(tmp_path / "repo", layout())


def test_the_misspelt_overlay_is_renamed_and_every_reference_follows(repo):
    assert gl106(repo)
    rendered = kustomize(repo / "apps/web/overlays/prodcution") if shutil.which("kubectl") else None
    before = tree(repo)
    result = invoke("check", "-j", "1", repo, "--fix", "--unsafe-fixes")
    after = tree(repo)
    assert not (repo / "apps/web/overlays/prodcution").exists()
    assert after["apps/web/overlays/production/kustomization.yaml"] == PRODUCTION.encode()
    assert after["apps/web/overlays/production/replicas.yaml"] == REPLICAS.encode()
    old, new = "apps/web/overlays/prodcution", "apps/web/overlays/production"
    expected_edits = {"argocd/web-production.yaml": APPLICATION, "argocd/web-appset.yaml": APPSET,
                      "flux/web.yaml": FLUX, "clusters/prod/kustomization.yaml": CLUSTER}
    for path, text in expected_edits.items():  # only the path scalar changes: quotes and comments stay
        assert after[path] == text.replace(old, new).encode(), path
    untouched = {p for p in before if not p.startswith(old + "/") and p not in expected_edits}
    assert all(after[p] == before[p] for p in untouched)
    assert "fixed argocd/web-production.yaml: GL106" in result.output
    assert not gl106(repo)
    if rendered is not None:
        assert kustomize(repo / new) == rendered
    settled = digest(repo)
    again = invoke("check", "-j", "1", repo, "--fix", "--unsafe-fixes")
    assert "GL106" not in again.output and digest(repo) == settled


def test_the_cluster_kustomization_renders_the_same_objects_after_the_rename(repo):
    if not shutil.which("kubectl"):
        pytest.skip("kubectl not installed")
    rendered = kustomize(repo / "clusters/prod")
    invoke("check", "-j", "1", repo, "--fix", "--unsafe-fixes")
    assert kustomize(repo / "clusters/prod") == rendered


def test_diff_shows_the_rename_and_writes_nothing(repo):
    settled = digest(repo)
    result = invoke("check", "-j", "1", repo, "--diff", "--unsafe-fixes")
    assert result.exit_code == 1
    assert ("rename from apps/web/overlays/prodcution/kustomization.yaml\n"
            "rename to apps/web/overlays/production/kustomization.yaml\n") in result.output
    assert "-    path: 'apps/web/overlays/prodcution'   # the production overlay\n" in result.output
    assert "+    path: 'apps/web/overlays/production'   # the production overlay\n" in result.output
    assert '+  path: "./apps/web/overlays/production"\n' in result.output
    assert digest(repo) == settled


def test_plain_fix_leaves_the_rename_alone(repo):
    settled = digest(repo)
    invoke("check", "-j", "1", repo, "--fix", "--select", "GL106")
    assert digest(repo) == settled and gl106(repo)


def refused(repo, reason: str) -> None:
    settled = digest(repo)
    result = CliRunner().invoke(main, ["check", "-j", "1", str(repo), "--fix", "--unsafe-fixes",
                                                       "--select", "GL106"], catch_exceptions=False)
    assert digest(repo) == settled
    assert "not renamed to production" in result.stderr and reason in result.stderr
    assert (repo / "apps/web/overlays/prodcution").is_dir()


def test_refused_when_a_templated_reference_may_point_into_it(tmp_path):
    files = layout()
    files["flux/web.yaml"] = FLUX.replace("overlays/prodcution", "overlays/${ENVIRONMENT}")
    refused(write_repo(tmp_path / "repo", files), "`./apps/web/overlays/${ENVIRONMENT}` may point into")


def test_refused_when_a_generator_glob_would_stop_matching(tmp_path):
    files = layout()
    files["argocd/web-appset.yaml"] = APPSET.replace("overlays/prodcution", "overlays/prodc*")
    refused(write_repo(tmp_path / "repo", files), "may point into apps/web/overlays/prodcution")


def test_refused_when_the_directory_holds_a_symbolic_link(tmp_path):
    repo = write_repo(tmp_path / "repo", layout())
    outside = write_repo(tmp_path / "outside", {"extra.yaml": REPLICAS})
    os.symlink(outside / "extra.yaml", repo / "apps/web/overlays/prodcution/extra.yaml")
    refused(repo, "is a symbolic link")


def test_refused_when_the_target_name_exists(tmp_path):
    files = layout()
    files["apps/web/overlays/production/README.md"] = "the production overlay moves here\n"
    refused(write_repo(tmp_path / "repo", files), "apps/web/overlays/production already exists")


def test_no_rename_without_a_near_miss_suggestion(tmp_path):
    files = {p: t for p, t in layout().items() if "prodcution" not in p and not p.startswith(("argocd", "flux", "clusters"))}
    files["apps/web/overlays/qa/kustomization.yaml"] = OVERLAY.format(env="qa")  # no suggestion
    files["apps/web/overlays/prod/kustomization.yaml"] = OVERLAY.format(env="prod")  # a synonym, not a misspelling
    repo = write_repo(tmp_path / "repo", files, {"environments": ["development", "staging", "production"]})
    assert {f["environment"] for f in gl106(repo)} == {"qa", "prod"}
    settled = digest(repo)
    result = CliRunner().invoke(main, ["check", "-j", "1", str(repo), "--fix", "--unsafe-fixes", "--select", "GL106"],
                                catch_exceptions=False)
    assert digest(repo) == settled
    assert result.stderr.count("no single name to rename it to") == 2


def test_flow_lists_quotes_generator_files_and_crlf_keep_their_form():
    from gitops_lint.lint.autofix import _load_all
    from gitops_lint.lint.env_rename import Rename, plan_file

    text = ('resources: ["../prodcution", ../staging]  # both\r\n'
            "configMapGenerator:\r\n  - name: cfg\r\n    files: ['app.env=../prodcution/app.env']\r\n"
            "patches:\r\n  - {path: ../prodcution/../staging/p.yaml}\r\n")
    rename = Rename("apps/web/overlays/prodcution", "apps/web/overlays/production")
    assert plan_file(text, "apps/web/overlays/eu/kustomization.yaml", rename, _load_all) == text.replace(
        "../prodcution", "../production")
    assert plan_file(text, "apps/api/overlays/eu/kustomization.yaml", rename, _load_all) is None


def test_files_given_on_the_command_line_do_not_let_the_rename_edit_others(repo, monkeypatch):
    monkeypatch.chdir(repo)
    settled = digest(repo)
    result = CliRunner().invoke(main, ["check", "-j", "1", "--fix", "--unsafe-fixes", "--select", "GL106",
                                       "apps/web/overlays/prodcution/kustomization.yaml"], catch_exceptions=False)
    assert digest(repo) == settled
    assert "is not among the files to fix" in result.stderr


def test_refused_when_another_yaml_field_names_the_directory(tmp_path):
    files = layout()
    files[".github/workflows/deploy.yaml"] = ("on: push\njobs:\n  render:\n    runs-on: ubuntu-latest\n    steps:\n"
                                              "      - run: kubectl kustomize apps/web/overlays/prodcution\n")
    refused(write_repo(tmp_path / "repo", files), "names it in a field this fix does not rewrite")


def test_a_link_leading_outside_the_repository_is_never_read_nor_edited(tmp_path):
    repo = write_repo(tmp_path / "repo", layout())
    outside = write_repo(tmp_path / "outside", {"flux.yaml": FLUX})
    os.symlink(outside / "flux.yaml", repo / "flux/linked.yaml")
    invoke("check", "-j", "1", repo, "--fix", "--unsafe-fixes", "--select", "GL106")
    assert (repo / "apps/web/overlays/production/kustomization.yaml").read_text() == PRODUCTION
    assert (outside / "flux.yaml").read_text() == FLUX
    assert os.path.islink(repo / "flux/linked.yaml")
