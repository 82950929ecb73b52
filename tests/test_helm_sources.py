"""Chart sources and limits not covered elsewhere: a Flux `chartRef` to a HelmChart of this repository,
the example repository's in-repo chart (rendered, not merely clean), and a render stopped at the time
limit as a GL209 finding."""

from __future__ import annotations

from conftest import REPO_ROOT
from gitops_lint.api import lint_path
from gitops_lint.deploy.helm_releases import release_renders
from helm_charts import by_kind_name, expected_web, loop_chart, needs_sdk, web_chart

CHART_REF_RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: shop
  namespace: prod
spec:
  interval: 10m
  chartRef:
    kind: HelmChart
    name: web
    namespace: flux-system
  values:
    replicas: 4
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: web
  namespace: flux-system
spec:
  interval: 10m
  chart: ./charts/web
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


@needs_sdk
def test_flux_chart_ref_to_a_helm_chart_of_this_repository_renders(make_repo):
    result = lint_path(make_repo({**web_chart(), "apps/shop/release.yaml": CHART_REF_RELEASE}))
    [render] = release_renders(result.repo)
    assert render.release.chart.directory == "charts/web"
    assert by_kind_name(render.objects) == expected_web("shop", "prod", replicas=4)
    assert not [f for f in result.findings if f.rule in ("GL000", "GL209")]


@needs_sdk
def test_the_example_in_repo_chart_is_rendered_and_clean():
    result = lint_path(REPO_ROOT / "examples" / "k8s-manifests")
    [render] = [r for r in release_renders(result.repo) if r.release.label.endswith("status-page")]
    assert render.ok and render.release.release_name == "status-page"
    kinds = {(o.data["kind"], o.data["metadata"]["name"]) for o in render.objects}
    assert {"Deployment", "Service", "ConfigMap"} <= {kind for kind, _ in kinds}
    config = [o.data for o in render.objects if o.data["kind"] == "ConfigMap"]
    assert any("Example Org platform status" in str(c.get("data")) for c in config)  # the valuesObject
    assert result.findings == []


@needs_sdk
def test_a_render_stopped_at_the_time_limit_is_a_finding(make_repo):
    release = CHART_REF_RELEASE.replace("./charts/web", "./charts/loop")
    repo = make_repo({**loop_chart(), "apps/shop/release.yaml": release}, {"helm": {"timeout": 1}})
    [finding] = [f for f in lint_path(repo).findings if f.rule == "GL209"]
    assert finding.severity.name == "ERROR" and "time limit" in finding.message
    assert (finding.path, finding.line) == ("apps/shop/release.yaml", 9)  # the chartRef
