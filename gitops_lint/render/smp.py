"""Strategic merge patch as kustomize v5 applies it (kyaml `merge2` with list items prepended).

The walk mirrors kyaml's: maps merge key by key (a `null` in the patch deletes), lists whose schema says
`x-kubernetes-patch-strategy: merge` merge element by element on their merge keys (`list-map-keys` when
present, else `patch-merge-key`), every other list is replaced by the patch's. Items only in the patch
come first, in patch order, then the base's. `$patch: delete|replace|merge` work on maps, list items and
(as a lone `{$patch: ...}` item) on whole lists. Like kustomize, `$retainKeys`, `$setElementOrder/...` and
`$deleteFromPrimitiveList/...` are NOT interpreted: they are ordinary keys and stay in the output.

kyaml's quirks are reproduced because real builds depend on them: keyed lists of the base are re-merged
even where the patch is silent (duplicates collapse, items without their key vanish); ports whose
`protocol` is set on one side only are unified oddly; `$patch: replace` on one list item is a no-op; a
patched value takes the quoting of the base scalar it replaces (`"1"` patched with `true` -> "true").

Merge keys come from smp_schema.py; list items are matched and set as in smp_lists.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeGuard

from gitops_lint.core.datapath import as_dict
from gitops_lint.core.scalars import PLAIN, scalar_value
from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import copy_data
from gitops_lint.render.smp_lists import (
    MISSING,
    append_list,
    find_element,
    is_empty_item,
    key_text,
    keys_in_use,
    merge_values,
    node_kind,
    scalar_text,
    set_element,
)
from gitops_lint.render.smp_schema import Prop, element_prop, field_prop, meta_schema, plain_definitions

_DIRECTIVE = "$patch"


def _scalar(text: str) -> Any:
    """A scalar kyaml writes from text (untagged, plain): it reads back typed, `80` as an int."""
    return scalar_value(PLAIN, text)


_PLAIN_UNSAFE = re.compile(r"^[,\[\]{}#&*!|>'\"%@`\s]|^[-?:](\s|$)|\s$|: | #|\n")


def _quoted(text: str) -> bool:
    """Must this string have been written quoted (or as a block) in YAML? Then kyaml's field setter
    keeps that style for a replacing value, which turns a patched `true` or `5` into a string."""
    return text == "" or bool(_PLAIN_UNSAFE.search(text)) or not isinstance(scalar_value(PLAIN, text), str)



# --- the walk ---------------------------------------------------------------------------------------


def _directive(patch: Any) -> str:
    """The `$patch` directive of a map (removed from it), or "merge"."""
    if not isinstance(patch, dict) or _DIRECTIVE not in patch:
        return "merge"
    value = _known_directive(patch[_DIRECTIVE])
    del patch[_DIRECTIVE]
    return value


def _list_directive(patch: list) -> str:
    """The directive of a list: a lone `{$patch: ...}` item (removed from it), else "merge"."""
    item = next((e for e in patch if isinstance(e, dict) and _DIRECTIVE in e), None)
    if item is None or len(item) > 1:
        return "merge"
    value = _known_directive(item[_DIRECTIVE])
    set_element(patch, MISSING, [_DIRECTIVE], [value])
    return value


def _known_directive(node: Any) -> str:
    value = scalar_text(node)
    if value not in ("delete", "replace", "merge"):
        raise RenderError(f"unknown patch strategy '{value}'")
    return value


def _merge_base(dest: Any, origin: Any, directive_of: Callable[[Any], str], new_field_directive: bool) -> Any:
    """What the patch side `origin` (present) merges into: `dest`, the patch itself (a new field or
    `$patch: replace`), or MISSING (`null` or `$patch: delete`). kyaml reads a new field's directive
    for maps only (`new_field_directive`): a new list keeps its `{$patch: ...}` item."""
    if dest is None or dest is MISSING:
        return MISSING if new_field_directive and directive_of(origin) == "delete" else origin
    if origin is None:
        return MISSING
    directive = directive_of(origin)
    return MISSING if directive == "delete" else origin if directive == "replace" else dest


def _walk(dest: Any, origin: Any, prop: Prop | None, path: tuple) -> Any:
    """Merge `origin` (patch side) into `dest`; returns the new value, or MISSING to remove the field.
    Where the patch says nothing (`origin` is MISSING) maps are still walked and merge-keyed lists
    re-merged with themselves, as kyaml does: that dedupes them (and drops items without a key)."""
    if prop is None:
        prop = meta_schema(dest, origin)
    if origin is MISSING:
        if isinstance(dest, dict):
            if prop is not None and prop.target in plain_definitions():
                return dest
            return _walk_map(dest, origin, prop, path)
        if isinstance(dest, list) and _associative(prop):
            return _walk_associative(dest, origin, prop, path)
        return dest
    present = [v for v in (dest, origin) if v is not None and v is not MISSING]
    if not present:
        return MISSING
    kind = node_kind(present[0])
    for value in present[1:]:
        if node_kind(value) != kind:
            where = ".".join(str(p) for p in path) or "<root>"
            raise RenderError(
                f"wrong node kind at {where}: expected {kind} but the patch has a {node_kind(value)}"
            )
    if kind == "map":
        return _walk_map(dest, origin, prop, path)
    if kind == "list" and _associative(prop):
        return _walk_associative(dest, origin, prop, path)
    return MISSING if origin is None else origin


def _associative(prop: Prop | None) -> TypeGuard[Prop]:
    return prop is not None and "merge" in prop.strategy.split(",")


def _walk_map(dest: Any, origin: Any, prop: Prop | None, path: tuple) -> Any:
    if origin is not MISSING:
        dest = _merge_base(dest, origin, _directive, new_field_directive=True)
        if dest is MISSING:
            return MISSING
    if origin is MISSING:  # the patch is silent here: only keyed lists below can change
        plain = plain_definitions()
        for key, old in list(dest.items()):
            if isinstance(old, (dict, list)):
                child = field_prop(prop, key)
                if child is not None and not child.strategy and child.target in plain:
                    continue
                value = _walk(old, MISSING, child, (*path, key))
                if value is MISSING:
                    del dest[key]
                elif value is not old:
                    dest[key] = value
        return dest
    # existing keys keep their place; new ones are appended in sorted order, as kyaml does
    keys = [k for k in dest if k in origin or isinstance(dest[k], (dict, list))]
    keys += sorted((k for k in origin if k not in dest), key=str)
    for key in keys:
        in_patch = key in origin
        old = dest.get(key, MISSING)
        value = _walk(old, origin.get(key, MISSING), field_prop(prop, key), (*path, key))
        if value is MISSING or (value is None and in_patch):
            dest.pop(key, None)
            continue
        if isinstance(old, str) and isinstance(value, (bool, int, float)) and _quoted(old):
            value = scalar_text(value)
        dest[key] = value
    return dest


def _walk_associative(dest: Any, origin: Any, prop: Prop, path: tuple) -> Any:
    if origin is MISSING:
        if _tidy(dest, prop.keys):  # re-merging it with itself would change nothing but its items
            element = element_prop(prop)
            for i, item in enumerate(dest):
                if isinstance(item, (dict, list)):
                    dest[i] = _walk(item, MISSING, element, (*path, i))
            return dest
    else:
        dest = _merge_base(dest, origin, _list_directive, new_field_directive=False)
        if dest is MISSING:
            return MISSING
    keys = list(prop.keys)
    values_list: list[list[str]] = []
    sources = [dest] if origin is MISSING else [origin, dest]  # the patch's items first: kustomize prepends
    for source in sources:
        for elem in source:
            values = [key_text(elem.get(k)) if isinstance(elem, dict) else "" for k in keys]
            if values and values not in values_list:
                values_list.append(values)
    if not values_list and not keys:  # a list of scalars, e.g. finalizers
        keys = [""]
        for source in sources:
            for elem in source:
                if [scalar_text(elem)] not in values_list:
                    values_list.append([scalar_text(elem)])
    return _set_elements(dest, origin, values_list, keys, prop, path)


def _tidy(items: list, keys: tuple[str, ...]) -> bool:
    """Is this list a fixed point of kyaml's self-merge? Unique non-null scalars, or maps that all
    carry a unique key tuple where each merge key is set on every item or on none."""
    if not keys:
        texts = {scalar_text(e) for e in items if e is not None and not isinstance(e, (dict, list))}
        return len(texts) == len(items)
    tuples = set()
    for item in items:
        if not isinstance(item, dict) or not item:
            return False
        tuples.add(tuple(key_text(item.get(k)) for k in keys))
    if len(tuples) != len(items):
        return False
    columns = [{t[i] == "" for t in tuples} for i in range(len(keys))]
    return all(len(c) == 1 for c in columns) and columns[0] == {False} if items else True


def _set_elements(dest: list, origin: list, values_list: list, keys: list, prop: Prop, path: tuple) -> Any:
    items: list = []
    if len(keys) > 1:
        values_list = merge_values(values_list)
    valid_keys, valid_values = keys, list[Any]()
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = keys_in_use(values_list, values, keys)
        lookup_keys, lookup_values = keys_in_use([valid_values], valid_values, valid_keys)
        value = _walk(
            find_element(dest, lookup_keys, lookup_values),
            find_element(origin, lookup_keys, lookup_values),
            element_prop(prop),
            (*path, "[" + ",".join(f"{k}={v}" for k, v in zip(valid_keys, valid_values, strict=False)) + "]"),
        )
        if is_empty_item(value):
            set_element(dest, MISSING, valid_keys, valid_values)
            continue
        for key, text in zip(valid_keys, valid_values, strict=False):
            if isinstance(value, dict) and key not in value and text != "":
                value[key] = _scalar(text)
        set_element(items, value, valid_keys, valid_values)
    if not values_list:
        return dest
    return append_list(items, dest, valid_keys)


def apply_strategic_merge(
    base: dict, patch: dict, *, allow_name_change: bool = False, allow_kind_change: bool = False
) -> dict:
    """Apply a strategic merge `patch` to the resource `base` as `kustomize build` does; returns a new
    object (inputs are not modified). An empty dict means the patch deleted the resource
    (`$patch: delete` at the top). As in kustomize, the result keeps the base's apiVersion, kind, name
    and namespace: those fields of the patch only select the target (unless name/kind change is allowed).
    Raises RenderError on a patch kustomize rejects (a list where the base has a map, unknown `$patch`)."""
    if not isinstance(base, dict) or not isinstance(patch, dict):
        raise RenderError("a strategic merge patch and its target must both be maps")
    dest, origin = copy_data(base), copy_data(patch)
    prop = meta_schema(base, patch)
    result = _walk(dest, origin, prop, ())
    if not isinstance(result, dict) or not result:
        return {}
    _restore_identity(result, base, allow_name_change, allow_kind_change)
    return result


def _restore_identity(result: dict, base: dict, allow_name: bool, allow_kind: bool) -> None:
    if "apiVersion" in base:
        result["apiVersion"] = base["apiVersion"]
    if not allow_kind and "kind" in base:
        result["kind"] = base["kind"]
    base_meta = as_dict(base.get("metadata"))
    meta = result.get("metadata")
    if not isinstance(meta, dict):
        return
    if not allow_name and "name" in base_meta:
        meta["name"] = base_meta["name"]
    if base_meta.get("namespace"):
        meta["namespace"] = base_meta["namespace"]
    else:
        meta.pop("namespace", None)
