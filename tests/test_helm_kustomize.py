"""kustomize `helmCharts:` inflated in the rendered views, then transformed like any generated resource."""

from __future__ import annotations

from gitops_lint.api import lint_path
from gitops_lint.core.config import Config
from gitops_lint.core.source import WorkingTree
from gitops_lint.model.repository import Repository
from helm_charts import by_kind_name, expected_web, needs_sdk, web_chart

KUSTOMIZATION = """\
namespace: shop
labels:
  - pairs: {owner: web-team}
helmGlobals:
  chartHome: vendor
helmCharts:
  - name: web
    releaseName: front
    namespace: shop
    includeCRDs: %s
    valuesFile: values.yaml
    valuesInline:
      replicas: 4
      image: nginx:1.28.0
    additionalValuesFiles:
      - extra.yaml
"""


def _repo(make_repo, crds: str = "true", values: str = "replicas: 9\nhost: web.example.com\n"):
    return make_repo({**web_chart("apps/web/production/vendor/web"),
                      "apps/web/production/kustomization.yaml": KUSTOMIZATION % crds,
                      "apps/web/production/values.yaml": values,
                      "apps/web/production/extra.yaml": "global:\n  team: green\n"})


def _render(repo_dir):
    repo = Repository.build(WorkingTree(repo_dir), Config())
    return repo.rendered.root("apps/web/production")


@needs_sdk
def test_helm_charts_inflated_with_kustomize_values_order_and_transforms(make_repo):
    root = _render(_repo(make_repo))
    assert root.ok, root.error
    want = expected_web("front", "shop", replicas=4, team="green", image="nginx:1.28.0")
    want[("ConfigMap", "front-web")]["data"]["host"] = "web.example.com"
    for key, data in want.items():  # kustomize's transformers then apply to the chart's output
        data["metadata"].setdefault("labels", {})["owner"] = "web-team"
        if key[0] != "CustomResourceDefinition":
            data["metadata"]["namespace"] = "shop"
    assert by_kind_name(root.objects) == want
    assert {o.source for o in root.objects} == {"apps/web/production/kustomization.yaml"}


@needs_sdk
def test_crds_only_with_include_crds(make_repo):
    root = _render(_repo(make_repo, crds="false"))
    assert "CustomResourceDefinition" not in {o.data["kind"] for o in root.objects}


@needs_sdk
def test_chart_failure_is_a_build_failure_at_the_entry(make_repo):
    result = lint_path(_repo(make_repo, values="broken: true\n"))
    [failed] = [f for f in result.findings if f.rule == "GL205"]
    assert failed.path == "apps/web/production/kustomization.yaml" and failed.line == 7
    assert "broken is set" in failed.message


def test_remote_chart_without_opt_in_is_not_rendered(make_repo):
    repo = make_repo({"apps/web/production/kustomization.yaml": "helmCharts:\n  - name: podinfo\n"
                      "    repo: https://stefanprodan.github.io/podinfo\n    version: 6.5.4\n"})
    root = _render(repo)
    assert root.error is not None and type(root.error).__name__ == "NotRendered"
