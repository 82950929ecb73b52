"""Strategic merge patch: outputs compared with `kubectl kustomize` on committed fixtures."""

from __future__ import annotations

import pytest
from fixtures.render_patches.support import ROOT, case_names, docs, expected

from gitops_lint.render.errors import RenderError
from gitops_lint.render.smp import apply_strategic_merge
from gitops_lint.render.smp_schema import merge_keys

CASES = case_names("smp")


def _options(case) -> dict:
    kustomization = docs(case / "kustomization.yaml")[0]
    options = kustomization["patches"][0].get("options") or {}
    return {
        "allow_name_change": bool(options.get("allowNameChange")),
        "allow_kind_change": bool(options.get("allowKindChange")),
    }


@pytest.mark.parametrize("name", CASES)
def test_matches_kustomize(name):
    case = ROOT / "smp" / name
    (base,) = docs(case / "base.yaml")
    (patch,) = docs(case / "patch.yaml")
    want = expected(case)
    if want is None:
        with pytest.raises(RenderError):
            apply_strategic_merge(base, patch, **_options(case))
        return
    got = apply_strategic_merge(base, patch, **_options(case))
    assert ([got] if got else []) == want


def test_inputs_are_not_modified():
    case = ROOT / "smp" / "delete-list-item"
    (base,) = docs(case / "base.yaml")
    (patch,) = docs(case / "patch.yaml")
    before = (repr(base), repr(patch))
    apply_strategic_merge(base, patch)
    assert (repr(base), repr(patch)) == before


def test_list_order_patch_items_first():
    base = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
    }
    patch = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c"}, {"name": "b", "image": "b:2"}]},
    }
    got = apply_strategic_merge(base, patch)
    assert [c["name"] for c in got["spec"]["containers"]] == ["c", "b", "a"]
    assert got["spec"]["containers"][1] == {"name": "b", "image": "b:2"}


def test_merge_keys_come_from_bundled_schema():
    assert merge_keys("apps/v1", "Deployment", "spec", "template", "spec", "containers").keys == ("name",)
    ports = merge_keys("v1", "Pod", "spec", "containers", "ports")
    assert ports.keys == ("containerPort", "protocol") and ports.strategy == "merge"
    assert merge_keys("v1", "Pod", "spec", "volumes").strategy == "merge,retainKeys"
    assert merge_keys("v1", "Pod", "spec", "tolerations").strategy == ""
    assert merge_keys("example.com/v1", "Widget", "spec") is None


def test_unknown_directive_is_an_error():
    base = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    patch = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"$patch": "bogus"}}
    with pytest.raises(RenderError, match="unknown patch strategy"):
        apply_strategic_merge(base, patch)


@pytest.mark.parametrize(
    "patch",
    [
        {"kind": "Pod", "spec": [1, 2]},
        {"kind": "Pod", "spec": {"containers": {"name": "x"}}},
        {"kind": "Pod", "spec": {"containers": [{"$patch": 3}]}},
        {"kind": "Pod", "metadata": {"finalizers": [{"a": 1}]}},
    ],
)
def test_hostile_patches_raise_render_error_only(patch):
    base = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "finalizers": ["a"]},
        "spec": {"containers": [{"name": "x"}]},
    }
    with pytest.raises(RenderError):
        apply_strategic_merge(base, {"apiVersion": "v1", **patch})
