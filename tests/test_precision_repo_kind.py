"""Repository-level hygiene rules on projects that are not GitOps config repositories (issue-10 review).

A kubebuilder controller project (cluster-api, kueue) ships install manifests under `config/`, and a
tool's repository (kustomize) keeps only `examples/`: nothing in them is an environment someone pulls,
so GL901 (no operator) and GL904 (production without CODEOWNERS) stay silent; an Argo CD source tree's
test Applications (`test/manifests/…`) do not make GL905 ask for notifications. A plain config
repository without an operator is still reported.
"""

from __future__ import annotations

from gitops_lint.api import lint_path

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
APP = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: plugin-test\nspec:\n"
       "  project: default\n  source:\n    repoURL: https://github.com/example/repo.git\n    path: guestbook\n"
       "    targetRevision: v1.0.0\n  destination:\n    server: https://kubernetes.default.svc\n"
       "    namespace: default\n")
RULES = ["GL901", "GL904", "GL905"]


def _rules(make_repo, files):
    return sorted((f.rule, f.path) for f in lint_path(make_repo(files), select=RULES, jobs=1).findings)


def test_a_kubebuilder_project_is_not_asked_for_an_operator(make_repo):
    files = {
        "config/default/kustomization.yaml": "resources:\n  - ../components/manager\n  - ../components/rbac\n",
        "config/components/manager/kustomization.yaml": "resources:\n  - manager.yaml\n",
        "config/components/manager/manager.yaml": CM.format(name="manager"),
        "config/components/rbac/kustomization.yaml": "resources:\n  - role.yaml\n",
        "config/components/rbac/role.yaml": CM.format(name="role"),
        "config/alpha-enabled/kustomization.yaml": "resources:\n  - ../default\n",
    }
    assert _rules(make_repo, files) == []


def test_a_repository_of_examples_is_not_a_production_environment(make_repo):
    files = {
        "examples/ldap/base/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "examples/ldap/base/cm.yaml": CM.format(name="ldap"),
        "examples/ldap/overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
        "examples/ldap/overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
    }
    assert _rules(make_repo, files) == []


def test_test_applications_of_a_source_tree_do_not_need_notifications(make_repo):
    files = {"test/manifests/cmp/app.yaml": APP, "manifests/base/kustomization.yaml": "resources:\n  - cm.yaml\n",
             "manifests/base/cm.yaml": CM.format(name="argocd-cm")}
    assert [r for r in _rules(make_repo, files) if r[0] == "GL905"] == []


def test_a_config_repository_without_an_operator_is_still_reported(make_repo):
    files = {
        "apps/web/base/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "apps/web/base/cm.yaml": CM.format(name="web"),
        "apps/web/production/kustomization.yaml": "resources:\n  - ../base\n",
    }
    assert [r for r, _ in _rules(make_repo, files)] == ["GL901", "GL904"]


def test_one_manifest_outside_the_examples_makes_it_a_config_repository(make_repo):
    examples = {
        "examples/ldap/base/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "examples/ldap/base/cm.yaml": CM.format(name="ldap"),
        "examples/ldap/overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
    }
    # kustomize's own config outside the examples does not count; a Kubernetes object there does
    config = "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: labels\n"
    assert _rules(make_repo, {**examples, "transformers/labels.yaml": config}) == []
    found = _rules(make_repo, {**examples, "cluster/cm.yaml": CM.format(name="shared")})
    assert [r for r, _ in found] == ["GL901", "GL904"]
