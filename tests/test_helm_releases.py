"""Helm releases in `check`: charts found per source kind, values merged as each operator merges them,
rendered output checked by the same rules, findings at the values line."""

from __future__ import annotations

import pytest

from gitops_lint.api import lint_path
from gitops_lint.deploy.helm_releases import release_renders, releases
from gitops_lint.helm.values import TracedValues, ValuesLayer, merge_maps, set_path, typed_value
from helm_charts import (
    argo_app,
    argo_source,
    by_kind_name,
    expected_web,
    flux_kustomization,
    flux_release,
    needs_sdk,
    values_secret,
    web_chart,
)

FLUX_RELEASE = flux_release(interval=True, spec="""\
  valuesFrom:
    - kind: ConfigMap
      name: shop-values
    - kind: ConfigMap
      name: shop-values
      valuesKey: replicas
      targetPath: replicas
    - kind: Secret
      name: shop-secret
      valuesKey: team
      targetPath: global.team
    - kind: ConfigMap
      name: not-there
      optional: true
  values:
    image: nginx:1.27.1
""")

FLUX_VALUES = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-values
  namespace: prod
data:
  values.yaml: |
    image: nginx:1.0.0
    host: shop.example.org
  replicas: "4"
---
""" + values_secret("team", "'red'")


def _lint(repo, **kw):
    result = lint_path(repo, **kw)
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return result


def test_values_merge_semantics():
    assert merge_maps({"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": 3}, "l": [9]}) == {
        "a": {"b": 3, "c": 2}, "l": [9]}
    values: dict = {}
    set_path(values, "a.b\\.c[1].d", typed_value("007"))
    set_path(values, "x", typed_value("true"))
    set_path(values, "n", typed_value("12"))
    assert values == {"a": {"b.c": [None, {"d": "007"}]}, "x": True, "n": 12}
    traced = TracedValues()
    traced.add(ValuesLayer({"a": 1, "b": {"c": 2}}, lambda p: ("one.yaml", p)))
    traced.add(ValuesLayer({"b": {"c": 3}}, lambda p: ("two.yaml", p)))
    assert traced.values == {"a": 1, "b": {"c": 3}}
    assert traced.origin(("b", "c"))[0] == "two.yaml" and traced.origin(("a",))[0] == "one.yaml"


def test_flux_values_from_in_order_then_values(make_repo):
    repo = make_repo({**web_chart(), "apps/shop/release.yaml": FLUX_RELEASE,
                      "apps/shop/values.yaml": FLUX_VALUES})
    result = _lint(repo)
    [release] = releases(result.repo)
    assert (release.release_name, release.namespace, release.chart.directory) == ("shop", "prod", "charts/web")
    # spec.values wins over valuesFrom; targetPath values are typed ("4" is 4), quoted ones stay strings
    assert release.values.values == {"image": "nginx:1.27.1", "host": "shop.example.org", "replicas": 4,
                                     "global": {"team": "red"}}
    assert release.values.origin(("host",))[:2][0] == "apps/shop/values.yaml"
    assert release.values.origin(("host",))[1].line == 9
    assert release.values.origin(("global", "team"))[2] is True  # from a Secret


@needs_sdk
def test_flux_release_renders_as_expected(make_repo):
    repo = make_repo({**web_chart(), "apps/shop/release.yaml": FLUX_RELEASE,
                      "apps/shop/values.yaml": FLUX_VALUES})
    result = _lint(repo)
    [render] = release_renders(result.repo)
    want = expected_web("shop", "prod", replicas=4, team="red", image="nginx:1.27.1")
    want[("ConfigMap", "shop-web")]["data"]["host"] = "shop.example.org"
    assert by_kind_name(render.objects) == want
    assert not [f for f in result.findings if f.rule == "GL209"]


@needs_sdk  # reported only about a release that is rendered
def test_values_from_missing_in_the_repository_is_info_and_rendered_without(make_repo):
    release = FLUX_RELEASE.replace("      optional: true\n", "")
    repo = make_repo({**web_chart(), "apps/shop/release.yaml": release, "apps/shop/values.yaml": FLUX_VALUES})
    found = [f for f in _lint(repo).findings if f.rule == "GL209"]
    assert [(f.line, f.severity.name) for f in found] == [(26, "INFO")]
    assert "not-there" in found[0].message and "rendered without it" in found[0].message


def test_values_from_a_generated_config_map_beside_the_release(make_repo):
    repo = make_repo({**web_chart(), "apps/shop/release.yaml": FLUX_RELEASE.replace("      name: shop-values\n",
                                                                                    "      name: gen\n", 1),
                      "apps/shop/values.yaml": FLUX_VALUES, "apps/shop/gen.yaml": "replicas: 7\n",
                      "apps/shop/kustomization.yaml": "namespace: prod\nresources: [release.yaml, values.yaml]\n"
                                                      "configMapGenerator:\n  - name: gen\n    files:\n"
                                                      "      - values.yaml=gen.yaml\n"
                                                      "generatorOptions:\n  disableNameSuffixHash: true\n"})
    [release] = releases(_lint(repo).repo)
    assert release.values.values["replicas"] == 4  # targetPath entry (shop-values) after the generated one
    assert release.values.origin(("image",))[0] == "apps/shop/release.yaml"
    assert release.values.origin(("replicas",))[0] == "apps/shop/values.yaml"
    assert not release.problems


def test_chart_directory_without_chart_yaml_is_an_error(make_repo):
    release = FLUX_RELEASE.replace("./charts/web", "./charts/wbe")
    repo = make_repo({**web_chart(), "charts/wbe/values.yaml": "a: 1\n", "apps/shop/release.yaml": release,
                      "apps/shop/values.yaml": FLUX_VALUES})
    [found] = [f for f in _lint(repo).findings if f.rule == "GL209"]
    assert (found.line, found.severity.name) == (10, "ERROR") and "no Chart.yaml" in found.message


ARGO_APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop-production
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/acme/deploy.git
    targetRevision: main
    path: charts/web
    helm:
      releaseName: shop
      valueFiles:
        - values-production.yaml
      values: |
        replicas: 5
        image: nginx:latest
      parameters:
        - name: global.team
          value: green
        - name: replicas
          value: "6"
        - name: tag
          value: "0042"
          forceString: true
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
"""


