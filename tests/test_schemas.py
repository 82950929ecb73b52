"""GL304/GL305/GL306 on a fixture repository: what is reported, where, and what is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_lint.api import lint_path

FIXTURE = Path(__file__).parent / "fixtures" / "schemas" / "repo"
RULES = ("GL304", "GL305", "GL306")


def _findings(root, **kwargs):
    result = lint_path(root, select=(*RULES, "GL000"), jobs=1, **kwargs)
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return result.findings


@pytest.fixture(scope="module")
def findings():
    return {(f.rule, f.path, f.line, f.column, f.message, str(f.severity)) for f in _findings(FIXTURE)}


def _messages(findings, path):
    return {(rule, line, col, message) for rule, p, line, col, message, _ in findings if p == path}


def test_unknown_field_points_at_the_key_and_suggests_the_right_name(findings):
    assert (
        "GL304",
        7,
        3,
        "Deployment/web: spec.replica: unknown field; did you mean replicas?",
    ) in _messages(findings, "apps/web/deployment.yaml")


def test_wrong_type_points_at_the_value(findings):
    expected = (
        "GL304",
        18,
        30,
        "Deployment/web: spec.template.spec.containers[0].ports[0].containerPort: expected an integer, got a string",
    )
    assert expected in _messages(findings, "apps/web/deployment.yaml")


def test_missing_required_field_points_at_the_parent_key(findings):
    assert ("GL304", 37, 1, "Widget/no-size: spec: missing required field 'size'") in _messages(
        findings, "apps/web/widgets.yaml"
    )


def test_int_or_string_accepts_both_and_rejects_a_list(findings):
    assert not _messages(findings, "apps/web/service.yaml")  # targetPort: http and targetPort: 9090
    widget = _messages(findings, "apps/web/widgets.yaml")
    assert ("GL304", 26, 9, "Widget/bad: spec.port: expected an integer or a string, got a list") in widget
    assert not [m for m in widget if "Widget/good" in m[3]]


def test_custom_resource_is_validated_by_the_crd_in_the_repo(findings):
    widget = {m[3] for m in _messages(findings, "apps/web/widgets.yaml")}
    assert widget == {
        "Widget/bad: spec.size: must be at least 1",
        "Widget/bad: spec.port: expected an integer or a string, got a list",
        "Widget/bad: spec.colour: unknown field; did you mean color?",
        "Widget/bad: spec.template: missing required field 'apiVersion'",
        "Widget/bad: spec.template: missing required field 'kind'",
        "Widget/bad: spec.labels.team: expected a string, got an integer",
        "Widget/no-size: spec: missing required field 'size'",
    }  # Widget/good: preserve-unknown-fields, nullable enum, embedded resource all accepted


def test_custom_resources_with_bundled_schemas(findings):
    assert _messages(findings, "argocd/web.yaml") == {
        (
            "GL304",
            18,
            7,
            "Application/argocd/web: spec.syncPolicy.automated.selfheal: unknown field; did you mean selfHeal?",
        )
    }
    flux = _messages(findings, "flux/web.yaml")
    # ${VAR} post-build substitutions are not type errors; a real one is
    assert flux == {
        (
            "GL304",
            44,
            12,
            "GitRepository/flux-system/flux-system: spec.timeout: expected a string, got an integer",
        )
    }


def test_kind_without_schema_is_listed_once_with_a_count(findings):
    unknown = [f for f in findings if f[0] == "GL305"]
    assert len(unknown) == 1
    rule, path, line, _, message, severity = unknown[0]
    assert (path, line, severity) == ("apps/web/gadgets.yaml", 2, "info")
    assert message.startswith("no schema for gadgets.example.com/v1 Gadget (2 resources, first Gadget/one)")


def test_removed_api_is_an_error_and_names_the_replacement(findings):
    legacy = {(f[2], f[4], f[5]) for f in findings if f[0] == "GL306"}
    assert (
        1,
        "Ingress/web: extensions/v1beta1 Ingress was removed in Kubernetes 1.22 (target 1.37); use networking.k8s.io/v1",
        "error",
    ) in legacy
    # a removed API is reported by GL306, not again as an unknown kind
    assert not [f for f in findings if f[0] == "GL305" and f[1] == "apps/web/legacy.yaml"]


def test_deprecated_api_is_a_warning_in_an_older_target(make_repo):
    repo = make_repo(
        {
            "flow.yaml": (FIXTURE / "apps/web/legacy.yaml").read_text(),
            "cron.yaml": "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly}\n",
        },
        config={"kubernetes_version": "1.30"},
    )
    found = {(f.path, str(f.severity), f.message) for f in _findings(repo) if f.rule == "GL306"}
    assert (
        "flow.yaml",
        "warning",
        "FlowSchema/web: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated since Kubernetes 1.29, "
        "removal in 1.32; use flowcontrol.apiserver.k8s.io/v1",
    ) in found
    assert ("cron.yaml", "error") in {(p, s) for p, s, _ in found}


def test_kustomization_typo_is_reported_against_the_kustomization_schema(findings):
    assert _messages(findings, "apps/web/kustomization.yaml") == {
        (
            "GL304",
            3,
            1,
            "kustomization: resouces: unknown field; did you mean resources?",
        )
    }
    assert not _messages(findings, "apps/web/overlay/kustomization.yaml")


def test_patch_files_are_not_validated_as_objects(findings):
    assert not _messages(findings, "apps/web/overlay/replicas.yaml")


def test_schema_dirs_supply_schemas_for_unknown_kinds(make_repo):
    repo = make_repo(
        "apiVersion: gadgets.example.com/v1\nkind: Gadget\nmetadata: {name: one}\nspec: {sise: 1}\n",
        config={"schema_dirs": ["schemas"]},
    )
    schemas = repo / "schemas" / "gadgets.example.com"
    schemas.mkdir(parents=True)
    (schemas / "gadget_v1.json").write_text(
        '{"type": "object", "properties": {"apiVersion": {}, "kind": {}, "metadata": {},'
        ' "spec": {"type": "object", "properties": {"size": {"type": "integer"}}, "additionalProperties": false}},'
        ' "additionalProperties": false}'
    )
    found = [(f.rule, f.line, f.message) for f in _findings(repo)]
    assert found == [("GL304", 4, "Gadget/one: spec.sise: unknown field; did you mean size?")]


def test_secret_values_never_appear_in_messages(make_repo):
    repo = make_repo(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: [hunter2secret]\n"
    )
    found = _findings(repo)
    assert [f.message for f in found] == ["Secret/s: stringData.password: expected a string, got a list"]
    assert all("hunter2" not in f.message for f in found)


def test_kustomization_files_are_never_kubernetes_objects(make_repo):
    repo = make_repo(
        {"kustomization.yaml": "resources: []\nnamePrefix: a-\n", "Kustomization": "resources: []\n"}
    )
    assert not _findings(repo)


RENDERED_REPO = {
    "app/base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "app/base/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replica: 1\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
    ),
    "app/overlays/production/kustomization.yaml": "resources: [../../base]\nnamespace: prod\npatches:\n  - path: patch.yaml\n",
    "app/overlays/staging/kustomization.yaml": "resources: [../../base]\nnamespace: staging\n",
    "app/overlays/production/patch.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  paused: 'yes'\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n          resources:\n"
        "            limit: {cpu: 1}\n"
    ),
}


def test_rendered_output_errors_point_at_the_patch_and_base_errors_are_reported_once(make_repo):
    pytest.importorskip("gitops_lint.model.rendered_views")
    found = sorted(
        (f.path, f.line, f.column, f.message, f.environment) for f in _findings(make_repo(RENDERED_REPO))
    )
    assert found == [
        (
            "app/base/deployment.yaml",
            6,
            3,
            "Deployment/web: spec.replica: unknown field; did you mean replicas?",
            None,
        ),
        (
            "app/overlays/production/patch.yaml",
            6,
            11,
            "Deployment/prod/web: spec.paused: expected a boolean, got a string (in the build of app/overlays/production)",
            "production",
        ),
        (
            "app/overlays/production/patch.yaml",
            12,
            13,
            "Deployment/prod/web: spec.template.spec.containers[0].resources.limit: unknown field; did you mean "
            "limits? (in the build of app/overlays/production)",
            "production",
        ),
    ]


def test_rendered_validation_can_be_switched_off(make_repo):
    repo = make_repo(RENDERED_REPO, config={"rules": {"GL304": {"options": {"rendered": False}}}})
    assert [f.path for f in _findings(repo)] == ["app/base/deployment.yaml"]


def test_items_of_a_list_are_validated_one_by_one(make_repo):
    repo = make_repo(
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n"
        "    dataa: {}\n  - apiVersion: example.com/v1\n    kind: Thing\n    metadata: {name: t}\n"
    )
    found = sorted((f.rule, f.line, f.column, f.message) for f in _findings(repo))
    assert found == [
        ("GL304", 7, 5, "ConfigMap/a: dataa: unknown field; did you mean data?"),
        (
            "GL305",
            9,
            11,
            "no schema for example.com/v1 Thing (1 resource, first Thing/t); "
            "add its CRD to the repository or its schema to schema_dirs",
        ),
    ]


def test_fields_that_the_build_adds_are_judged_on_the_build(make_repo):
    files = {
        "app/kustomization.yaml": "resources: [deployment.yaml]\ncommonLabels: {app: web}\n",
        "app/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
        ),
    }
    pytest.importorskip("gitops_lint.model.rendered_views")
    assert not _findings(make_repo(files))  # commonLabels adds spec.selector
    files["app/kustomization.yaml"] = "resources: [deployment.yaml]\n"
    assert [(f.path, f.line, f.message) for f in _findings(make_repo(files))] == [
        (
            "app/deployment.yaml",
            5,
            "Deployment/web: spec: missing required field 'selector' (in the build of app)",
        )
    ]


def test_a_base_shared_by_three_unchanged_overlays_is_validated_once(make_repo):
    pytest.importorskip("gitops_lint.model.rendered_views")
    from gitops_lint.api import resolve_config
    from gitops_lint.checks.schemas import k8s_schema, schema_store
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.lint.cards import builtin_card
    from gitops_lint.lint.engine import CheckContext
    from gitops_lint.model.repository import Repository

    files = {
        "app/base/kustomization.yaml": "resources: [service.yaml]\n",
        "app/base/service.yaml": (FIXTURE / "apps/web/service.yaml").read_text(),
        **{
            f"app/overlays/{env}/kustomization.yaml": "resources: [../../base]\n"
            for env in ("dev", "stage", "prod")
        },
    }
    root = make_repo(files)
    repo = Repository.build(WorkingTree(root), resolve_config(root, None), jobs=1)
    card = builtin_card("GL304")
    assert list(k8s_schema(CheckContext(repo, card, card.options_for({"rendered": True})))) == []
    assert len([r for r in repo.rendered.deployed_roots() if r.ok]) == 3
    stats = schema_store(repo).stats
    # validated: the Service, the base kustomization, the (identical) overlay kustomizations once;
    # reused: two overlay kustomizations and the Service in each of the three builds
    assert (stats.validated, stats.reused) == (3, 5)


@pytest.mark.parametrize(
    "api_version, unknown",
    [
        ("kustomize.config.k8s.io/v1alpha1", False),  # kustomize's own configuration: never a resource
        ("builtin", False),  # a built-in generator or transformer config
        ("kustomize.config.k8s.io.example.com/v1", True),  # only the group itself is kustomize's
        ("gadgets.example.com/v1", True),
    ],
)
def test_kustomize_configs_are_not_resources_without_a_schema(make_repo, api_version, unknown):
    repo = make_repo(f"apiVersion: {api_version}\nkind: Gadget\nmetadata:\n  name: one\n")
    assert [f.rule for f in _findings(repo) if f.rule == "GL305"] == (["GL305"] if unknown else [])


def test_kustomizations_under_any_name_are_validated_against_kustomize(make_repo):
    typo = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: {kind}\nresouces: []\n"
    files = {
        "a/kustomization.yaml": "resouces: []\n",
        "b/kustomization.yml": "resouces: []\n",
        "c/Kustomization": "resouces: []\n",
        "d/generators.yaml": typo.format(kind="Kustomization"),  # not a kustomization file name
        "e/component.yaml": typo.format(kind="Component").replace("v1beta1", "v1alpha1"),
        "f/other.yaml": typo.format(kind="Other"),  # kustomize config, no kustomization: neither checked
        "g/my-kustomization.yaml": "resouces: []\n",  # plain YAML that is no kustomization
    }
    found = sorted((f.path, f.message.split(":")[0]) for f in _findings(make_repo(files)) if f.rule == "GL304")
    assert found == [("a/kustomization.yaml", "kustomization"), ("b/kustomization.yml", "kustomization"),
                     ("c/Kustomization", "kustomization"), ("d/generators.yaml", "kustomization"),
                     ("e/component.yaml", "component")]
