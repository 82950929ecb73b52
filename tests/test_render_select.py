"""Patch target selectors: which objects kustomize patched, compared with `matches` on the same target."""

from __future__ import annotations

import pytest
from fixtures.render_patches.support import ROOT, by_id, case_names, docs, expected

from gitops_lint.render.errors import RenderError
from gitops_lint.render.select import matches, parse_selector, selector_matches

CASES = case_names("select")


def _target(case) -> dict:
    return docs(case / "kustomization.yaml")[0]["patches"][0]["target"]


@pytest.mark.parametrize("name", CASES)
def test_matches_kustomize(name):
    case = ROOT / "select" / name
    base, target, want = docs(case / "base.yaml"), _target(case), expected(case)
    if want is None:
        with pytest.raises(RenderError):
            [matches(obj, target) for obj in base]
        return
    patched = {
        key for key, obj in by_id(want).items() if "patched" in (obj["metadata"].get("annotations") or {})
    }
    chosen = {key for key, obj in by_id(base).items() if matches(obj, target)}
    assert chosen == patched


@pytest.mark.parametrize(
    ("selector", "labels", "result"),
    [
        ("", {}, True),
        ("a=1", {"a": 1}, True),
        ("a", {"a": ""}, True),
        ("!a", {"b": "x"}, True),
        ("a=", {"a": ""}, True),
        ("a!=x", {}, True),
        ("a in (x,y),b notin (z)", {"a": "y", "b": "w"}, True),
        ("a in (x,y),b notin (z)", {"a": "y", "b": "z"}, False),
        ("a<3", {"a": "2"}, True),
        ("a<3", {"a": "two"}, False),
        (" a = x , b ", {"a": "x", "b": "1"}, True),
    ],
)
def test_selector_syntax(selector, labels, result):
    assert selector_matches(selector, labels) is result


@pytest.mark.parametrize("bad", ["a=(x", "a in x", "a in (x", "!a=b", "a,", "a b", "a=b c", "-bad-=x", "a>x"])
def test_invalid_selectors_raise(bad):
    with pytest.raises(RenderError):
        parse_selector(bad)


def test_original_name_and_namespace_also_match():
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p-cm", "namespace": "new"}}
    assert not matches(obj, {"name": "cm"})
    assert matches(obj, {"name": "cm"}, original_name="cm")
    assert matches(obj, {"namespace": "default"}, original_namespace="")
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
    assert matches(namespace, {"kind": "Namespace", "namespace": ""})
    assert not matches(namespace, {"namespace": "default"})  # cluster-scoped: no effective namespace
