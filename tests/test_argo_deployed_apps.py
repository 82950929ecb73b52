"""Only Applications that something applies are judged (regression fixture).

An app-of-apps whose kustomization lists its children, with one child commented out of the list (kept
for later, never deployed) and an old Application parked in a dot-directory nothing deploys.
"""

from __future__ import annotations

from gitops_lint.api import explain_file, lint_path
from gitops_lint.model.file_roles import Role

RULES = ["GL401", "GL402", "GL403", "GL408"]


def application(name: str, path: str, automated: bool = True) -> str:
    sync = "  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n" if automated else ""
    return (
        f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n"
        "  namespace: argocd\nspec:\n  project: default\n  source:\n"
        "    repoURL: https://github.com/example/gitops.git\n    targetRevision: main\n"
        f"    path: {path}\n  destination:\n    server: https://kubernetes.default.svc\n"
        f"    namespace: {name}\n{sync}"
    )


def _repo(make_repo, web_automated: bool = True):
    return make_repo(
        {
            "bootstrap/root.yaml": application("root", "apps"),
            "apps/kustomization.yaml": "resources:\n  - web.yaml\n# - legacy.yaml\n",
            "apps/web.yaml": application("web", "workloads/web", web_automated),
            "apps/legacy.yaml": application("legacy", "workloads/legacy-gone", automated=False),
            ".archive/old-app.yaml": application("old", "workloads/old-gone", automated=False),
            "workloads/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n",
        }
    )


def test_applications_commented_out_or_parked_are_not_judged(make_repo):
    root = _repo(make_repo)
    assert [(f.rule, f.path) for f in lint_path(root, select=RULES, jobs=1).findings] == []
    assert explain_file(root, "apps/legacy.yaml").role == Role.NOT_DEPLOYED
    assert "commented out of apps/kustomization.yaml" in explain_file(root, "apps/legacy.yaml").reason


def test_a_deployed_application_is_still_judged(make_repo):
    root = _repo(make_repo, web_automated=False)
    found = [(f.rule, f.path) for f in lint_path(root, select=RULES, jobs=1).findings]
    assert ("GL401", "apps/web.yaml") in found
    assert all(path == "apps/web.yaml" for _rule, path in found)
