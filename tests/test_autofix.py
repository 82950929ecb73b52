"""`check --fix` / `--unsafe-fixes` / `--diff`: GL306 renames, GL401–GL404, GL501, GL204; surgical,
idempotent, checked, never outside the repository or into read-only files."""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT
from gitops_lint.cli import main

FIXED_BY_SAFE = {"GL204", "GL401", "GL402"}  # GL402 names prune too when both flags are missing

APP = """# the web app, production
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
    name: web   # four-space indentation on purpose
    namespace: argocd
spec:
    project: "default"
    source:
        repoURL: 'https://example.com/repo.git'
        targetRevision: v1.2.3
        path: apps/web
    destination: {server: 'https://kubernetes.default.svc', namespace: web}

    # trailing comment of spec
"""

FLOW_APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: api, namespace: argocd}
spec:
  project: default
  source: {repoURL: 'https://example.com/repo.git', targetRevision: v1, path: apps/api}
  destination: {server: 'https://kubernetes.default.svc', namespace: api}
  syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: db, namespace: argocd}
spec:
  project: default
  source: {repoURL: 'https://example.com/repo.git', targetRevision: v1, path: apps/db}
  destination: {server: 'https://kubernetes.default.svc', namespace: db}
  syncPolicy:
    automated:
      selfHeal: false  # keep manual fixes during the migration
      prune: true
    retry: {backoff: {duration: 10s}}
"""

FLUX = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
"""

ROLE = "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: Role\nmetadata:\n  name: r\nrules: []\n"
INGRESS = ("apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n"
           "  backend: {serviceName: s, servicePort: 80}\n")


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def findings(repo, *args) -> list[dict]:
    return json.loads(invoke("check", "-j", "1", repo, "--format", "json", *args).output)["findings"]


def tree_digest(root) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def inserted_only(before: str, after: str) -> bool:
    """Whether `after` is `before` with whole lines inserted (no original line changed or moved)."""
    ops = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True), autojunk=False)
    return all(tag in ("equal", "insert") for tag, *_ in ops.get_opcodes())


@pytest.fixture
def anti_patterns(tmp_path):
    copy = tmp_path / "anti-patterns"
    shutil.copytree(REPO_ROOT / "examples" / "anti-patterns", copy)
    return copy


def test_diff_never_writes_and_exit_code_says_whether_anything_would_change(anti_patterns):
    digest = tree_digest(anti_patterns)
    result = invoke("check", "-j", "1", anti_patterns, "--diff")
    assert result.exit_code == 1
    assert "+++ b/argocd/checkout.yaml" in result.output and "+    automated:" in result.output
    assert tree_digest(anti_patterns) == digest


def test_fix_removes_the_fixed_findings_and_is_idempotent(anti_patterns):
    before = findings(anti_patterns)
    assert {f["rule"] for f in before} >= FIXED_BY_SAFE
    invoke("check", "-j", "1", anti_patterns, "--fix")
    after = findings(anti_patterns)
    assert not FIXED_BY_SAFE & {f["rule"] for f in after}
    assert [f for f in after if f["rule"] == "GL501"]  # `prune: false` is a choice: unsafe only
    digest = tree_digest(anti_patterns)
    again = invoke("check", "-j", "1", anti_patterns, "--fix", "--unsafe-fixes")
    assert "fixed flux/apps.yaml: GL501" in again.output
    assert "GL501" not in {f["rule"] for f in findings(anti_patterns)}
    digest = tree_digest(anti_patterns)
    assert invoke("check", "-j", "1", anti_patterns, "--diff", "--unsafe-fixes").exit_code == 0
    invoke("check", "-j", "1", anti_patterns, "--fix", "--unsafe-fixes")
    assert tree_digest(anti_patterns) == digest


def test_block_fix_keeps_every_original_line_and_the_file_indentation(make_repo):
    repo = make_repo({"argocd/web.yaml": APP, "argocd/flux.yaml": FLUX})
    invoke("check", "-j", "1", repo, "--fix")
    text = (repo / "argocd/web.yaml").read_text()
    assert inserted_only(APP, text)
    assert "    syncPolicy:\n        automated:\n            prune: true\n            selfHeal: true\n" in text
    assert text.index("syncPolicy") < text.index("# trailing comment of spec")
    assert inserted_only(FLUX, (repo / "argocd/flux.yaml").read_text())
    assert "  prune: true\n" in (repo / "argocd/flux.yaml").read_text()
    assert not {"GL401", "GL402", "GL403", "GL404", "GL501"} & {f["rule"] for f in findings(repo)}


