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

Merge keys come from the OpenAPI definitions bundled with kubernetes-validate (see `_schemas`). Kinds
unknown there (CRDs) get no merge keys: their lists are replaced wholesale, their maps merged.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint.core.scalars import PLAIN, scalar_value
from gitops_lint.render.errors import RenderError

_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()
_DIRECTIVE = "$patch"
_SCHEMA_VERSION = "v1.37.0-local"

# kustomize v5.5 embeds the Kubernetes 1.21 OpenAPI document; these merge lists are newer than that and
# are therefore replaced, not merged, by kustomize. (definition name suffix, field)
_NEWER_THAN_KUSTOMIZE = frozenset(
    {
        ("core.v1.PodSpec", "schedulingGates"),
        ("core.v1.PodSpec", "resourceClaims"),
        ("core.v1.PodSpec", "evictionResponders"),
        ("admissionregistration.v1.MutatingWebhook", "matchConditions"),
        ("admissionregistration.v1.ValidatingWebhook", "matchConditions"),
    }
)
_NEWER_KINDS = frozenset({"ValidatingAdmissionPolicy", "MutatingAdmissionPolicy"})
_NEWER_GROUPS = frozenset({"resource.k8s.io"})
# Versions served by Kubernetes 1.21 (so known to kustomize) but gone from the bundled schemas, with
# merge lists: they are looked up under their successor.
_REMOVED_VERSIONS = {
    ("batch/v1beta1", "CronJob"): ("batch/v1", "CronJob"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"): (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"): (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    ("storage.k8s.io/v1beta1", "CSINode"): ("storage.k8s.io/v1", "CSINode"),
}


class Prop(NamedTuple):
    """What the schema says about one field: patch strategy, merge keys, and the definition it refers to
    (for arrays: the definition of the items)."""

    strategy: str
    keys: tuple[str, ...]
    target: str | None


class _Schemas(NamedTuple):
    by_gvk: dict[tuple[str, str], str]  # (apiVersion, kind) -> definition name
    fields: dict[str, dict[str, Prop]]  # definition -> field ("*" = additionalProperties) -> Prop
    plain: frozenset[str]  # definitions below which nothing merges by key and no schema is opaque


def _ref_name(node: dict) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _compile_prop(owner: str, name: str, node: dict) -> Prop:
    target = _ref_name(node)
    items = node.get("items")
    if target is None and isinstance(items, dict):
        target = _ref_name(items)
    strategy = str(node.get("x-kubernetes-patch-strategy") or "")
    keys: tuple[str, ...] = ()
    if strategy:
        map_keys = node.get("x-kubernetes-list-map-keys")
        merge_key = node.get("x-kubernetes-patch-merge-key")
        keys = tuple(map_keys) if map_keys else ((merge_key,) if merge_key else ())
    if any(owner.endswith(suffix) and name == field for suffix, field in _NEWER_THAN_KUSTOMIZE):
        strategy, keys = "", ()
    return Prop(strategy, keys, target)


@functools.cache
def _schemas() -> _Schemas:
    """Compact lookup built once from kubernetes-validate's bundled `_definitions.json` (the package
    is located, not imported: importing it costs a quarter of a second)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RenderError("the kubernetes-validate package is required for strategic merge patches")
    path = Path(spec.origin).parent / "kubernetes-json-schema" / _SCHEMA_VERSION
    definitions = json.loads((path / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
    by_gvk: dict[tuple[str, str], str] = {}
    fields: dict[str, dict[str, Prop]] = {}
    for name, definition in definitions.items():
        props = {k: _compile_prop(name, k, v) for k, v in (definition.get("properties") or {}).items()}
        extra = definition.get("additionalProperties")
        if isinstance(extra, dict):
            props["*"] = _compile_prop(name, "*", extra)
        fields[name] = props
        for gvk in definition.get("x-kubernetes-group-version-kind") or ():
            group, version, kind = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
            if kind in _NEWER_KINDS or group in _NEWER_GROUPS:
                continue
            by_gvk[(f"{group}/{version}" if group else version, kind)] = name
    for old_gvk, new_gvk in _REMOVED_VERSIONS.items():
        if new_gvk in by_gvk:
            by_gvk.setdefault(old_gvk, by_gvk[new_gvk])
    return _Schemas(by_gvk, fields, _plain_definitions(definitions, fields))


def _plain_definitions(definitions: dict, fields: dict[str, dict[str, Prop]]) -> frozenset[str]:
    """Definitions whose whole subtree has schemas and no merge keys: a walk there changes nothing."""
    special = {
        name
        for name, props in fields.items()
        if any(p.strategy for p in props.values())
        or (not props and "object" in _types(definitions[name]))  # opaque, e.g. RawExtension
    }
    changed = True
    while changed:
        changed = False
        for name, props in fields.items():
            if name not in special and any(p.target in special for p in props.values()):
                special.add(name)
                changed = True
    return frozenset(fields) - special


def _types(node: dict) -> tuple:
    kind = node.get("type")
    return tuple(kind) if isinstance(kind, list) else (kind,)


def schema_for(api_version: str, kind: str) -> Prop | None:
    """The root schema for a kind, or None for kinds the bundled schemas do not know (CRDs)."""
    name = _schemas().by_gvk.get((api_version, kind))
    return Prop("", (), name) if name else None


def merge_keys(api_version: str, kind: str, *path: str) -> Prop | None:
    """Strategy and merge keys of the field at `path` (list indexes omitted), e.g.
    `merge_keys("apps/v1", "Deployment", "spec", "template", "spec", "containers")`."""
    prop = schema_for(api_version, kind)
    for part in path:
        prop = _field(prop, part)
    return prop


def _field(prop: Prop | None, key: str) -> Prop | None:
    if prop is None or prop.target is None:
        return None
    table = _schemas().fields.get(prop.target, {})
    return table.get(key) or table.get("*")


def _elements(prop: Prop | None) -> Prop | None:
    return None if prop is None else Prop("", (), prop.target)


def _meta_schema(*values: Any) -> Prop | None:
    for value in values:
        if isinstance(value, dict):
            api_version, kind = value.get("apiVersion"), value.get("kind")
            if isinstance(api_version, str) and isinstance(kind, str) and api_version and kind:
                found = schema_for(api_version, kind)
                if found is not None:
                    return found
    return None


# --- scalar text as kyaml compares it -------------------------------------------------------------


def scalar_text(value: Any) -> str:
    """The text kyaml compares for a node: a scalar's value, "" for maps and lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def _key_text(value: Any) -> str:
    """A merge-key value as kyaml collects them: null and empty values count as absent ("")."""
    return "" if value is None or value == {} or value == [] else scalar_text(value)


def _scalar(text: str) -> Any:
    """A scalar kyaml writes from text (untagged, plain): it reads back typed, `80` as an int."""
    return scalar_value(PLAIN, text)


_PLAIN_UNSAFE = re.compile(r"^[,\[\]{}#&*!|>'\"%@`\s]|^[-?:](\s|$)|\s$|: | #|\n")


def _quoted(text: str) -> bool:
    """Must this string have been written quoted (or as a block) in YAML? Then kyaml's field setter
    keeps that style for a replacing value, which turns a patched `true` or `5` into a string."""
    return text == "" or bool(_PLAIN_UNSAFE.search(text)) or not isinstance(scalar_value(PLAIN, text), str)


def _kind(value: Any) -> str:
    return "map" if isinstance(value, dict) else "list" if isinstance(value, list) else "scalar"


def _is_empty_item(value: Any) -> bool:
    return value is None or value is _MISSING or value == {}


# --- element lookup and replacement (kyaml ElementMatcher / ElementSetter semantics) ---------------


def _field_matches(elem: Any, key: str, value: str) -> bool:
    """Does `elem` have `key` (any value when `value` is "")? With key "", compare a scalar itself."""
    if elem is None:
        return False
    if key == "":
        if isinstance(elem, (dict, list)):
            raise RenderError(f"wrong node kind: expected a scalar list item, got {_kind(elem)}")
        return scalar_text(elem) == value
    if not isinstance(elem, dict):
        raise RenderError(f"wrong node kind: expected a map list item, got {_kind(elem)}")
    return key in elem and (value == "" or scalar_text(elem[key]) == value)


def _find(items: Any, keys: list[str], values: list[str]) -> Any:
    """First element matching every key/value exactly (kyaml ElementMatcher); _MISSING if none."""
    if not isinstance(items, list):
        return _MISSING
    if not keys or keys[0] == "":
        want = values[0] if values else ""
        return next((e for e in items if scalar_text(e) == want), _MISSING)
    for elem in items:
        if isinstance(elem, dict) and all(
            k in elem and scalar_text(elem[k]) == v for k, v in zip(keys, values, strict=False)
        ):
            return elem
    return _MISSING


def _set_element(items: list, element: Any, keys: list[str], values: list[str]) -> None:
    """Replace every element matching keys/values with `element` (delete when _MISSING), append if none.
    Null and empty-map elements are dropped on the way, as kyaml does."""
    keys = keys or [""]
    mapping_setter = keys[0] != "" and bool(values) and values[0] != ""
    kept: list = []
    found_any = False
    for elem in items:
        if _is_empty_item(elem):
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
        if element is not _MISSING:
            kept.append(element)
    items[:] = kept
    if element is not _MISSING and element is not None and not found_any:
        items.append(element)


def _append_list(dst: list, src: list, keys: list[str]) -> list:
    """Set each element of `src` into `dst` by its key values (kyaml appendListNode)."""
    for elem in list(src):
        if keys[0] == "":
            _set_element(dst, elem, [""], [scalar_text(elem)])
            continue
        values: list[str] = []
        for key in keys:
            if elem is None or not isinstance(elem, dict) or key not in elem:
                dst.append(elem)
                continue
            values.append(scalar_text(elem[key]))
        if len(keys) > 1:
            _set_element(dst, _MISSING, keys, values)
        _set_element(dst, elem, keys, values)
    return dst


def _valid_keys(values_list: list[list[str]], values: list[str], keys: list[str]) -> tuple[list, list]:
    """Drop the merge keys that no element sets (e.g. `protocol` when no port names one)."""
    present = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not present:
        return keys, values
    return [k for k in keys if k in present], [
        v for i, v in enumerate(values) if v != "" or keys[i] in present
    ]


def _merge_values(values_list: list[list[str]]) -> list[list[str]]:
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


# --- the walk ---------------------------------------------------------------------------------------


def _directive(patch: Any) -> str:
    """The `$patch` directive of a map (removed from it), or "merge"."""
    if not isinstance(patch, dict) or _DIRECTIVE not in patch:
        return "merge"
    value = scalar_text(patch[_DIRECTIVE])
    if value not in ("delete", "replace", "merge"):
        raise RenderError(f"unknown patch strategy '{value}'")
    del patch[_DIRECTIVE]
    return value


def _list_directive(patch: list) -> str:
    """The directive of a list: a lone `{$patch: ...}` item (removed from it), else "merge"."""
    item = next((e for e in patch if isinstance(e, dict) and _DIRECTIVE in e), None)
    if item is None or len(item) > 1:
        return "merge"
    value = scalar_text(item[_DIRECTIVE])
    if value not in ("delete", "replace", "merge"):
        raise RenderError(f"unknown patch strategy '{value}'")
    _set_element(patch, _MISSING, [_DIRECTIVE], [value])
    return value


def _walk(dest: Any, origin: Any, prop: Prop | None, path: tuple) -> Any:
    """Merge `origin` (patch side) into `dest`; returns the new value, or _MISSING to remove the field.
    Where the patch says nothing (`origin` is _MISSING) maps are still walked and merge-keyed lists
    re-merged with themselves, as kyaml does: that dedupes them (and drops items without a key)."""
    if prop is None:
        prop = _meta_schema(dest, origin)
    if origin is _MISSING:
        if isinstance(dest, dict):
            if prop is not None and prop.target in _schemas().plain:
                return dest
            return _walk_map(dest, origin, prop, path)
        if isinstance(dest, list) and _associative(prop):
            return _walk_associative(dest, origin, prop, path)
        return dest
    present = [v for v in (dest, origin) if v is not None and v is not _MISSING]
    if not present:
        return _MISSING
    kind = _kind(present[0])
    for value in present[1:]:
        if _kind(value) != kind:
            where = ".".join(str(p) for p in path) or "<root>"
            raise RenderError(
                f"wrong node kind at {where}: expected {kind} but the patch has a {_kind(value)}"
            )
    if kind == "map":
        return _walk_map(dest, origin, prop, path)
    if kind == "list" and _associative(prop):
        return _walk_associative(dest, origin, prop, path)
    return _MISSING if origin is None else origin


def _associative(prop: Prop | None) -> bool:
    return prop is not None and "merge" in prop.strategy.split(",")


def _walk_map(dest: Any, origin: Any, prop: Prop | None, path: tuple) -> Any:
    if origin is _MISSING:
        pass
    elif dest is None or dest is _MISSING:
        if _directive(origin) == "delete":
            return _MISSING
        dest = origin
    elif origin is None:
        return _MISSING
    else:
        directive = _directive(origin)
        if directive == "delete":
            return _MISSING
        if directive == "replace":
            dest = origin
    if origin is _MISSING:  # the patch is silent here: only keyed lists below can change
        plain = _schemas().plain
        for key, old in list(dest.items()):
            if isinstance(old, (dict, list)):
                child = _field(prop, key)
                if child is not None and not child.strategy and child.target in plain:
                    continue
                value = _walk(old, _MISSING, child, (*path, key))
                if value is _MISSING:
                    del dest[key]
                elif value is not old:
                    dest[key] = value
        return dest
    # existing keys keep their place; new ones are appended in sorted order, as kyaml does
    keys = [k for k in dest if k in origin or isinstance(dest[k], (dict, list))]
    keys += sorted((k for k in origin if k not in dest), key=str)
    for key in keys:
        in_patch = key in origin
        old = dest.get(key, _MISSING)
        value = _walk(old, origin.get(key, _MISSING), _field(prop, key), (*path, key))
        if value is _MISSING or (value is None and in_patch):
            dest.pop(key, None)
            continue
        if isinstance(old, str) and isinstance(value, (bool, int, float)) and _quoted(old):
            value = scalar_text(value)
        dest[key] = value
    return dest


def _walk_associative(dest: Any, origin: Any, prop: Prop, path: tuple) -> Any:
    if origin is _MISSING:
        if _tidy(dest, prop.keys):  # re-merging it with itself would change nothing but its items
            element = _elements(prop)
            for i, item in enumerate(dest):
                if isinstance(item, (dict, list)):
                    dest[i] = _walk(item, _MISSING, element, (*path, i))
            return dest
    elif dest is None or dest is _MISSING:
        dest = origin
    elif origin is None:
        return _MISSING
    else:
        directive = _list_directive(origin)
        if directive == "delete":
            return _MISSING
        if directive == "replace":
            dest = origin
    keys = list(prop.keys)
    values_list: list[list[str]] = []
    sources = [dest] if origin is _MISSING else [origin, dest]  # the patch's items first: kustomize prepends
    for source in sources:
        for elem in source:
            values = [_key_text(elem.get(k)) if isinstance(elem, dict) else "" for k in keys]
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
        tuples.add(tuple(_key_text(item.get(k)) for k in keys))
    if len(tuples) != len(items):
        return False
    columns = [{t[i] == "" for t in tuples} for i in range(len(keys))]
    return all(len(c) == 1 for c in columns) and columns[0] == {False} if items else True


def _set_elements(dest: list, origin: list, values_list: list, keys: list, prop: Prop, path: tuple) -> Any:
    items: list = []
    if len(keys) > 1:
        values_list = _merge_values(values_list)
    valid_keys, valid_values = keys, []
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = _valid_keys(values_list, values, keys)
        lookup_keys, lookup_values = _valid_keys([valid_values], valid_values, valid_keys)
        value = _walk(
            _find(dest, lookup_keys, lookup_values),
            _find(origin, lookup_keys, lookup_values),
            _elements(prop),
            (*path, "[" + ",".join(f"{k}={v}" for k, v in zip(valid_keys, valid_values, strict=False)) + "]"),
        )
        if _is_empty_item(value):
            _set_element(dest, _MISSING, valid_keys, valid_values)
            continue
        for key, text in zip(valid_keys, valid_values, strict=False):
            if isinstance(value, dict) and key not in value and text != "":
                value[key] = _scalar(text)
        _set_element(items, value, valid_keys, valid_values)
    if not values_list:
        return dest
    return _append_list(items, dest, valid_keys)


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
    dest, origin = _copy(base), _copy(patch)
    prop = _meta_schema(base, patch)
    result = _walk(dest, origin, prop, ())
    if not isinstance(result, dict) or not result:
        return {}
    _restore_identity(result, base, allow_name_change, allow_kind_change)
    return result


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _restore_identity(result: dict, base: dict, allow_name: bool, allow_kind: bool) -> None:
    if "apiVersion" in base:
        result["apiVersion"] = base["apiVersion"]
    if not allow_kind and "kind" in base:
        result["kind"] = base["kind"]
    base_meta = base.get("metadata") if isinstance(base.get("metadata"), dict) else {}
    meta = result.get("metadata")
    if not isinstance(meta, dict):
        return
    if not allow_name and "name" in base_meta:
        meta["name"] = base_meta["name"]
    if base_meta.get("namespace"):
        meta["namespace"] = base_meta["namespace"]
    else:
        meta.pop("namespace", None)
