"""`gitops-lint diff` on a fixture git repository: one commit per change type."""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner
from gitfixture import commit, init, state, write

from gitops_lint.cli import main
from gitops_lint.diff.pipeline import DiffOptions, affected_roots, diff_path

CANARY = "canary-Zq8vX2-do-not-print"
CANARY_B64 = base64.b64encode(CANARY.encode()).decode()

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
        - name: sidecar
          image: envoy:1.30
"""

BASE = {
    "apps/web/base/kustomization.yaml": "resources: [deployment.yaml, service.yaml, secret.yaml, pvc.yaml]\n",
    "apps/web/base/deployment.yaml": DEPLOYMENT,
    "apps/web/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
    "  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n",
    "apps/web/base/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-creds\n"
    f"data:\n  password: {CANARY_B64}\n  user: YWRtaW4=\n"
    f"stringData:\n  token: {CANARY}\n",
    "apps/web/base/pvc.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n",
    "apps/web/overlays/development/kustomization.yaml": "resources: [../../base]\nnamespace: web-dev\n",
    "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\nnamespace: web-prod\n",
    "apps/api/base/kustomization.yaml": "resources: [configmap.yaml]\n",
    "apps/api/base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata: {a: '1'}\n",
    "apps/api/overlays/development/kustomization.yaml": "resources: [../../base]\n",
    "apps/api/overlays/production/kustomization.yaml": "resources: [../../base]\n",
    "argocd/web-production.yaml": """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-production
spec:
  project: default
  source: {repoURL: 'https://example.com/repo.git', path: apps/web/overlays/production, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: web-prod}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