def test_flow_mappings_grow_in_place_and_explicit_choices_need_unsafe(make_repo):
    repo = make_repo({"argocd/apps.yaml": FLOW_APP})
    invoke("check", "-j", "1", repo, "--fix")
    text = (repo / "argocd/apps.yaml").read_text()
    assert "syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}\n" in text
    assert "selfHeal: false  # keep manual fixes during the migration" in text  # safe fixes leave it
    assert "retry: {backoff: {duration: 10s}, limit: 5}" in text  # a retry without a limit gets one
    diff = invoke("check", "-j", "1", repo, "--diff", "--unsafe-fixes").output
    assert "-      selfHeal: false  # keep manual fixes during the migration\n" in diff
    assert "+      selfHeal: true  # keep manual fixes during the migration\n" in diff


def test_crlf_bom_and_quotes_survive(make_repo):
    text = "\ufeff" + FLUX.replace("name: apps", "name: 'apps'").replace("\n", "\r\n")
    repo = make_repo({"README.md": "x\n"})
    (repo / "flux.yaml").write_bytes(text.encode("utf-8"))
    invoke("check", "-j", "1", repo, "--fix")
    after = (repo / "flux.yaml").read_bytes().decode("utf-8")
    assert after.startswith("\ufeff") and after.count("\r\n") == after.count("\n")
    assert inserted_only(text, after) and "  prune: true\r\n" in after and "name: 'apps'" in after


def test_deprecated_api_renamed_only_where_it_is_a_pure_rename(make_repo):
    repo = make_repo({"rbac.yaml": ROLE, "ingress.yaml": INGRESS}, {"kubernetes_version": "1.25"})
    assert {f["path"] for f in findings(repo) if f["rule"] == "GL306"} == {"rbac.yaml", "ingress.yaml"}
    invoke("check", "-j", "1", repo, "--fix")
    assert (repo / "rbac.yaml").read_text() == ROLE.replace("v1beta1", "v1")
    assert (repo / "ingress.yaml").read_text() == INGRESS  # backend fields changed too: a person's job
    assert {f["path"] for f in findings(repo) if f["rule"] == "GL306"} == {"ingress.yaml"}


def test_read_only_files_and_links_out_of_the_repository_are_left_alone(make_repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(FLUX)
    repo = make_repo({"locked.yaml": FLUX})
    (repo / "locked.yaml").chmod(0o444)
    (repo / "linked.yaml").symlink_to(outside)
    result = invoke("check", "-j", "1", repo, "--fix", "--unsafe-fixes")
    assert "locked.yaml: not fixed (read-only)" in result.output
    assert (repo / "locked.yaml").read_text() == FLUX and outside.read_text() == FLUX


def test_unsafe_fixes_alone_is_a_usage_error(make_repo):
    repo = make_repo({"flux.yaml": FLUX})
    result = invoke("check", repo, "--unsafe-fixes")
    assert result.exit_code == 2 and "--fix or --diff" in result.output


@pytest.mark.parametrize("name", ["toboshii__home-ops", "argoproj__argo-cd"])
def test_corpus_copies_fix_cleanly(corpus, tmp_path, name):
    source = corpus / name
    if not source.is_dir():
        pytest.skip(f"{name} not in the corpus")
    copy = tmp_path / name
    shutil.copytree(source, copy, symlinks=True)
    for path in copy.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o644)
    before = findings(copy)
    fixable = {"GL306", "GL401", "GL402", "GL403", "GL404", "GL501", "GL204"}
    assert fixable & {f["rule"] for f in before}
    invoke("check", "-j", "1", copy, "--fix", "--unsafe-fixes")
    after = findings(copy)
    fixed = {f["fingerprint"] for f in before if f["rule"] in fixable} - {f["fingerprint"] for f in after}
    assert fixed
    assert invoke("check", "-j", "1", copy, "--diff", "--unsafe-fixes").exit_code == 0  # idempotent
    assert not [f for f in after if f["rule"] in {"GL401", "GL402", "GL403", "GL404", "GL501"}]


