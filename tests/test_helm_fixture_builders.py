"""The YAML builders of tests/helm_charts.py: what they write parses to the objects they describe, and the
line positions their docstrings promise (which other tests' line assertions rely on) hold."""

from __future__ import annotations

import base64
import io

from ruamel.yaml import YAML

from helm_charts import (
    argo_app,
    argo_source,
    flux_chart_ref_release,
    flux_kustomization,
    flux_release,
    values_secret,
)


def _load(text: str) -> dict:
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


def _line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(start))


def test_flux_release_lines_and_objects():
    for interval, shift in ((False, 0), (True, 1)):
        text = flux_release(interval=interval, spec="  values:\n    replicas: 4\n")
        assert (_line_of(text, "chart: "), _line_of(text, "values:")) == (9 + shift, 14 + shift)
    remote = _load(flux_release("exporter", "monitoring", "exporter", version="1.2.3",
                                source=("HelmRepository", "vendor-charts", None)))
    assert remote["metadata"] == {"name": "exporter", "namespace": "monitoring"}
    assert remote["spec"] == {"chart": {"spec": {"chart": "exporter", "version": "1.2.3", "sourceRef": {
        "kind": "HelmRepository", "name": "vendor-charts"}}}}


def test_flux_chart_ref_release_lines_and_object():
    text = flux_chart_ref_release("HelmChart", "web", "flux-system", interval=True)
    assert _line_of(text, "chartRef:") == 8
    assert _load(text)["spec"] == {"interval": "10m", "chartRef": {"kind": "HelmChart", "name": "web",
                                                                   "namespace": "flux-system"}}


def test_values_secret_and_flux_kustomization():
    secret = _load(values_secret("team", "'red'"))
    assert base64.b64decode(secret["data"]["team"]) == b"'red'"
    assert secret["metadata"] == {"name": "shop-secret", "namespace": "prod"}
    kustomization = _load(flux_kustomization("apps", "./apps", "  wait: true\n"))
    assert kustomization["spec"] == {"interval": "10m", "path": "./apps", "prune": True, "wait": True,
                                     "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}


def test_argo_app_writes_one_source_or_a_list():
    chart = argo_source("https://charts.example.com", "1.4.0", chart="web",
                        helm="valueFiles:\n  - values-prod.yaml\nvaluesObject:\n  replicas: 3\n")
    single = _load(argo_app(chart, destination="prod"))
    assert single["spec"]["source"] == {"repoURL": "https://charts.example.com", "chart": "web",
                                        "targetRevision": "1.4.0",
                                        "helm": {"valueFiles": ["values-prod.yaml"], "valuesObject": {"replicas": 3}}}
    assert single["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": "prod"}
    several = argo_app(argo_source(path="charts/web", helm="valueFiles:\n  - $values/a.yaml\n"),
                       argo_source(ref="values"), name="shop-production")
    assert _line_of(several, "- $values/a.yaml") == 14
    assert _load(several)["metadata"] == {"name": "shop-production", "namespace": "argocd"}
    assert _load(several)["spec"]["sources"] == [
        {"repoURL": "https://github.com/acme/deploy.git", "targetRevision": "main", "path": "charts/web",
         "helm": {"valueFiles": ["$values/a.yaml"]}},
        {"repoURL": "https://github.com/acme/deploy.git", "targetRevision": "main", "ref": "values"}]
