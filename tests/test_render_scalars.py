"""kustomize's reading and printing of values, unit by unit (the render fixtures pin the whole builds).

Expected values were measured with `kubectl kustomize` (kustomize v5.5, go-yaml v3 and v2)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gitops_lint.core.findings import Position
from gitops_lint.render import output_values
from gitops_lint.render.errors import RenderError
from gitops_lint.render.kyaml_read import folded_round_trip
from gitops_lint.render.output import go_key_less, to_yaml
from gitops_lint.render.resource import Resource

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    "value, expected",
    [
        # a break before a more-indented line gains a blank line (go-yaml's emitter looks at value[0])
        ("folded line next line\n  more indented\n  more\nback\n", "folded line next line\n\n  more indented\n  more\nback\n"),
        ("has(object.spec) &&\n  object.spec.x == 1\n\n|| false", "has(object.spec) &&\n\n  object.spec.x == 1\n\n|| false"),
        ("keep\n\n", "keep\n\n\n"),  # trailing breaks of a kept scalar
        # a value that starts with a space: breaks between normal lines fold into spaces
        ("  first more\nnormal\nnext\n", "  first more\nnormal next\n"),
        # unchanged: plain folding, a leading blank line, values go-yaml writes quoted (trailing space)
        ("a b\nc\n", "a b\nc\n"), ("\nleading blank x\n", "\nleading blank x\n"), ("x \n  y\n", "x \n  y\n"),
    ],
)
def test_folded_scalars_come_back_as_kustomize_reads_them(value, expected):
    assert folded_round_trip(value) == expected


def test_key_order_is_go_yaml_v2s():
    keys = ["k10", "k2", "k1", "a_b", "aB", "A", "a", "01", "1", "x-1", "x.1", "DB_HOST", "DBA"]
    ordered = sorted(keys, key=__import__("functools").cmp_to_key(
        lambda a, b: -1 if go_key_less(a, b) else int(go_key_less(b, a))))
    assert ordered == ["1", "01", "A", "DB_HOST", "DBA", "a", "a_b", "aB", "k1", "k2", "k10", "x-1", "x.1"]
    assert to_yaml([{"k10": 1, "k2": 2}]) == "k2: 2\nk10: 1\n"


def _res(data: dict, texts: dict | None = None) -> Resource:
    return Resource.new(data, "a.yaml", Position(1, 1), texts)


def test_annotations_print_their_source_text_until_a_patch_round_trips_the_object():
    meta = {"name": "x", "annotations": {"a": 420, "b": None, "c": 1.5, "d": ["x"], "e": True}}
    kept = _res({"metadata": meta}, {"a": "0644", "b": "~", "c": "1.50", "e": "true"})
    patched = _res({"metadata": {"name": "y", "annotations": dict(meta["annotations"])}}, None)
    output_values.finish([kept, patched])
    assert kept.data["metadata"]["annotations"] == {"a": "0644", "b": "~", "c": "1.50", "d": "", "e": "true"}
    assert patched.data["metadata"]["annotations"] == {"a": "420", "b": "null", "c": "1.5", "d": "", "e": "true"}


@pytest.mark.parametrize("annotations", [{}, None])
def test_empty_or_null_annotations_are_dropped(annotations):
    res = _res({"metadata": {"name": "x", "annotations": annotations}, "spec": {"t": {"metadata": {"annotations": {}}}}})
    output_values.finish([res])
    assert res.data == {"metadata": {"name": "x"}, "spec": {"t": {"metadata": {"annotations": {}}}}}


def test_integral_floats_print_as_integers_and_infinity_fails_the_build():
    res = _res({"metadata": {"name": "x"}, "a": 1e3, "b": [2.0, 0.5], "c": 1e21})
    output_values.finish([res])
    assert res.data["a"] == 1000 and type(res.data["a"]) is int and res.data["b"] == [2, 0.5]
    assert output_values.go_float_text(1e21) == "1e+21" and output_values.go_float_text(1.5e-7) == "1.5e-07"
    with pytest.raises(RenderError, match="unsupported value"):
        output_values.finish([_res({"metadata": {"name": "x"}, "a": float("inf")})])


def test_scalar_fuzz_fixture_is_what_the_fuzzer_writes(tmp_path):
    sys.path.insert(0, str(FIXTURES / "render_patches" / "fuzz"))
    import scalars

    case = scalars.write_case(1, 300, tmp_path / "case")
    committed = FIXTURES / "render" / "scalars-fuzz"
    assert (case / "values.yaml").read_text() == (committed / "values.yaml").read_text()
    assert (case / "kustomization.yaml").read_text() == (committed / "kustomization.yaml").read_text()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-01-01", "2024-01-01T00:00:00Z"), ("2024-1-2", "2024-01-02T00:00:00Z"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"), ("2024-01-01 10:20:30", "2024-01-01T10:20:30Z"),
        ("2024-01-01T10:20:30.1234567891Z", "2024-01-01T10:20:30.123456789Z"), ("2024-01-01T10:20:30-00:00", "2024-01-01T10:20:30Z"),
        ("2024-13-01", None), ("2024-02-30", None), ("2024-01-01T25:00:00Z", None), ("2024-01-01 10:20:30 +01:00", None),
        ("2024-01-01T10:20Z", None), ("12024-01-01", None),
    ],
)
def test_timestamps_as_go_writes_them(text, expected):
    from gitops_lint.core.scalars import go_timestamp

    assert go_timestamp(text) == expected


@pytest.mark.parametrize(
    "value, text",
    [(1234567.5, "1.2345675e+06"), (123456.5, "123456.5"), (1e20, "1e+20"), (1e-05, "1e-05"), (0.0001, "0.0001")],
)
def test_floats_print_as_go_yaml_prints_them(value, text):
    from gitops_lint.render.output import go_float

    assert go_float(value) == text


def test_strings_are_quoted_where_go_yaml_would_read_something_else():
    from gitops_lint.render.output import go_reads_as

    assert [go_reads_as(t) for t in ("yes", "0x1F", "1:30", "2024-01-01", "1E400", "=", "<<", "x")] == [
        "bool", "int", "timestamp", "timestamp", "str", "str", "str", "str"]
    assert to_yaml([{"a": "yes", "b": "1E400", "c": "it's long " * 10}]).splitlines()[:2] == ['a: "yes"', "b: 1E400"]