PINNED_APPS = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: own, namespace: argocd}
spec:
  project: default
  sources:
    - repoURL: git@example.com:org/gitops.git
      targetRevision: HEAD
      path: apps/web
    - repoURL: https://charts.example.com
      chart: web
      targetRevision: '*'
  destination: {server: 'https://kubernetes.default.svc', namespace: web}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: foreign, namespace: argocd}
spec:
  project: default
  source: {repoURL: 'https://example.com/other/repo.git', path: apps/web}
  destination: {server: 'https://kubernetes.default.svc', namespace: web}
"""


def test_floating_revision_pinned_only_to_a_locally_known_commit(tmp_path):
    from gitfixture import git, init

    repo = tmp_path / "repo"
    head = init(repo, {"argocd/apps.yaml": PINNED_APPS, "apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                       "metadata: {name: web}\n"})
    git(repo, "remote", "add", "origin", "https://example.com/org/gitops.git")
    assert invoke("check", "-j", "1", repo, "--diff", "--unsafe-fixes", "--select", "GL409").exit_code == 0
    git(repo, "update-ref", "refs/remotes/origin/main", head)
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    invoke("check", "-j", "1", repo, "--fix", "--select", "GL409")
    assert (repo / "argocd/apps.yaml").read_text() == PINNED_APPS  # unsafe: not under plain --fix
    invoke("check", "-j", "1", repo, "--fix", "--unsafe-fixes", "--select", "GL409")
    assert (repo / "argocd/apps.yaml").read_text() == PINNED_APPS.replace(
        "      targetRevision: HEAD\n", f"      targetRevision: {head}\n")
    left = {(f["resource"], f["line"]) for f in findings(repo, "--select", "GL409")}
    assert {r for r, _ in left} == {"Application/argocd/own", "Application/argocd/foreign"}  # chart, other repo


KUSTOMIZATION = """# overlay for production
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace:   shop   # odd spacing stays

bases:
- ../../base   # the shared base
configMapGenerator:
  - {name: flags, literals: [A=1]}

resources:
- extra.yaml

# labels for every object
commonLabels:
  team: payments
images: [{name: web, newTag: "2.0"}]
"""


def test_kustomization_fix_rewrites_only_the_blocks_it_changes(make_repo):
    repo = make_repo({"overlay/kustomization.yaml": KUSTOMIZATION, "overlay/extra.yaml": "a: 1\n"})
    invoke("check", "-j", "1", repo, "--fix", "--select", "GL204")
    text = (repo / "overlay/kustomization.yaml").read_text()
    assert text == KUSTOMIZATION.replace("\nbases:\n- ../../base   # the shared base\n", "\n").replace(
        "- extra.yaml\n", "- extra.yaml\n- ../../base   # the shared base\n").replace(
        "commonLabels:\n  team: payments\n",
        "labels:\n- pairs:\n    team: payments\n  includeSelectors: true\n")
    assert invoke("check", "-j", "1", repo, "--diff", "--select", "GL204").exit_code == 0


APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: apps
  namespace: argocd
spec:
  generators:
    - list:
        elements:
          - {env: staging}
  template:
    metadata:
      name: 'web-{{env}}'
    spec:
      project: default
      source:
        repoURL: https://example.com/repo.git
        targetRevision: v1.0.0
        path: 'apps/web/overlays/{{env}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: 'web-{{env}}'
"""


def test_applicationset_templates_get_the_sync_policy_in_the_template(make_repo):
    repo = make_repo({"argocd/appset.yaml": APPSET})
    assert "GL401" in {f["rule"] for f in findings(repo)}
    invoke("check", "-j", "1", repo, "--fix")
    text = (repo / "argocd/appset.yaml").read_text()
    assert inserted_only(APPSET, text)
    assert text.endswith("        namespace: 'web-{{env}}'\n      syncPolicy:\n        automated:\n"
                         "          prune: true\n          selfHeal: true\n")
    assert not {"GL401", "GL402", "GL403", "GL404"} & {f["rule"] for f in findings(repo)}


def test_files_named_on_the_command_line_limit_the_fix(make_repo, monkeypatch):
    repo = make_repo({"a/flux.yaml": FLUX, "b/flux.yaml": FLUX})
    monkeypatch.chdir(repo)
    result = invoke("check", "-j", "1", "a/flux.yaml", "--fix")
    assert "fixed a/flux.yaml: GL501" in result.output
    assert "prune: true" in (repo / "a/flux.yaml").read_text() and (repo / "b/flux.yaml").read_text() == FLUX
