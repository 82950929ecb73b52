"""RFC 6902 JSON patch: outputs compared with `kubectl kustomize` on committed fixtures."""

from __future__ import annotations

import pytest
from fixtures.render_patches.support import ROOT, case_names, docs, expected

from gitops_lint.render.errors import RenderError
from gitops_lint.render.jsonpatch import apply_json6902, get, parse_pointer

CASES = case_names("jsonpatch")


@pytest.mark.parametrize("name", CASES)
def test_matches_kustomize(name):
    case = ROOT / "jsonpatch" / name
    (base,) = docs(case / "base.yaml")
    (ops,) = docs(case / "patch.yaml")
    want = expected(case)
    if want is None:
        with pytest.raises(RenderError):
            apply_json6902(base, ops)
    else:
        assert [apply_json6902(base, ops)] == want


def test_input_not_modified():
    obj = {"a": {"b": [1, 2]}}
    out = apply_json6902(
        obj, [{"op": "add", "path": "/a/b/-", "value": 3}, {"op": "remove", "path": "/a/b/0"}]
    )
    assert out == {"a": {"b": [2, 3]}} and obj == {"a": {"b": [1, 2]}}


def test_pointer_escaping():
    assert parse_pointer("/a~1b/c~0d/~01") == ["a/b", "c~d", "~1"]
    assert parse_pointer("") == []
    assert get({"a/b": {"~": 1}}, "/a~1b/~0") == 1
    with pytest.raises(RenderError):
        parse_pointer("no-slash")


def test_error_names_operation_and_path():
    with pytest.raises(RenderError, match=r"operation 1 \(add /x/y\)"):
        apply_json6902(
            {}, [{"op": "add", "path": "/a", "value": 1}, {"op": "add", "path": "/x/y", "value": 1}]
        )


def test_test_op_is_type_strict():
    with pytest.raises(RenderError):
        apply_json6902({"a": True}, [{"op": "test", "path": "/a", "value": 1}])
    assert apply_json6902({"a": [1]}, [{"op": "test", "path": "/a", "value": [1]}]) == {"a": [1]}


def test_bad_input_shapes():
    with pytest.raises(RenderError):
        apply_json6902({}, {"op": "add"})
    with pytest.raises(RenderError):
        apply_json6902({}, ["not-a-map"])
    with pytest.raises(RenderError):
        apply_json6902({"a": [1]}, [{"op": "replace", "path": "/a/x", "value": 1}])
