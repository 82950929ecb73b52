"""kustomize's legacy `vars`: resolve each var's object field, then replace `$(NAME)` in the fields
listed by the varReference field specs (kustomize's defaults plus a kustomization's `configurations`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from typing import Any

from gitops_lint.render import fieldspec
from gitops_lint.render.builtin_config import default_var_references
from gitops_lint.render.errors import RenderError
from gitops_lint.render.fieldpath import lookup
from gitops_lint.render.replacements import ids_per_object
from gitops_lint.render.resource import ResId
from gitops_lint.render.smp_lists import scalar_text


def _key(entry: Any, name: str) -> Any:
    """A field of a kustomization entry; like kustomize's JSON decoding, the key is case-insensitive."""
    if not isinstance(entry, dict):
        return None
    if name in entry:
        return entry[name]
    lower = name.lower()
    return next((v for k, v in entry.items() if isinstance(k, str) and k.lower() == lower), None)


def _var_target(var: dict) -> ResId:
    ref = _key(var, "objref") if isinstance(_key(var, "objref"), dict) else {}
    group, version = str(_key(ref, "group") or ""), str(_key(ref, "version") or "")
    if _key(ref, "apiVersion"):
        group, _, version = str(_key(ref, "apiVersion")).rpartition("/")
    kind, name, namespace = (str(_key(ref, f) or "") for f in ("kind", "name", "namespace"))
    return ResId(group, version, kind, name, namespace)


def _var_matches(want: ResId, rid: ResId) -> bool:
    same = (want.group, want.version, want.kind, want.name) == (rid.group, rid.version, rid.kind, rid.name)
    if want.namespace or want.effective_namespace == "_non_namespaceable_":
        return same and want.effective_namespace == rid.effective_namespace
    return same


def _var_value(objects: list[dict], all_ids: list[list[ResId]], var: dict) -> Any:
    name = _key(var, "name")
    want = _var_target(var)
    found = [o for o, oids in zip(objects, all_ids, strict=True) if any(_var_matches(want, i) for i in oids)]
    if len(found) > 1:
        raise RenderError(f"found {len(found)} resId matches for var {name} (unable to disambiguate)")
    if not found:
        raise RenderError(f"var '{name}' cannot be mapped to a field in the set of known resources")
    path = str(_key(_key(var, "fieldref"), "fieldPath") or "metadata.name")
    value = lookup(found[0], re.sub(r"\[([0-9]+)\]", r".\1", path))
    if value is None:
        raise RenderError(f"field specified in var '{name}' ({path}) not found in corresponding resource")
    return value


def expand(text: str, values: dict[str, Any]) -> Any:
    """Replace `$(NAME)` references (`$$` escapes `$`); unknown names are left as written. A string that
    is exactly one reference takes the variable's value as is."""
    whole = re.fullmatch(r"\$\(([^)]*)\)", text)
    if whole and whole.group(1) in values and not isinstance(values[whole.group(1)], str):
        return values[whole.group(1)]
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "(":
            close = text.find(")", i + 2)
            if close < 0:
                out.append("$(")
                i += 2
                continue
            name = text[i + 2 : close]
            out.append(_varscalar_text(values[name]) if name in values else f"$({name})")
            i = close + 1
        else:
            out.append("$" + following)
            i += 2
    return "".join(out)


def _varscalar_text(value: Any) -> str:
    return scalar_text(value) if not isinstance(value, (dict, list)) else str(value)


def _substitute(container: Any, key: Any, values: dict[str, Any]) -> None:
    node = container[key]
    if isinstance(node, str):
        container[key] = expand(node, values)
    elif isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str):
                node[k] = expand(v, values)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if not isinstance(item, str):
                raise RenderError(f"invalid value type expect a string in {key!r}: {item!r}")
            node[i] = expand(item, values)


def apply_vars(
    objects: list[dict],
    variables: list[dict],
    *,
    field_specs: list | None = None,
    extra_field_specs: Iterable | None = None,
    ids: Sequence[Iterable[ResId]] | None = None,
) -> list[dict]:
    """Resolve legacy `vars` and substitute `$(NAME)` in the varReference fields: `field_specs`
    (kustomize's defaults when None) plus `extra_field_specs` (a kustomization's `configurations`).
    `ids` as for apply_replacements (a var's objref may name an object before its name prefix).
    Returns new objects; an unresolvable var raises RenderError, as in kustomize."""
    if not isinstance(variables, list):
        raise RenderError("`vars` must be a list")
    out = copy.deepcopy(objects)
    all_ids = ids_per_object(out, ids)
    values = {str(_key(v, "name")): _var_value(out, all_ids, v) for v in variables if isinstance(v, dict)}
    if not values:
        return out
    specs = default_var_references() if field_specs is None else list(field_specs)
    specs = fieldspec.merge(specs, extra_field_specs or [])
    for obj in out:
        for spec in specs:
            if spec.selects_data(obj):
                fieldspec.walk(obj, spec, lambda container, key: _substitute(container, key, values))
    return out
