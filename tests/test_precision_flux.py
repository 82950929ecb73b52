"""Flux precision classes from the issue-10 review (regression fixtures shaped like a Flux home-ops repo).

- an app directory left out of its namespace's kustomization is reported once (GL105), not again by
  the Flux rules for each HelmRelease or Kustomization inside it;
- a dependency whose HelmRelease is commented out of its kustomization (`#- loki`) is still a finding,
  but the message says where the object is defined and why that file is not deployed;
- an explicit `prune: false` on a Kustomization that applies CRDs is deliberate (pruning a CRD deletes
  every custom resource of its kind), while `prune: false` elsewhere is still reported.
"""

from __future__ import annotations

from gitops_lint.api import lint_path

FLUX_APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./cluster/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""

HELMRELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: {name}
  namespace: monitoring
spec:
  interval: 15m
  chart:
    spec:
      chart: {name}
      version: 1.2.3
      sourceRef:
        kind: HelmRepository
        name: {source}
        namespace: flux-system
{extra}"""

REPOSITORY = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: grafana-charts
  namespace: flux-system
spec:
  interval: 1h
  url: https://grafana.github.io/helm-charts
"""


def _home_ops(make_repo, extra_files=None):
    files = {
        "cluster/flux/apps.yaml": FLUX_APPS,
        "cluster/charts/kustomization.yaml": "resources:\n  - grafana-charts.yaml\n",
        "cluster/charts/grafana-charts.yaml": REPOSITORY,
        "cluster/apps/kustomization.yaml": "resources:\n  - ../charts\n  - monitoring\n",
        "cluster/apps/monitoring/kustomization.yaml": "resources:\n  #- loki\n  - vector\n",
        "cluster/apps/monitoring/loki/kustomization.yaml": "resources:\n  - helm-release.yaml\n",
        "cluster/apps/monitoring/loki/helm-release.yaml": HELMRELEASE.format(
            name="loki", source="grafana-charts", extra=""),
        "cluster/apps/monitoring/vector/kustomization.yaml": "resources:\n  - helm-release.yaml\n",
        "cluster/apps/monitoring/vector/helm-release.yaml": HELMRELEASE.format(
            name="vector", source="grafana-charts",
            extra="  dependsOn:\n    - name: loki\n      namespace: monitoring\n"),
        # falco-system is listed by nothing: GL105 says so once
        "cluster/apps/falco-system/kustomization.yaml": "resources:\n  - falco\n",
        "cluster/apps/falco-system/falco/kustomization.yaml": "resources:\n  - helm-release.yaml\n",
        "cluster/apps/falco-system/falco/helm-release.yaml": HELMRELEASE.format(
            name="falco", source="falco-security-charts", extra=""),
    }
    files.update(extra_files or {})
    return make_repo(files)


def test_a_root_nothing_deploys_is_reported_once_not_per_flux_object(make_repo):
    found = lint_path(_home_ops(make_repo), select=["GL105", "GL503", "GL504", "GL507"], jobs=1).findings
    falco = [(f.rule, f.path) for f in found if "falco" in f.path]
    assert falco == [("GL105", "cluster/apps/falco-system/kustomization.yaml")]


def test_a_dependency_commented_out_of_its_kustomization_says_so(make_repo):
    found = lint_path(_home_ops(make_repo), select=["GL504"], jobs=1).findings
    assert [(f.path, f.line) for f in found] == [("cluster/apps/monitoring/vector/helm-release.yaml", 17)]
    message = found[0].message
    assert "does not define" not in message
    assert "defined only in cluster/apps/monitoring/loki/helm-release.yaml" in message
    assert "`cluster/apps/monitoring/loki` is commented out of cluster/apps/monitoring/kustomization.yaml" in message


def test_a_source_nobody_defines_is_still_reported(make_repo):
    extra = {"cluster/apps/monitoring/vector/helm-release.yaml": HELMRELEASE.format(
        name="vector", source="vector-charts", extra="")}
    found = lint_path(_home_ops(make_repo, extra), select=["GL503"], jobs=1).findings
    assert [(f.path, f.line) for f in found] == [("cluster/apps/monitoring/vector/helm-release.yaml", 14)]
    assert "which this repository does not define" in found[0].message


CRDS = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: kyverno-source
  namespace: flux-system
spec:
  interval: 30m
  url: https://github.com/kyverno/kyverno.git
  ref:
    tag: v1.9.0
  ignore: |
    /*
    !/config/crds
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 30m
  prune: false
  sourceRef:
    kind: GitRepository
    name: kyverno-source
  path: ./config/{path}
"""


def test_prune_false_is_deliberate_on_a_kustomization_that_applies_crds(make_repo):
    extra = {
        "cluster/apps/kustomization.yaml": "resources:\n  - ../charts\n  - monitoring\n  - ../crds\n",
        "cluster/crds/kustomization.yaml": "resources:\n  - kyverno.yaml\n  - tools.yaml\n",
        "cluster/crds/kyverno.yaml": CRDS.format(name="crds-kyverno", path="crds"),
        "cluster/crds/tools.yaml": CRDS.format(name="kyverno-tools", path="tools").replace(
            "kyverno-source", "tools-source"),
    }
    found = lint_path(_home_ops(make_repo, extra), select=["GL501"], jobs=1).findings
    assert [(f.path, f.line, f.message.split(" ")[0]) for f in found] == [
        ("cluster/crds/tools.yaml", 22, "Kustomization/kyverno-tools")]