def _argo_repo(make_repo, app=ARGO_APP):
    files = {**web_chart(), "charts/web/values-production.yaml": "replicas: 3\nhost: shop.example.com\n",
             "argocd/shop.yaml": app}
    return make_repo(files, {"repo_urls": ["https://github.com/acme/deploy.git"], "production": ["production"]})


def test_argo_values_precedence(make_repo):
    result = _lint(_argo_repo(make_repo))
    [release] = releases(result.repo)
    assert (release.release_name, release.namespace) == ("shop", "shop")
    assert release.values.values == {"replicas": 6, "host": "shop.example.com", "image": "nginx:latest",
                                     "global": {"team": "green"}, "tag": "0042"}
    file, position, _ = release.values.origin(("image",))
    assert (file, position.line) == ("argocd/shop.yaml", 18)
    assert release.values.origin(("host",))[0] == "charts/web/values-production.yaml"


def test_argo_values_object_replaces_values(make_repo):
    app = ARGO_APP.replace("      parameters:", "      valuesObject:\n        image: nginx:2.0.0\n      parameters:")
    [release] = releases(_lint(_argo_repo(make_repo, app)).repo)
    assert release.values.values["image"] == "nginx:2.0.0" and "host" in release.values.values
    assert release.values.values["replicas"] == 6  # parameters still win


@needs_sdk
def test_argo_chart_renders_and_rules_see_its_output_at_the_values_line(make_repo):
    result = _lint(_argo_repo(make_repo))
    [render] = release_renders(result.repo)
    want = expected_web("shop", "shop", replicas=6, team="green", image="nginx:latest")
    want[("ConfigMap", "shop-web")]["data"]["host"] = "shop.example.com"
    assert by_kind_name(render.objects) == want
    mutable = [f for f in result.findings if f.rule == "GL701"]
    assert [(f.path, f.line) for f in mutable] == [("argocd/shop.yaml", 18)]


@needs_sdk
@pytest.mark.parametrize(("values", "line", "text"), [
    ("replicas: 0\n", 17, "/replicas"),  # schema violation: at the values line that set it
    ("host: null\n", 8, "host is required"),  # `required`: at the release (its source)
    ("broken: true\n", 8, "broken is set"),  # `fail`
])
def test_render_failures_are_findings(make_repo, values, line, text):
    app = ARGO_APP.replace("        replicas: 5\n        image: nginx:latest\n", "        " + values).replace(
        '        - name: replicas\n          value: "6"\n', "")
    found = [f for f in _lint(_argo_repo(make_repo, app)).findings if f.rule == "GL209"]
    assert [(f.line, f.severity.name) for f in found] == [(line, "ERROR")], found
    assert text in found[0].message


def test_remote_chart_without_opt_in_is_one_info_finding(make_repo):
    app = ARGO_APP.replace("    path: charts/web\n", "    chart: web\n").replace(
        "https://github.com/acme/deploy.git\n    targetRevision: main", "https://charts.example.org\n"
        "    targetRevision: 1.4.0")
    found = [f for f in _lint(_argo_repo(make_repo, app)).findings if f.rule == "GL209"]
    assert [(f.severity.name, f.line) for f in found] == [("INFO", 8)]
    assert "release uses a remote chart and was not rendered (Application/shop-production); pass --helm-fetch" \
        in found[0].message


