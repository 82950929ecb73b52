"""kustomize `replacements`: copy one source field into target fields.

Sources and targets are selected by exact group/version/kind/name/namespace (not regexes) plus
label/annotation selectors; `reject` entries exclude. Field paths are those of fieldpath.py; a target
path that reaches nothing is an error unless `options.create` makes it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from gitops_lint.core.datapath import as_dict
from gitops_lint.render.errors import RenderError
from gitops_lint.render.fieldpath import (
    NO_CREATE,
    Untyped,
    lookup_slot,
    match_slots,
    plain_scalar,
    split_path,
)
from gitops_lint.render.resource import ResId, res_id
from gitops_lint.render.select import selector_matches
from gitops_lint.render.smp_lists import scalar_text

# --- identities and selection ------------------------------------------------------------------------


def ids_per_object(objects: list[dict], ids: Sequence[Iterable[ResId]] | None) -> list[list[ResId]]:
    """Every id each object is selected by: the given ones (current and previous), else its current id."""
    if ids is None:
        return [[res_id(o)] for o in objects]
    if len(ids) != len(objects):
        raise RenderError("internal: one id list per object is required")
    return [list(i) or [res_id(o)] for i, o in zip(ids, objects, strict=True)]


def selected_by(rid: ResId, selector: dict) -> bool:
    """kustomize's ResId.IsSelectedBy: exact match on the fields the selector sets."""
    for field, value in (
        ("group", rid.group),
        ("version", rid.version),
        ("kind", rid.kind),
        ("name", rid.name),
    ):
        wanted = selector.get(field)
        if wanted not in (None, "") and str(wanted) != value:
            return False
    namespace = selector.get("namespace")
    if namespace not in (None, ""):
        # kustomize's IsNsEquals: the selector's effective namespace (by its own group/version/kind)
        group, version, kind = (str(selector.get(f) or "") for f in ("group", "version", "kind"))
        probe = ResId(group, version, kind, "", str(namespace))
        if probe.effective_namespace != rid.effective_namespace:
            return False
    return True


def _has_id_fields(selector: dict) -> bool:
    return any(selector.get(f) not in (None, "") for f in ("group", "version", "kind", "name", "namespace"))


def _labels_ok(obj: dict, selector: dict) -> bool:
    meta = as_dict(obj.get("metadata"))
    return selector_matches(selector.get("labelSelector"), meta.get("labels")) and selector_matches(
        selector.get("annotationSelector"), meta.get("annotations")
    )


def _is_target(obj: dict, obj_ids: list[ResId], select: dict, rejects: list[dict]) -> bool:
    if not _labels_ok(obj, select):
        return False
    for reject in rejects:
        if (reject.get("labelSelector") or reject.get("annotationSelector")) and _labels_ok(obj, reject):
            return False
    for rid in obj_ids:
        if selected_by(rid, select) and not any(_has_id_fields(r) and selected_by(rid, r) for r in rejects):
            return True
    return False



# --- replacements ------------------------------------------------------------------------------------


def _options(entry: dict) -> dict:
    options = entry.get("options")
    return options if isinstance(options, dict) else {}


def _source_value(objects: list[dict], all_ids: list[list[ResId]], source: dict) -> Callable[[], Any]:
    """A reader of the replacement value. Unrefined, it reads the live source field, as kustomize holds
    the source node itself: a target that rewrites the source changes what later targets get."""
    found = [
        o for o, oids in zip(objects, all_ids, strict=True) if any(selected_by(i, source) for i in oids)
    ]
    described = ", ".join(
        f"{k}={source[k]}" for k in ("group", "version", "kind", "name", "namespace") if source.get(k)
    )
    if len(found) > 1:
        raise RenderError(f"multiple matches for replacement source {described or '(everything)'}")
    if not found:
        raise RenderError(f"nothing selected by replacement source {described or '(everything)'}")
    field_path = str(source.get("fieldPath") or "metadata.name")
    slot = lookup_slot(found[0], field_path)
    value = None if slot is None else slot[0][slot[1]]
    if slot is None or value is None or value == {} or value == []:
        raise RenderError(f"fieldPath `{field_path}` is missing for replacement source {described}")
    options = _options(source)
    if options.get("delimiter"):
        if isinstance(value, (dict, list)):
            raise RenderError("delimiter option can only be used with scalar nodes")
        pieces = scalar_text(value).split(str(options["delimiter"]))
        index = _index(options)
        if not 0 <= index < len(pieces):
            raise RenderError(f"options.index {index} is out of bounds for value {scalar_text(value)}")
        return lambda: pieces[index]
    container, key = slot
    return lambda: copy.deepcopy(container[key])


