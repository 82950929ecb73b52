"""GL901: is anything pulling this repository into a cluster (Argo CD or Flux objects)?"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Violation

OPERATOR_KINDS = (
    "argoproj.io/Application",
    "argoproj.io/ApplicationSet",
    "kustomize.toolkit.fluxcd.io/Kustomization",
    "helm.toolkit.fluxcd.io/HelmRelease",
)


def no_operator(ctx) -> Iterator[Violation]:
    """GL901: Kubernetes manifests but no Argo CD Application/ApplicationSet and no Flux Kustomization/HelmRelease."""
    repo = ctx.repo
    if repo.objects(*OPERATOR_KINDS):
        return
    manifests = [d for d in repo.documents if d.kind and d.api_version]
    if not manifests and not repo.kustomizations:
        return  # nothing deployable here: not a GitOps config repository
    anchor = _anchor(repo, manifests)
    yield Violation(
        anchor,
        "no Argo CD Application/ApplicationSet or Flux Kustomization/HelmRelease in this "
        "repository, so nothing pulls these manifests into a cluster; add the operator's objects here",
        key="no-operator",
    )


def _anchor(repo, manifests) -> str:
    """The file the repository-level finding is attached to: the shallowest root kustomization or manifest."""
    candidates = [repo.kustomizations[d].path for d in repo.top_level_roots] or [d.path for d in manifests]
    return min(candidates, key=lambda p: (p.count("/"), p))
