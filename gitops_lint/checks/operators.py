"""GL901: is anything pulling this repository into a cluster (Argo CD or Flux objects)?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitops_lint.argo.helm_projects import chart_templates_define
from gitops_lint.core.findings import Violation
from gitops_lint.deploy.repo_kind import is_project_without_environments

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

OPERATOR_KINDS = (
    "argoproj.io/Application",
    "argoproj.io/ApplicationSet",
    "kustomize.toolkit.fluxcd.io/Kustomization",
    "helm.toolkit.fluxcd.io/HelmRelease",
)
TEMPLATED_KINDS = ("Application", "ApplicationSet", "HelmRelease")
VALUES_KEYS = ("applications", "applicationsets", "applicationSets")


def no_operator(ctx: CheckContext) -> Iterator[Violation]:
    """GL901: Kubernetes manifests but no Argo CD Application/ApplicationSet and no Flux Kustomization/HelmRelease.

    Applications declared through Helm (chart templates, or argocd-apps style values files) count too.
    """
    repo = ctx.repo
    if repo.objects(*OPERATOR_KINDS):
        return
    manifests = [d for d in repo.documents if d.kind and d.api_version]
    if not manifests and not repo.kustomizations:
        return  # nothing deployable here: not a GitOps config repository
    if is_project_without_environments(repo):
        return  # examples, test inputs or a controller's install manifests: users deploy them elsewhere
    if _declared_in_values(repo) or any(chart_templates_define(repo, k) for k in TEMPLATED_KINDS):
        return
    yield Violation(
        _anchor(repo, manifests),
        "no Argo CD Application/ApplicationSet or Flux Kustomization/HelmRelease in this "
        "repository, so nothing pulls these manifests into a cluster; add the operator's objects here",
        key="no-operator",
    )


def _declared_in_values(repo) -> bool:
    """Helm values (e.g. the argocd-apps chart) declaring Applications: entries with a destination."""
    for doc in repo.documents:
        data = doc.data
        if "kind" in data:
            continue
        for key in VALUES_KEYS:
            entries = data.get(key)
            items = (
                entries.values()
                if isinstance(entries, dict)
                else entries
                if isinstance(entries, list)
                else []
            )
            if any(isinstance(i, dict) and "destination" in i for i in items):
                return True
    return False


def _anchor(repo, manifests) -> str:
    """The file the repository-level finding is attached to: the shallowest root kustomization or manifest."""
    candidates = [repo.kustomizations[d].path for d in repo.top_level_roots] or [d.path for d in manifests]
    return min(candidates, key=lambda p: (p.count("/"), p))
