"""What kustomize's final JSON round trip does to the objects it prints.

`kustomize build` turns every object into JSON and back before printing it, and rewrites the
top-level `metadata.annotations` as a string map. So: a float with an integral value prints as an
integer (`1e3` is 1000); Inf and NaN fail the build; each annotation value becomes its source text
(`0644` stays "0644", `~` stays "~", an empty value is "") while the object was never patched,
else the JSON text of its value (a patch round-trips the object: `0644` becomes "420"); and empty or
null `annotations` are dropped.
"""

from __future__ import annotations

import math
from typing import Any

from gitops_lint.core.scalars import PLAIN, scalar_value
from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import Resource

_FLOAT_INT_LIMIT = 1e21  # Go's encoding/json prints floats below this without an exponent


def finish(resources: list[Resource]) -> None:
    """Apply the round trip to every resource in place; RenderError for values JSON cannot hold."""
    for res in resources:
        meta = res.data.get("metadata")
        if isinstance(meta, dict) and "annotations" in meta:
            _string_annotations(meta, res.annotation_text)
        res.data = json_values(res.data)


def json_values(value: Any) -> Any:
    """`value` after Go's JSON encoding and YAML decoding: integral floats become ints."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list, float)):
                value[key] = json_values(item)
        return value
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list, float)):
                value[i] = json_values(item)
        return value
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            raise RenderError(f"json: unsupported value: {go_float_text(value)}")
        # JSON writes it without a fraction; read back it is an int where int64/uint64 holds it
        if value == int(value) and -(1 << 63) <= value < (1 << 64) and abs(value) < _FLOAT_INT_LIMIT:
            return int(value)
    return value


def go_float_text(value: float) -> str:
    """A float as Go's encoding/json writes it (`1e+21`, `1.5e-07`, `0.5`, `+Inf`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < _FLOAT_INT_LIMIT:
        return str(int(value))
    if 1e-6 <= abs(value) < _FLOAT_INT_LIMIT:
        return repr(value)
    mantissa, _, exponent = f"{value!r}".partition("e")
    if not exponent:
        mantissa, _, exponent = f"{value:e}".partition("e")
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}e{sign}{int(exponent.lstrip('+-')):02d}"


def annotation_string(value: Any) -> Any:
    """An annotation value as the string kustomize writes for it once the object went through JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return ""  # kustomize reads the text of a map or list node: nothing
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float_text(value)
    return str(value)


def _string_annotations(meta: dict, texts: dict[str, str] | None) -> None:
    annotations = meta["annotations"]
    if not annotations:
        if annotations in (None, {}):
            del meta["annotations"]
        return
    if not isinstance(annotations, dict):
        return
    for key, value in annotations.items():
        text = texts.get(key) if texts else None
        if text is not None and _same(scalar_value(PLAIN, text), value):
            annotations[key] = text
        else:
            annotations[key] = annotation_string(value)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and (a == b or a != a and b != b)  # NaN equals NaN here
