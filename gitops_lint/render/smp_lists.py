"""List items of a strategic merge as kyaml matches and sets them (ElementMatcher, ElementSetter):
scalar text comparison, lookup by merge-key values, replacement and the key-tuple unification that
kyaml applies to lists merged on several keys (e.g. container ports on `containerPort` + `protocol`).
"""

from __future__ import annotations

from typing import Any

from gitops_lint.render.errors import RenderError

MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()  # no such field / item


def scalar_text(value: Any) -> str:
    """The text kyaml compares for a node: a scalar's value, "" for maps and lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def key_text(value: Any) -> str:
    """A merge-key value as kyaml collects them: null and empty values count as absent ("")."""
    return "" if value is None or value == {} or value == [] else scalar_text(value)



def node_kind(value: Any) -> str:
    """"map", "list" or "scalar", for messages."""
    return "map" if isinstance(value, dict) else "list" if isinstance(value, list) else "scalar"


def is_empty_item(value: Any) -> bool:
    """A list item kyaml drops: null, missing or an empty map."""
    return value is None or value is MISSING or value == {}


def _field_matches(elem: Any, key: str, value: str) -> bool:
    """Does `elem` have `key` (any value when `value` is "")? With key "", compare a scalar itself."""
    if elem is None:
        return False
    if key == "":
        if isinstance(elem, (dict, list)):
            raise RenderError(f"wrong node kind: expected a scalar list item, got {node_kind(elem)}")
        return scalar_text(elem) == value
    if not isinstance(elem, dict):
        raise RenderError(f"wrong node kind: expected a map list item, got {node_kind(elem)}")
    return key in elem and (value == "" or scalar_text(elem[key]) == value)


def find_element(items: Any, keys: list[str], values: list[str]) -> Any:
    """First element matching every key/value exactly (kyaml ElementMatcher); MISSING if none."""
    if not isinstance(items, list):
        return MISSING
    if not keys or keys[0] == "":
        want = values[0] if values else ""
        return next((e for e in items if scalar_text(e) == want), MISSING)
    for elem in items:
        if isinstance(elem, dict) and all(
            k in elem and scalar_text(elem[k]) == v for k, v in zip(keys, values, strict=False)
        ):
            return elem
    return MISSING


def set_element(items: list, element: Any, keys: list[str], values: list[str]) -> None:
    """Replace every element matching keys/values with `element` (delete when MISSING), append if none.
    Null and empty-map elements are dropped on the way, as kyaml does."""
    keys = keys or [""]
    mapping_setter = keys[0] != "" and bool(values) and values[0] != ""
    kept: list = []
    found_any = False
    for elem in items:
        if is_empty_item(elem):
            continue
        if mapping_setter and not isinstance(elem, dict):
            kept.append(elem)
            continue
        matched = False
        for j, key in enumerate(keys):
            if j < len(values):
                matched = _field_matches(elem, key, values[j])
            if not matched:
                break
        if not matched:
            if values:
                kept.append(elem)
            continue
        found_any = True
        if element is not MISSING:
            kept.append(element)
    items[:] = kept
    if element is not MISSING and element is not None and not found_any:
        items.append(element)


def append_list(dst: list, src: list, keys: list[str]) -> list:
    """Set each element of `src` into `dst` by its key values (kyaml appendListNode)."""
    for elem in list(src):
        if keys[0] == "":
            set_element(dst, elem, [""], [scalar_text(elem)])
            continue
        values: list[str] = []
        for key in keys:
            if elem is None or not isinstance(elem, dict) or key not in elem:
                dst.append(elem)
                continue
            values.append(scalar_text(elem[key]))
        if len(keys) > 1:
            set_element(dst, MISSING, keys, values)
        set_element(dst, elem, keys, values)
    return dst


def keys_in_use(values_list: list[list[str]], values: list[str], keys: list[str]) -> tuple[list, list]:
    """Drop the merge keys that no element sets (e.g. `protocol` when no port names one)."""
    present = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not present:
        return keys, values
    return [k for k in keys if k in present], [
        v for i, v in enumerate(values) if v != "" or keys[i] in present
    ]


def merge_values(values_list: list[list[str]]) -> list[list[str]]:
    """Treat key tuples that differ only where one side is empty as the same element."""

    def match(a: list[str], b: list[str]) -> list[str] | None:
        if len(a) != len(b):
            return None
        common, out = False, []
        for x, y in zip(a, b, strict=False):
            if x == y:
                common = True
                out.append(x)
            elif x and y:
                return None
            else:
                out.append(x or y)
        return out if common else None

    for i in range(len(values_list)):
        first = values_list[i]  # read once per row, as Go's range does; later rows see the updates
        for j in range(len(values_list)):
            merged = match(first, values_list[j])
            if merged is not None:
                values_list[i] = merged
                values_list[j] = list(merged)
    return values_list