""",
}


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    init(root, BASE)
    return root


def change(repo, files, message="change") -> str:
    write(repo, files)
    return commit(repo, message)


def run(repo, files, **options):
    head = change(repo, files)
    return diff_path(repo, base="HEAD~1", head=head, options=DiffOptions(**options))


def cli(*args):
    result = CliRunner().invoke(main, ["diff", *args], catch_exceptions=False)
    return result.exit_code, result.output


def edit(path: str, old: str, new: str) -> dict:
    text = BASE[path]
    assert old in text
    return {path: text.replace(old, new)}


# -- affected roots and the resource diff ---------------------------------------------------------
def test_base_change_renders_only_the_roots_that_read_it(repo):
    result = run(repo, edit("apps/web/base/deployment.yaml", "nginx:1.27", "nginx:1.28"))
    assert [(r.root, r.environment, r.app, r.status) for r in result.roots] == [
        ("apps/web/overlays/development", "development", "web", "modified"),
        ("apps/web/overlays/production", "production", "web", "modified"),
    ]
    change_ = result.roots[1].changes[0]
    assert (change_.action, change_.key) == ("modified", ("apps/v1", "Deployment", "web-prod", "web"))
    assert "-        image: nginx:1.27\n+        image: nginx:1.28\n" in change_.diff
    assert not result.findings


def test_reordered_lists_are_not_a_change(repo):
    text = BASE["apps/web/base/deployment.yaml"]
    web = text[text.index("        - name: web") : text.index("        - name: sidecar")]
    sidecar = text[text.index("        - name: sidecar") :]
    reordered = text.replace(web + sidecar, sidecar + web)
    reordered = reordered.replace(
        '- {name: A, value: "1"}\n            - {name: B, value: "2"}',
        '- {name: B, value: "2"}\n            - {name: A, value: "1"}',
    )
    assert reordered != text
    result = run(repo, {"apps/web/base/deployment.yaml": reordered})
    assert result.changes == []


def test_unrelated_file_affects_nothing(repo):
    result = run(repo, {"docs/notes.md": "hi\n"})
    assert result.roots == [] and result.changed_files == ["docs/notes.md"]


def test_a_changed_application_marks_its_root_affected(repo):
    from gitops_lint.diff.pipeline import diff_trees  # noqa: F401 - the sides come from a full run

    result = run(repo, edit("argocd/web-production.yaml", "selfHeal: true", "selfHeal: false"))
    affected = dict(affected_roots(result.base_side, result.head_side, set(result.changed_files)))
    assert affected == {"apps/web/overlays/production": "modified", "argocd": "modified"}
    assert [c.ref for c in result.changes] == ["Application/web-production"]


def test_added_and_removed_roots_and_environments(repo):
    files = {
        "apps/web/overlays/staging/kustomization.yaml": "resources: [../../base]\nnamespace: web-stg\n",
        "apps/api/overlays/development/kustomization.yaml": None,
    }
    result = run(repo, files)
    status = {r.root: r.status for r in result.roots}
    assert status == {"apps/web/overlays/staging": "added", "apps/api/overlays/development": "removed"}
    assert result.environments_added == ["staging"]
    added = next(r for r in result.roots if r.status == "added")
    assert {c.action for c in added.changes} == {"added"} and added.count("added") == 4


def test_strip_ignores_attributes(repo):
    files = edit(
        "apps/web/base/deployment.yaml",
        "  name: web\n",
        "  name: web\n  annotations: {checksum/config: abc}\n",
    )
    assert not run(repo, files, strip=("metadata.annotations[checksum/*]",)).changes
    assert run(repo, {"x.yaml": "a: 1\n"}).changes == []


def test_working_tree_is_the_default_head(repo):
    write(repo, edit("apps/api/base/configmap.yaml", "a: '1'", "a: '2'"))
    write(
        repo, {"apps/api/base/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: untracked\n"}
    )
    result = diff_path(repo, base="HEAD")
    assert result.head == "working tree"
    assert {(r.root, c.ref) for r in result.roots for c in r.changes} == {
        ("apps/api/overlays/development", "ConfigMap/api"),
        ("apps/api/overlays/production", "ConfigMap/api"),
    }


def test_subdirectory_path(repo):
    result = run(repo, edit("apps/api/base/configmap.yaml", "a: '1'", "a: '3'"))
    sub = diff_path(repo / "apps", base="HEAD~1", head="HEAD")
    assert [r.root for r in sub.roots] == [r.root.removeprefix("apps/") for r in result.roots]


# -- change policies ------------------------------------------------------------------------------
def _rules(result):
    return sorted((f.rule, f.path, f.line, f.environment) for f in result.findings)


def test_gl801_selector_change_at_the_head_line(repo):
    files = edit("apps/web/base/deployment.yaml", "matchLabels: {app: web}", "matchLabels: {app: web2}")
    result = run(repo, files)
    assert _rules(result) == [
        ("GL801", "apps/web/base/deployment.yaml", 8, "development"),
        ("GL801", "apps/web/base/deployment.yaml", 8, "production"),
    ]
    assert "spec.selector" in result.findings[0].message


def test_gl802_pruned_pvc_removal(repo):
    files = {"apps/web/base/kustomization.yaml": "resources: [deployment.yaml, service.yaml, secret.yaml]\n"}
    result = run(repo, files)
    found = [(f.rule, f.environment, f.message) for f in result.findings]
    assert [(r, e) for r, e, _ in found] == [("GL802", "development"), ("GL802", "production")]
    assert "is pruned" in found[1][2] and "if the operator prunes" in found[0][2]


def test_gl803_rename(repo):
    result = run(repo, edit("apps/web/base/service.yaml", "name: web\n", "name: web-svc\n"))
    assert {f.rule for f in result.findings} == {"GL803"}
    assert all(f.line == 4 for f in result.findings)


def test_gl804_scale_to_zero_only_in_production(repo):
    files = {
        "apps/web/overlays/development/kustomization.yaml": "resources: [../../base]\nnamespace: web-dev\nreplicas: [{name: web, count: 0}]\n",
        "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\nnamespace: web-prod\nreplicas: [{name: web, count: 0}]\n",
    }
    result = run(repo, files)
    assert [(f.rule, f.environment, f.path) for f in result.findings] == [
        ("GL804", "production", "apps/web/overlays/production/kustomization.yaml")
    ]


def test_findings_are_suppressible_inline(repo):
    files = {
        "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\nnamespace: web-prod\n"
        "replicas: [{name: web, count: 0}]  # gitops-lint: disable=GL804 -- decommissioning\n"
    }
    assert not run(repo, files).findings


# -- secrets ---------------------------------------------------------------------------------------
def test_canary_secret_never_printed(repo):
    other = CANARY + "-v2"
    files = {
        "apps/web/base/secret.yaml": BASE["apps/web/base/secret.yaml"]
        .replace(CANARY_B64, base64.b64encode(other.encode()).decode())
        .replace(f"token: {CANARY}", f"token: {other}")
        .replace("YWRtaW4=", "cm9vdA==")
        + "  new: "
        + CANARY
        + "\n",
        "apps/web/base/sops.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: sops}\n"
        f"data: {{k: 'ENC[AES256_GCM,data:{CANARY},type:str]'}}\n"
        "sops: {mac: 'ENC[AES256_GCM,data:x,type:str]', version: 3.8.1}\n",
        "apps/web/base/kustomization.yaml": "resources: [deployment.yaml, service.yaml, secret.yaml, pvc.yaml, sops.yaml]\n",
    }
    change(repo, files)
    for fmt in ("text", "markdown", "json"):
        code, out = cli(str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", fmt)
        assert code == 0, out
        for needle in (CANARY, CANARY_B64, "cm9vdA==", "YWRtaW4=", "Q2FuYXJ5"):
            assert needle not in out, (fmt, needle)
        assert "<changed>" in out and "<added>" in out and "<redacted>" in out
    _, out = cli(str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    secret = next(c for c in json.loads(out)["changes"] if c["name"] == "web-creds")
    assert "+  password: <changed>" in secret["diff"] and "-  password: <redacted>" in secret["diff"]


def test_unchanged_secret_values_say_so(repo):
    files = edit("apps/web/base/secret.yaml", "name: web-creds\n", "name: web-creds\n  labels: {a: b}\n")
    result = run(repo, files)
    diff = next(c.diff for c in result.changes if c.ref.startswith("Secret/"))
    assert "   password: <unchanged>" in diff and CANARY_B64 not in diff


# -- output and exit codes -------------------------------------------------------------------------
def test_json_shape_and_exit_code(repo):
    change(repo, edit("apps/web/base/deployment.yaml", "matchLabels: {app: web}", "matchLabels: {app: x}"))
    code, out = cli(str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) >= {"base", "head", "roots", "changes", "findings"}
    assert set(data["changes"][0]) == {
        "root",
        "app",
        "environment",
        "action",
        "apiVersion",
        "kind",
        "namespace",
        "name",
        "diff",
    }
    assert set(data["findings"][0]) >= {
        "rule",
        "severity",
        "path",
        "line",
        "column",
        "message",
        "fingerprint",
    }
    assert cli(str(repo), "--base", "HEAD~1", "--head", "HEAD", "--fail-on", "never")[0] == 0


def test_unknown_ref_and_non_git_dir_exit_2(repo, tmp_path):
    code, out = cli(str(repo), "--base", "nope")
    assert code == 2 and "unknown revision 'nope'" in out
    plain = tmp_path / "plain"
    plain.mkdir()
    code, out = cli(str(plain), "--base", "HEAD")
    assert code == 2 and "not inside a git repository" in out


def test_git_state_is_untouched(repo):
    change(repo, edit("apps/web/base/deployment.yaml", "replicas: 2", "replicas: 3"))
    write(repo, edit("apps/web/base/deployment.yaml", "nginx:1.27", "nginx:1.29"))  # uncommitted
    write(repo, {"apps/web/base/untracked.yaml": "a: 1\n"})
    (repo / "staged.yaml").write_text("b: 2\n")
    from gitfixture import git

    git(repo, "add", "staged.yaml")
    before = state(repo)
    for args in (
        ["--base", "HEAD~1"],
        ["--base", "HEAD~1", "--head", "HEAD"],
        ["--base", "HEAD~1", "--format", "json"],
    ):
        code, out = cli(str(repo), *args)
        assert code == 0, out
    assert state(repo) == before


def test_plain_check_neither_runs_change_rules_nor_calls_their_suppressions_unused(repo):
    from gitops_lint.api import lint_path

    write(
        repo,
        {
            "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\nnamespace: web-prod\n"
            "replicas: [{name: web, count: 0}]  # gitops-lint: disable=GL804 -- decommissioning\n"
        },
    )
    findings = lint_path(repo).findings
    assert not [f for f in findings if f.rule.startswith("GL80") or f.rule == "GL001"]


def test_flux_kustomization_pointer_marks_its_root(repo):
    flux = (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: api}\n"
        "spec: {path: ./apps/api/overlays/production, prune: true, interval: 10m,"
        " sourceRef: {kind: GitRepository, name: repo}}\n"
    )
    change(repo, {"clusters/prod/api.yaml": flux})
    result = run(repo, {"clusters/prod/api.yaml": flux.replace("10m", "5m")})
    affected = dict(affected_roots(result.base_side, result.head_side, set(result.changed_files)))
    assert affected == {"apps/api/overlays/production": "modified", "clusters/prod": "modified"}
    pointers = result.base_side.all_pointers
    assert {(p.target, p.prune) for p in pointers} >= {("apps/api/overlays/production", True)}


@pytest.mark.parametrize("name", ["GoogleCloudPlatform__microservices-demo", "fluxcd__flux2-multi-tenancy"])
def test_corpus_added_then_removed(corpus, name, tmp_path):
    from gitops_lint.core.config import Config
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.diff import report as diffreport
    from gitops_lint.diff.pipeline import diff_trees

    if not (corpus / name).is_dir():
        pytest.skip(f"{name} not in the corpus")
    empty, real = WorkingTree(tmp_path, use_git=False), WorkingTree(corpus / name, use_git=False)
    added, removed = diff_trees(empty, real, Config()), diff_trees(real, empty, Config())
    assert added.changes and {c.action for c in added.changes} == {"added"}
    assert {c.action for c in removed.changes} == {"removed"}
    for fmt in diffreport.FORMATS:
        assert diffreport.render(fmt, added) and diffreport.render(fmt, removed)


def test_parallel_roots_give_the_same_result(repo, monkeypatch):
    from gitops_lint.diff import pool as diffpool
    from gitops_lint.diff import report as diffreport

    files = edit("apps/web/base/deployment.yaml", "matchLabels: {app: web}", "matchLabels: {app: web2}")
    head = change(repo, files)
    serial = diff_path(repo, base="HEAD~1", head=head)
    monkeypatch.setattr(diffpool, "MIN_ROOTS", 2)
    if diffpool.workers(2, 2) < 2:
        pytest.skip("no fork or a single CPU here")
    parallel = diff_path(repo, base="HEAD~1", head=head, options=DiffOptions(jobs=2))
    assert diffreport.render("json", parallel) == diffreport.render("json", serial)
    assert [(f.path, f.line) for f in parallel.findings] == [("apps/web/base/deployment.yaml", 8)] * 2


def test_gl801_pvc_storage_may_grow_but_not_shrink(repo):
    grow = run(repo, edit("apps/web/base/pvc.yaml", "storage: 1Gi", "storage: 2Gi"))
    assert not grow.findings
    shrink = run(repo, edit("apps/web/base/pvc.yaml", "storage: 1Gi", "storage: 512Mi"))
    assert {(f.rule, f.line) for f in shrink.findings} == {("GL801", 7)}
    assert "spec.resources.requests.storage" in shrink.findings[0].message
    mode = run(repo, edit("apps/web/base/pvc.yaml", "[ReadWriteOnce]", "[ReadWriteMany]"))
    assert {f.rule for f in mode.findings} == {"GL801"}
