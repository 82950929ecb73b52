"""The schemas package on its own: version choice, lookup order, CRD conversion, caching, backends."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from gitops_lint.core.loader import load_yaml
from gitops_lint.schemas import SchemaStore, validate_objects
from gitops_lint.schemas.crds import crd_schemas
from gitops_lint.schemas.deprecations import api_status
from gitops_lint.schemas.kubernetes import bundled_versions, resolve_version
from gitops_lint.schemas.validators import jsonschema_rs

FIXTURE = Path(__file__).parent / "fixtures" / "schemas" / "repo"
NEWEST = max(bundled_versions())
OLDEST = min(bundled_versions())


def _docs(path: Path) -> list:
    return [d.data for d in load_yaml(str(path), path.read_bytes()).documents]


def _crds():
    return [("crds/widgets.yaml", d) for d in _docs(FIXTURE / "crds" / "widgets.yaml")]


DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]},
        },
    },
}


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, NEWEST),
        ("1.30", (1, 30)),
        ("v1.30.4", (1, 30)),
        ("1.10", OLDEST),
        ("1.99", NEWEST),
        ("junk", NEWEST),
    ],
)
def test_kubernetes_version_resolution(requested, expected):
    assert resolve_version(requested) == expected


def test_newest_bundled_version_is_the_default():
    assert SchemaStore().kubernetes_label == f"kubernetes {NEWEST[0]}.{NEWEST[1]}"


def test_lookup_order_and_sources():
    store = SchemaStore(crds=_crds())
    assert store.lookup("apps/v1", "Deployment")[1].startswith("kubernetes ")
    assert store.lookup("example.com/v1", "Widget")[1] == "CRD in crds/widgets.yaml"
    assert store.lookup("argoproj.io/v1alpha1", "Application")[1] == "bundled"
    assert store.lookup("example.com/v1alpha1", "Widget") is None  # not served
    assert store.lookup("networking.k8s.io/v1", "Deployment") is None  # same file stem, wrong group
    assert store.lookup("", "Deployment") is None and store.lookup(None, None) is None


def test_identical_objects_are_validated_once():
    store = SchemaStore()
    results = validate_objects([copy.deepcopy(DEPLOYMENT) for _ in range(3)], store)
    assert [r.status for r in results] == ["valid"] * 3
    assert (store.stats.validated, store.stats.reused) == (1, 2)
    changed = copy.deepcopy(DEPLOYMENT)
    changed["spec"]["replicas"] = 3
    store.validate(changed)
    assert store.stats.validated == 2


def test_validate_objects_uses_crds_among_the_rendered_objects():
    crd = _docs(FIXTURE / "crds" / "widgets.yaml")[0]
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": "x"},
    }
    results = validate_objects([crd, widget])
    assert [r.status for r in results] == ["valid", "invalid"]
    assert [p.message for p in results[1].problems] == ["spec.size: expected an integer, got a string"]


def test_unknown_metadata_fields_are_errors_for_custom_resources_too():
    store = SchemaStore(crds=_crds())
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "lables": {}},
        "spec": {"size": 1},
    }
    (problem,) = store.validate(widget).problems
    assert problem.message == "metadata.lables: unknown field; did you mean labels?"
    assert problem.at_key and problem.path == ("metadata", "lables")


def test_v1beta1_crd_with_a_shared_validation_schema():
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1beta1",
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "old.example.com",
            "version": "v1",
            "names": {"kind": "Old"},
            "validation": {
                "openAPIV3Schema": {"properties": {"spec": {"properties": {"a": {"type": "string"}}}}}
            },
        },
    }
    (schema,) = crd_schemas(crd, "old.yaml")
    assert (schema.api_version, schema.kind) == ("old.example.com/v1", "Old")
    store = SchemaStore(crds=[("old.yaml", crd)])
    bad = store.validate(
        {"apiVersion": "old.example.com/v1", "kind": "Old", "metadata": {"name": "o"}, "spec": {"b": 1}}
    )
    assert [p.message for p in bad.problems] == ["spec.b: unknown field"]


@pytest.mark.parametrize(
    "junk",
    [
        None,
        [],
        "text",
        {"kind": "CustomResourceDefinition", "spec": []},
        {"kind": "CustomResourceDefinition", "spec": {"group": 1}},
    ],
)
def test_malformed_crds_are_ignored(junk):
    assert list(crd_schemas(junk)) == []


def test_kustomization_schema_knows_components_and_null_fields():
    store = SchemaStore()
    assert store.validate_kustomization({"resources": None, "components": None}).status == "valid"
    component = {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "patches": [{"path": "p.yaml"}],
    }
    assert store.validate_kustomization(component).status == "valid"
    bad = store.validate_kustomization({"replicas": [{"name": "web", "count": "3"}]})
    assert [p.message for p in bad.problems] == ["replicas[0].count: expected an integer, got a string"]


def test_deprecation_table_windows():
    assert api_status("batch/v1beta1", "CronJob", (1, 20)) is None
    assert api_status("batch/v1beta1", "CronJob", (1, 21)).removed is False
    assert api_status("batch/v1beta1", "CronJob", (1, 25)).removed is True
    assert api_status("batch/v1", "CronJob", (1, 37)) is None
    psp = api_status("policy/v1beta1", "PodSecurityPolicy", (1, 25))
    assert psp.message("PodSecurityPolicy", (1, 25)) == (
        "policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25 (target 1.25); "
        "migrate to Pod Security Admission (no replacement API exists)"
    )
    assert (
        api_status("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 27)).entry.replacement
        == "storage.k8s.io/v1"
    )
    assert api_status("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 26)).removed


def _verdict_cases() -> list[tuple[dict, dict]]:
    """(object, schema) pairs: fixture documents, the bundled examples and mutations of them."""
    store = SchemaStore(crds=_crds())
    docs = [
        d for p in sorted(FIXTURE.parent.rglob("*.yaml")) if p.name != "kustomization.yaml" for d in _docs(p)
    ]
    docs.append(DEPLOYMENT)
    cases = []
    for doc in docs:
        found = store.lookup(doc.get("apiVersion"), doc.get("kind"))
        if found is None:
            continue
        cases.append((doc, found[0]))
        for mutation in (_add_field, _retype_first_leaf, _drop_spec):
            cases.append((mutation(copy.deepcopy(doc)), found[0]))
    return cases


def _add_field(doc):
    if isinstance(doc.get("spec"), dict):
        doc["spec"]["unexpected"] = 1
    return doc


def _retype_first_leaf(doc):
    node = doc.get("spec")
    while isinstance(node, dict) and node:
        key = next(iter(node))
        if not isinstance(node[key], (dict, list)):
            node[key] = [node[key]]
            break
        node = node[key]
    return doc


def _drop_spec(doc):
    doc.pop("spec", None)
    return doc


@pytest.mark.skipif(jsonschema_rs is None, reason="jsonschema-rs not installed")
def test_backends_give_identical_verdicts():
    fast, slow = (
        SchemaStore(crds=_crds(), backend="jsonschema-rs"),
        SchemaStore(crds=_crds(), backend="jsonschema"),
    )
    cases = _verdict_cases()
    assert len(cases) > 40
    verdicts = []
    for obj, schema in cases:
        a = fast.validators.compile(schema).is_valid(obj)
        b = slow.validators.compile(schema).is_valid(obj)
        assert a == b, obj
        verdicts.append(a)
    assert True in verdicts and False in verdicts
    assert [r.problems for r in validate_objects([c[0] for c in cases], fast)] == [
        r.problems for r in validate_objects([c[0] for c in cases], slow)
    ]


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown schema backend"):
        SchemaStore(backend="nope")


def test_broken_schemas_become_problems_not_crashes(tmp_path):
    (tmp_path / "x.io").mkdir()
    (tmp_path / "x.io" / "broken_v1.json").write_text("{not json")
    (tmp_path / "x.io" / "badregex_v1.json").write_text(
        '{"properties": {"a": {"type": "string", "pattern": "["}}}'
    )
    for backend in ("jsonschema", *(["jsonschema-rs"] if jsonschema_rs else [])):
        store = SchemaStore(schema_dirs=[tmp_path], backend=backend)
        broken = store.validate({"apiVersion": "x.io/v1", "kind": "Broken", "metadata": {"name": "b"}})
        assert broken.status == "invalid" and broken.problems[0].message.startswith(
            "its schema cannot be used: "
        )
        assert store.has_schema("x.io/v1", "Broken")
        bad = store.validate({"apiVersion": "x.io/v1", "kind": "BadRegex", "a": "text"})
        assert bad.status == "invalid" and "cannot be used" in bad.problems[0].message


def test_null_int_or_string_and_quantity_mean_not_set():
    store = SchemaStore()
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "targetPort": None}]},
    }
    assert store.validate(service).status == "valid"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": None, "memory": "1Gi"}}}]},
    }
    assert store.validate(pod).status == "valid"
    pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] = [1]
    assert [p.message for p in store.validate(pod).problems] == [
        "spec.containers[0].resources.limits.cpu: expected a string or a number, got a list"
    ]


BUNDLED_EXAMPLES = [
    (path.name, i, doc)
    for path in sorted((FIXTURE.parent / "bundled").glob("*.yaml"))
    for i, doc in enumerate(_docs(path))
]


@pytest.mark.parametrize(
    ("name", "index", "doc"), BUNDLED_EXAMPLES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bundled_schemas_accept_documented_usage_and_reject_a_stray_spec_field(name, index, doc):
    store = SchemaStore()
    assert store.lookup(doc["apiVersion"], doc["kind"])[1] == "bundled"
    assert store.validate(doc).problems == ()
    typo = copy.deepcopy(doc)
    typo["spec"]["intervall"] = "5m"
    (problem,) = store.validate(typo).problems
    assert problem.message.startswith("spec.intervall: unknown field")


def test_every_bundled_kind_has_an_example():
    kinds = {(d["apiVersion"].split("/")[0], d["kind"]) for _, _, d in BUNDLED_EXAMPLES}
    expected = {("argoproj.io", k) for k in ("Application", "ApplicationSet", "AppProject", "Rollout")} | {
        ("source.toolkit.fluxcd.io", "OCIRepository"),
        ("source.toolkit.fluxcd.io", "HelmRepository"),
        ("helm.toolkit.fluxcd.io", "HelmRelease"),
        ("kustomize.toolkit.fluxcd.io", "Kustomization"),
        ("notification.toolkit.fluxcd.io", "Alert"),
        ("notification.toolkit.fluxcd.io", "Provider"),
        ("bitnami.com", "SealedSecret"),
        ("external-secrets.io", "ExternalSecret"),
    }
    assert expected <= kinds


def test_kubernetes_version_decides_which_kinds_exist():
    kind = ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")  # GA in 1.30
    assert SchemaStore("1.29").lookup(*kind) is None
    assert SchemaStore("1.30").lookup(*kind)[1] == "kubernetes 1.30"


def test_kustomize_matches_field_names_case_insensitively_like_go():
    store = SchemaStore()
    assert store.validate_kustomization({"Resources": ["a.yaml"], "namePREFIX": "x-"}).status == "valid"
    bad = store.validate_kustomization({"Resources": ["a.yaml"], "resorces": ["b.yaml"]})
    assert [p.message for p in bad.problems] == ["resorces: unknown field; did you mean resources?"]


def test_a_crd_in_the_repo_wins_over_the_bundled_schema_and_schema_dirs_win_over_all(tmp_path):
    crd = {
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "argoproj.io",
            "names": {"kind": "Application"},
            "versions": [
                {"name": "v1alpha1", "served": True, "schema": {"openAPIV3Schema": {"type": "object"}}}
            ],
        },
    }
    store = SchemaStore(crds=[("argo/crds.yaml", crd)])
    assert store.lookup("argoproj.io/v1alpha1", "Application")[1] == "CRD in argo/crds.yaml"
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "deployment_v1.json").write_text("{}")
    store = SchemaStore(schema_dirs=[tmp_path], crds=[("argo/crds.yaml", crd)])
    assert store.lookup("apps/v1", "Deployment")[1] == f"schema_dirs:{tmp_path}"


def test_crd_patterns_python_cannot_run_are_skipped_not_reported():
    crd = {
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "re.example.com",
            "names": {"kind": "R"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {
                                        "odd": {"type": "string", "pattern": "^(?<unclosed"},
                                        "ok": {"type": "string", "pattern": "^[a-z]+$"},
                                    },
                                }
                            },
                        }
                    },
                }
            ],
        },
    }
    store = SchemaStore(crds=[("r.yaml", crd)])
    obj = {
        "apiVersion": "re.example.com/v1",
        "kind": "R",
        "metadata": {"name": "r"},
        "spec": {"odd": "x", "ok": "A"},
    }
    assert [p.message for p in store.validate(obj).problems] == [
        "spec.ok: does not match the pattern ^[a-z]+$"
    ]


def test_valid_resources_are_judged_without_importing_the_pure_python_validator():
    """With jsonschema-rs, a run whose resources are all valid never imports jsonschema (40 ms of every
    `check FILE`); the first invalid resource imports it for the detailed errors, which are the same."""
    pytest.importorskip("jsonschema_rs")
    probe = """
import sys
from gitops_lint.schemas import SchemaStore
store = SchemaStore(backend="jsonschema-rs")
good = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"a": "b"}}
bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"a": 1}}
assert store.validate(good).ok
print("jsonschema" in sys.modules)
print([p.message for p in store.validate(bad).problems])
print("jsonschema" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    before, problems, after = done.stdout.splitlines()
    assert (before, after) == ("False", "True")
    assert "data.a" in problems and "string" in problems