def test_remote_charts_without_opt_in_share_one_info_finding(make_repo):
    """One cause (no --helm-fetch), one finding: every unfetched release is listed in it."""
    app = ARGO_APP.replace("    path: charts/web\n", "    chart: web\n").replace(
        "https://github.com/acme/deploy.git\n    targetRevision: main", "https://charts.example.org\n"
        "    targetRevision: 1.4.0")
    files = {f"argocd/{name}.yaml": app.replace("  name: shop-production\n", f"  name: {name}\n", 1)
             for name in ("api", "web", "worker", "zeta")}
    found = [f for f in _lint(make_repo(files)).findings if f.rule == "GL209"]
    assert [(f.severity.name, f.path) for f in found] == [("INFO", "argocd/api.yaml")]
    assert "4 releases use remote charts and were not rendered (Application/api, Application/web, " \
        "Application/worker and 1 more)" in found[0].message


SUBSTITUTED = flux_release(spec="""\
  values:
    replicas: ${REPLICAS}
    host: web.${DOMAIN}
    image: ${IMAGE:=nginx:1.0.0}
    global:
      team: ${TEAM}
""")

FLUX_KUSTOMIZATION = flux_kustomization("apps", "./apps/shop", """\
  postBuild:
    substitute:
      REPLICAS: "5"
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-vars
  namespace: flux-system
data:
  DOMAIN: shop.example.net
  REPLICAS: "1"
""")


def test_flux_post_build_substitution_reaches_the_values(make_repo):
    repo = make_repo({**web_chart(), "apps/shop/release.yaml": SUBSTITUTED,
                      "clusters/production/apps.yaml": FLUX_KUSTOMIZATION})
    [release] = releases(_lint(repo).repo)
    assert release.values.values == {"replicas": 5, "host": "web.shop.example.net", "image": "nginx:1.0.0",
                                     "global": {"team": ""}}


def test_argo_multi_source_ref_value_files(make_repo):
    app = argo_app(argo_source(path="charts/web", helm="valueFiles:\n  - $values/envs/production/shop.yaml\n"),
                   argo_source(ref="values"))
    repo = make_repo({**web_chart(), "argocd/shop.yaml": app, "envs/production/shop.yaml": "replicas: 7\n"},
                     {"repo_urls": ["https://github.com/acme/deploy.git"]})
    [release] = releases(_lint(repo).repo)
    assert release.values.values == {"replicas": 7} and release.release_name == "shop"
    file, position, _secret = release.values.origin(("replicas",))
    assert (file, position.line) == ("envs/production/shop.yaml", 1)


@needs_sdk
def test_image_built_from_values_is_placed_at_the_tag_line(make_repo):
    files = web_chart()
    files["charts/web/templates/deployment.yaml"] = files["charts/web/templates/deployment.yaml"].replace(
        "image: {{ .Values.image }}", 'image: "{{ .Values.registry }}/nginx:{{ .Values.version }}"')
    app = ARGO_APP.replace("        replicas: 5\n        image: nginx:latest\n",
                           "        registry: mirror.example.com\n        version: latest\n")
    repo = make_repo({**files, "charts/web/values-production.yaml": "host: a.example.com\n", "argocd/shop.yaml": app},
                     {"repo_urls": ["https://github.com/acme/deploy.git"], "production": ["production"]})
    [finding] = [f for f in _lint(repo).findings if f.rule == "GL701"]
    assert (finding.path, finding.line) == ("argocd/shop.yaml", 18)  # `version: latest`


REMOTE_RELEASE = flux_release("exporter", "monitoring", "exporter", version="1.2.3",
                              source=("HelmRepository", "vendor-charts", "flux-system"), interval=True)


def test_an_undefined_chart_source_is_said_once_by_the_source_rule(make_repo):
    """One cause, one finding: GL503 reports the HelmRepository that is not defined; GL209 adds nothing."""
    repo = make_repo({"apps/monitoring/exporter.yaml": REMOTE_RELEASE,
                      "apps/monitoring/kustomization.yaml": "resources: [exporter.yaml]\n"})
    rules = [f.rule for f in _lint(repo).findings if f.rule in ("GL209", "GL503")]
    assert rules == ["GL503"]


def test_releases_in_files_nothing_deploys_are_not_judged(make_repo):
    """A HelmRelease whose directory is commented out of its parent kustomization is never installed."""
    repo = make_repo({
        "clusters/prod/flux.yaml": flux_kustomization("apps", "./apps"),
        "apps/kustomization.yaml": "resources:\n  - shop\n  # - monitoring\n",
        "apps/shop/kustomization.yaml": "resources: [release.yaml]\n",
        "apps/shop/release.yaml": REMOTE_RELEASE.replace("exporter", "shop"),
        "apps/monitoring/kustomization.yaml": "resources: [exporter.yaml]\n",
        "apps/monitoring/exporter.yaml": REMOTE_RELEASE,
    })
    found = [f for f in _lint(repo).findings if f.rule in ("GL209", "GL503")]
    assert {f.path for f in found} == {"apps/shop/release.yaml"}, found
