"""Replacements and vars: outputs compared with `kubectl kustomize` on committed fixtures."""

from __future__ import annotations

import pytest
from fixtures.render_patches.support import ROOT, by_id, case_names, docs, expected

from gitops_lint.render.errors import RenderError
from gitops_lint.render.fieldpath import lookup, split_path
from gitops_lint.render.replacements import apply_replacements
from gitops_lint.render.resource import ResId
from gitops_lint.render.vars import apply_vars, expand


def _run(group: str, name: str, apply, key: str):
    case = ROOT / group / name
    base = docs(case / "base.yaml")
    entries = docs(case / "kustomization.yaml")[0][key]
    want = expected(case)
    if want is None:
        with pytest.raises(RenderError):
            apply(base, entries)
        return
    assert by_id(apply(base, entries)) == by_id(want)


@pytest.mark.parametrize("name", case_names("replacements"))
def test_replacements_match_kustomize(name):
    _run("replacements", name, apply_replacements, "replacements")


@pytest.mark.parametrize("name", case_names("vars"))
def test_vars_match_kustomize(name):
    _run("vars", name, apply_vars, "vars")


def test_inputs_not_modified():
    objs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1"}}]
    before = repr(objs)
    out = apply_replacements(
        objs,
        [
            {
                "source": {"kind": "ConfigMap", "fieldPath": "data.x"},
                "targets": [
                    {"select": {"kind": "ConfigMap"}, "fieldPaths": ["data.y"], "options": {"create": True}}
                ],
            }
        ],
    )
    assert repr(objs) == before and out[0]["data"] == {"x": "1", "y": 1}  # a created leaf is untyped


def test_previous_ids_select_renamed_objects():
    objs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p-cm"}, "data": {"x": "1"}}]
    ids = [[ResId("", "v1", "ConfigMap", "cm", ""), ResId("", "v1", "ConfigMap", "p-cm", "")]]
    rule = [
        {
            "source": {"kind": "ConfigMap", "name": "cm", "fieldPath": "data.x"},
            "targets": [{"select": {"name": "cm"}, "fieldPaths": ["data.z"], "options": {"create": True}}],
        }
    ]
    with pytest.raises(RenderError, match="nothing selected"):
        apply_replacements(objs, rule)
    assert apply_replacements(objs, rule, ids=ids)[0]["data"]["z"] == 1


def test_path_splitting():
    assert split_path("a.b.[name=x.y].c") == ["a", "b", "[name=x.y]", "c"]
    assert split_path("metadata.labels.[app.kubernetes.io/name]") == [
        "metadata",
        "labels",
        "app.kubernetes.io/name",
    ]
    assert split_path("data.a\\.b") == ["data", "a.b"]


def test_lookup():
    obj = {"spec": {"c": [{"name": "a", "v": 1}, {"name": "b", "v": 2}]}}
    assert lookup(obj, "spec.c.[name=b].v") == 2
    assert lookup(obj, "spec.c.0.name") == "a"
    assert lookup(obj, "spec.c.-.name") == "b"
    assert lookup(obj, "spec.missing.x") is None


def test_expand():
    values = {"A": "x", "N": 3}
    assert expand("$(A)-$(B)-$$(A)-$(", values) == "x-$(B)-$(A)-$("
    assert expand("$(N)", values) == 3
    assert expand("n=$(N)", values) == "n=3"


def test_validation_errors():
    with pytest.raises(RenderError, match="source and at least one target"):
        apply_replacements([], [{"source": {"kind": "X"}}])
    objs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]
    with pytest.raises(RenderError, match="must specify resources to select"):
        apply_replacements(objs, [{"source": {"kind": "ConfigMap"}, "targets": [{"fieldPaths": ["a"]}]}])


@pytest.mark.parametrize(
    "call",
    [
        lambda: apply_replacements([], None),
        lambda: apply_replacements([], [{"source": {"kind": "X"}, "targets": 3}]),
        lambda: apply_replacements(
            [{"kind": "X", "metadata": {"name": "a"}, "spec": 1}],
            [{"source": {"kind": "X"}, "targets": [{"select": {}, "fieldPaths": "spec", "reject": 1}]}],
        ),
        lambda: apply_replacements(
            [{"kind": "X", "metadata": {"name": "a"}, "spec": [1]}],
            [{"source": {"kind": "X"}, "targets": [{"select": {}, "fieldPaths": ["spec.x", "spec.[a]"]}]}],
        ),
        lambda: apply_vars([], 3),
        lambda: apply_vars([{"kind": "X", "metadata": {"name": "a"}}], [{"name": "A", "objref": 3}]),
    ],
)
def test_hostile_input_raises_render_error_only(call):
    with pytest.raises(RenderError):
        call()
