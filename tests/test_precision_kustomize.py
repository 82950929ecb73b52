"""Kustomize precision classes from the issue-10 review (regression fixtures shaped like the real cases).

- test fixtures (`util/kustomize/testdata/`, `test/e2e/testdata/`, e2e configs whose inputs a test
  generates) are inputs of tests: no GL201/GL203/GL204 on them, no GL301 on a fixture broken on purpose;
- a configMapGenerator file that does not exist is one finding at its `files` entry (GL201), not a second
  "kustomize build fails" (GL205) at the generator's line;
- the same defects in a deployed kustomization are still reported (recall).
"""

from __future__ import annotations

from gitops_lint.api import lint_path

RULES = ["GL201", "GL203", "GL204", "GL205", "GL301"]


def _repo(make_repo):
    return make_repo({
        # an Argo CD-like source repository: test inputs under testdata/ and test/e2e/
        "util/kustomize/testdata/force_common/kustomization.yaml": (
            "resources:\n  - ./deployment.yaml\ncommonLabels:\n  foo: bar\n"),
        "util/kustomize/testdata/force_common/deployment.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"),
        "test/e2e/testdata/remote-base/kustomization.yaml": (
            "resources:\n  - https://localhost:9443/argo-e2e/testdata.git//guestbook\n"),
        "test/e2e/config/generated/kustomization.yaml": (
            "resources:\n  - ../../../../dep-crds/operator/manifests\n"),
        "reposerver/testdata/app/.argocd-source-broken.yaml": "aloi\nkustomize:\n  images: []\n",
        # the deployed manifests
        "manifests/base/kustomization.yaml": (
            "resources:\n  - https://github.com/example/base//deploy\ncommonLabels:\n  app: demo\n"),
        "manifests/plugin/kustomization.yaml": (
            "configMapGenerator:\n  - name: plugin-config\n    files:\n      - plugin.yaml\n      - generate.sh\n"),
        "manifests/plugin/plugin.yaml": "name: plugin\n",
        "manifests/configmap.yaml": "aloi\nkind: ConfigMap\n",
    })


def _found(make_repo):
    return sorted((f.rule, f.path, f.line) for f in lint_path(_repo(make_repo), select=RULES, jobs=1).findings)


def test_test_fixtures_are_not_judged_as_kustomizations_to_deploy(make_repo):
    paths = {path for _, path, _ in _found(make_repo)}
    assert not any(p.startswith(("util/", "test/", "reposerver/")) for p in paths)


def test_a_missing_generator_file_is_one_finding_at_its_entry(make_repo):
    found = _found(make_repo)
    assert ("GL201", "manifests/plugin/kustomization.yaml", 5) in found
    assert not [f for f in found if f[0] == "GL205"]


def test_the_same_defects_in_deployed_manifests_are_still_reported(make_repo):
    found = _found(make_repo)
    assert ("GL203", "manifests/base/kustomization.yaml", 2) in found
    assert ("GL204", "manifests/base/kustomization.yaml", 3) in found
    assert ("GL301", "manifests/configmap.yaml", 2) in found


def test_a_template_fragment_under_templates_is_not_a_manifest(make_repo):
    """cluster-api's config/metrics/templates/*.yaml: fragments a script concatenates into one config."""
    repo = make_repo({
        "config/metrics/kustomization.yaml": "resources:\n  - crd-metrics-config.yaml\n",
        "config/metrics/crd-metrics-config.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: metrics\ndata:\n  config.yaml: |\n    kind: x\n"),
        "config/metrics/templates/header.yaml": "kind: CustomResourceStateMetrics\nspec:\n  resources:\n",
        "config/metrics/templates/cluster.yaml": "  - groupVersionKind:\n      group: cluster.x-k8s.io\n",
        "config/manifests/incomplete.yaml": "kind: ConfigMap\ndata:\n  a: b\n",
    })
    found = sorted((f.rule, f.path) for f in lint_path(repo, select=["GL303", "GL105", "GL305"], jobs=1).findings)
    assert [f for f in found if "templates/" in f[1]] == []
    assert ("GL303", "config/manifests/incomplete.yaml") in found  # recall: a manifest missing its identity


def test_a_dot_file_is_tool_configuration_not_a_manifest(make_repo):
    """flux2-kustomize-helm-example's `.fluxschema.yml` (a schema plugin's Config) is not a resource."""
    repo = make_repo({
        ".fluxschema.yml": "apiVersion: schema.plugin.fluxcd.io/v1beta1\nkind: Config\nspec:\n  crds: []\n",
        "apps/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    })
    found = sorted((f.rule, f.path) for f in lint_path(repo, select=["GL305", "GL303"], jobs=1).findings)
    assert found == [("GL305", "apps/widget.yaml")]


def test_a_secret_value_of_one_repeated_letter_is_a_placeholder(make_repo):
    """kustomize's transformerconfigs example: `PATH: YmJiYmJiYmIK` is `bbbbbbbb`, a stand-in, not a secret."""
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ndata:\n  {key}: {value}\n"
    repo = make_repo({
        "crd/secret.yaml": secret.format(name="crdsecret", key="PATH", value="YmJiYmJiYmIK"),
        "mysql/secret.yaml": secret.format(name="mysql-pass", key="password", value="YWRtaW4="),  # admin
    })
    found = sorted((f.rule, f.path) for f in lint_path(repo, select=["GL601"], jobs=1).findings)
    assert found == [("GL601", "mysql/secret.yaml")]


def test_a_file_named_invalid_that_nothing_lists_is_an_example_of_an_error(make_repo):
    """kustomize's examples/validationTransformer/{valid,invalid}.yaml: the invalid one is invalid on purpose."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n{data}"
    repo = make_repo({
        "examples/validationTransformer/valid.yaml": cm.format(data="  foo: bar\n"),
        "examples/validationTransformer/invalid.yaml": cm.format(data="- foo: bar\n"),
        "deploy/kustomization.yaml": "resources:\n  - invalid-names.yaml\n",
        "deploy/invalid-names.yaml": cm.format(data="- foo: bar\n"),  # listed: deployed, so judged
    })
    found = sorted((f.rule, f.path) for f in lint_path(repo, select=["GL304"], jobs=1).findings)
    assert found == [("GL304", "deploy/invalid-names.yaml")]
