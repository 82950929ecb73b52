"""Each root is built with the load restrictor of the operator that deploys it (regression fixture).

Flux's kustomize-controller builds with LoadRestrictionsNone: an overlay that reads a file above its
own directory (a shared namespace manifest) builds under Flux, so it is not "build fails"; the same
overlay that nothing but plain kustomize builds still is.
"""

from __future__ import annotations

from gitops_lint.api import lint_path

FLUX_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: observability
  namespace: flux-system
spec:
  interval: 10m
  path: ./infra/observability/grafana
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""

FILES = {
    "infra/observability/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: observability\n",
    "infra/observability/grafana/kustomization.yaml": "resources:\n  - ../namespace.yaml\n  - cm.yaml\n",
    "infra/observability/grafana/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: grafana\n",
}


def test_overlay_reading_above_its_root_builds_when_flux_deploys_it(make_repo):
    root = make_repo({**FILES, "clusters/prod/observability.yaml": FLUX_KS})
    assert [(f.rule, f.message) for f in lint_path(root, select=["GL205"], jobs=1).findings] == []


def test_the_same_overlay_without_flux_still_fails_with_kustomize_defaults(make_repo):
    found = lint_path(make_repo(FILES), select=["GL205"], jobs=1).findings
    assert [f.rule for f in found] == ["GL205"]
    assert "is not in or below" in found[0].message