def _index(options: dict) -> int:
    try:
        return int(options.get("index") or 0)
    except (TypeError, ValueError):
        raise RenderError(f"options.index must be an integer, got {options.get('index')!r}") from None


def _set(container: Any, key: Any, value: Any, options: dict) -> None:
    """Write `value` into a target slot. As kustomize does, a scalar target keeps its type and takes
    only the text of the value (a quoted "5432" stays a string, replicas: 2 stays an int, a map copied
    onto a scalar leaves ""); a created (untyped) target reads the text as YAML would."""
    current = container[key]
    if options.get("delimiter"):
        if isinstance(current, (dict, list)):
            raise RenderError("delimiter option can only be used with scalar nodes")
        delimiter = str(options["delimiter"])
        pieces = ("" if current is None else scalar_text(current)).split(delimiter)
        index, text = _index(options), scalar_text(value)
        if index < 0:
            pieces.insert(0, text)
        elif index >= len(pieces):
            pieces.append(text)
        else:
            pieces[index] = text
        value = delimiter.join(pieces)
    if isinstance(current, (dict, list)):
        container[key] = copy.deepcopy(value)
        return
    container[key] = _typed("" if isinstance(value, (dict, list)) else scalar_text(value), current)





def _typed(text: str, current: Any) -> Any:
    """`text` in the type of the scalar it replaces; kustomize fails when it cannot be read so."""
    if isinstance(current, str) and not isinstance(current, Untyped):
        return text
    value = plain_scalar(text)
    if current is None or isinstance(current, Untyped):
        return value
    wanted = bool if isinstance(current, bool) else int if isinstance(current, int) else float
    if wanted is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
        raise RenderError(f"cannot decode {text!r} as a {wanted.__name__} for the replacement target")
    return value


def _empty_like(value: Any) -> Any:
    """A created target leaf: an empty map or list, or an untyped (null) scalar."""
    return {} if isinstance(value, dict) else [] if isinstance(value, list) else None


def _apply_target(obj: dict, read: Callable[[], Any], target: dict) -> None:
    options = _options(target)
    paths = target.get("fieldPaths") or ["metadata.name"]
    if not isinstance(paths, list):
        raise RenderError("replacement `fieldPaths` must be a list")
    for path in paths:
        value = read()
        create = _empty_like(value) if options.get("create") else NO_CREATE
        parts = split_path(str(path))
        if not parts:
            raise RenderError("a replacement target field path must not be empty")
        slots = match_slots(obj, parts, str(path), create)
        if not slots:
            verb = "find" if create is NO_CREATE else "find or create"
            raise RenderError(f'unable to {verb} field "{path}" in replacement target')
        for container, key in slots:
            _set(container, key, read(), options)


def apply_replacements(
    objects: list[dict], replacements: list[dict], *, ids: Sequence[Iterable[ResId]] | None = None
) -> list[dict]:
    """Apply kustomize `replacements` in order; returns new objects (inputs are not modified).
    `ids`, when given, lists per object every id it had (current and previous, e.g. before a name
    prefix): sources and targets are selected by any of them, as kustomize does."""
    if not isinstance(replacements, list):
        raise RenderError("`replacements` must be a list")
    out = copy.deepcopy(objects)
    all_ids = ids_per_object(out, ids)
    for entry in replacements:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("source"), dict)
            or not entry.get("targets")
        ):
            raise RenderError("replacements must specify a source and at least one target")
        if not isinstance(entry["targets"], list):
            raise RenderError("replacement `targets` must be a list")
        read = _source_value(out, all_ids, entry["source"])
        for target in entry["targets"]:
            if not isinstance(target, dict) or not isinstance(target.get("select"), dict):
                raise RenderError("target must specify resources to select")
            rejects = target.get("reject") or []
            if not isinstance(rejects, list) or not all(isinstance(r, dict) for r in rejects):
                raise RenderError("replacement `reject` must be a list of selectors")
            for obj, obj_ids in zip(out, all_ids, strict=True):
                if _is_target(obj, obj_ids, target["select"], rejects):
                    _apply_target(obj, read, target)
    for obj in out:
        meta = as_dict(obj.get("metadata"))
        name = meta.get("name")
        if isinstance(name, (dict, list)) or name in (None, ""):
            raise RenderError(f"missing metadata.name in a {obj.get('kind')} after replacements")
    return out
