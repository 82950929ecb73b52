"""Chart sources and limits not covered elsewhere: a Flux `chartRef` to a HelmChart of this repository,
the example repository's in-repo chart (rendered, not merely clean), a render stopped at the time
limit as a GL209 finding, schema and workload rules on a chart's output per environment, a values
schema violation of a Flux release at its values line, and an unreachable chart repository."""

from __future__ import annotations

from conftest import REPO_ROOT
from gitops_lint.api import lint_path
from gitops_lint.deploy.helm_releases import release_renders
from helm_charts import (
    ChartRepo,
    argo_app,
    argo_source,
    by_kind_name,
    expected_web,
    flux_chart_ref_release,
    loop_chart,
    needs_sdk,
    web_chart,
)

CHART_REF_RELEASE = flux_chart_ref_release("HelmChart", "web", "flux-system", interval=True, spec="""\
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
""")


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


VAULT_APP = argo_app(argo_source(path="charts/vault", helm="valuesObject:\n  password: plain-text-password-1\n"
                                                     "  replicas: 2\n"),
                     name="vault-production", destination="vault")  # the password at line 14


def _vault_chart() -> dict[str, str]:
    p = "charts/vault"
    return {
        f"{p}/Chart.yaml": "apiVersion: v2\nname: vault\nversion: 0.1.0\n",
        f"{p}/templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\n"
                                      "stringData:\n  password: {{ .Values.password }}\n",
        f"{p}/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
            "  replicas: {{ .Values.replicas | quote }}\n  selector:\n    matchLabels: {app: vault}\n"
            "  template:\n    metadata:\n      labels: {app: vault}\n    spec:\n      containers:\n"
            "        - name: vault\n          image: vault:1.15.0\n"),
    }


@needs_sdk
def test_schema_and_workload_rules_judge_the_rendered_chart_per_environment(make_repo):
    repo = make_repo({**_vault_chart(), "argocd/vault.yaml": VAULT_APP},
                     {"repo_urls": ["https://github.com/acme/deploy.git"], "production": ["production"]})
    findings = lint_path(repo).findings
    schema = [f for f in findings if f.rule == "GL304" and "spec.replicas" in f.message]
    workload = [f for f in findings if f.rule == "GL704" and "vault-production" in f.message]
    assert schema and workload, findings
    for finding in (*schema, *workload):
        assert finding.path == "argocd/vault.yaml" and finding.environment == "production"
        assert "(chart vault)" in finding.message or finding.rule == "GL704"
    # the password is caught where it is written (the Application), and never quoted
    assert [f.line for f in findings if f.rule == "GL602"] == [14]
    assert "plain-text-password-1" not in " ".join(f.message for f in findings)


@needs_sdk
def test_a_flux_values_schema_violation_is_placed_at_the_values_line(make_repo):
    release = CHART_REF_RELEASE.replace("    replicas: 4\n", "    image: nginx:1.27.0\n    replicas: 0\n")
    [finding] = [f for f in lint_path(make_repo({**web_chart(), "apps/shop/release.yaml": release})).findings
                 if f.rule == "GL209"]
    assert (finding.path, finding.line) == ("apps/shop/release.yaml", 14) and "/replicas" in finding.message


def test_an_unreachable_chart_repository_is_an_info_finding_not_a_crash(make_repo, tmp_path):
    server = ChartRepo({})
    url = server.url
    server.stop()  # nothing listens there any more
    release = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n"
               f"  namespace: prod\nspec:\n  url: {url}\n---\n" + CHART_REF_RELEASE.split("---\n")[0].replace(
                   "  chartRef:\n    kind: HelmChart\n    name: web\n    namespace: flux-system\n",
                   "  chart:\n    spec:\n      chart: web\n      version: 1.4.0\n      sourceRef:\n"
                   "        kind: HelmRepository\n        name: charts\n"))
    result = lint_path(make_repo({"apps/shop/release.yaml": release}), helm_fetch=True,
                       helm_cache=str(tmp_path / "charts"))
    [finding] = [f for f in result.findings if f.rule == "GL209"]
    assert finding.severity.name == "INFO" and f"cannot fetch {url}/index.yaml" in finding.message
    assert result.fetched == [] and not [f for f in result.findings if f.rule == "GL000"]
