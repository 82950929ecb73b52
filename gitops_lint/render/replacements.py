"""kustomize `replacements` and legacy `vars`.

Replacements copy one source field into target fields. Field paths are dotted (`a.b.[name=x].c`, a
numeric list index, `*` for every list item, `[a.b]` for a map key containing dots). In a *source* path
`[k=v]` picks the first item whose `k` equals `v`; in a *target* path it picks every item whose `k`
matches the (unanchored) regular expression `v`, as kustomize's PathMatcher does, and a target path
that reaches nothing is an error unless `options.create` makes it. Sources and targets are selected by
exact group/version/kind/name/namespace (not regexes) plus label/annotation selectors; `reject`
entries exclude.

Vars replace `$(NAME)` in the fields listed by kustomize's varReference field specs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from gitops_lint.core.scalars import PLAIN, scalar_value
from gitops_lint.render import fieldspec
from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import ResId, res_id
from gitops_lint.render.select import selector_matches
from gitops_lint.render.smp_lists import scalar_text

_INT = re.compile(r"-?[0-9]+")


# --- identities and selection ------------------------------------------------------------------------


def _ids(objects: list[dict], ids: Sequence[Iterable[ResId]] | None) -> list[list[ResId]]:
    if ids is None:
        return [[res_id(o)] for o in objects]
    if len(ids) != len(objects):
        raise RenderError("internal: one id list per object is required")
    return [list(i) or [res_id(o)] for i, o in zip(ids, objects, strict=True)]


def _selected_by(rid: ResId, selector: dict) -> bool:
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
        probe = ResId(*(str(selector.get(f) or "") for f in ("group", "version", "kind")), "", str(namespace))
        if probe.effective_namespace != rid.effective_namespace:
            return False
    return True


def _has_id_fields(selector: dict) -> bool:
    return any(selector.get(f) not in (None, "") for f in ("group", "version", "kind", "name", "namespace"))


def _labels_ok(obj: dict, selector: dict) -> bool:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
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
        if _selected_by(rid, select) and not any(_has_id_fields(r) and _selected_by(rid, r) for r in rejects):
            return True
    return False


# --- field paths -------------------------------------------------------------------------------------


def split_path(path: str) -> list[str]:
    """kustomize's SmarterPathSplitter: split on dots, honouring `\\.` escapes and `[...]` groups."""
    parts: list[str] = []
    for piece in path.split("."):
        if parts and parts[-1].endswith("\\"):
            parts[-1] = parts[-1][:-1] + "." + piece
        else:
            parts.append(piece)
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.startswith("[") and not part.endswith("]"):
            group = [part]
            while i < len(parts) - 1:
                i += 1
                group.append(parts[i])
                if parts[i].endswith("]"):
                    break
            joined = ".".join(group)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(part)
        i += 1
    return [p.strip() for p in out if p.strip()]


def _plain(text: str) -> Any:
    """A plain (untagged) YAML scalar written as `text`, as it reads back: `8080` is an int."""
    return scalar_value(PLAIN, text) if text else None


def _split_entry(part: str) -> tuple[str, str]:
    inner = part[1:-1]
    if "=" not in inner:
        raise RenderError(f"list path element {part!r} must contain fieldName=fieldValue")
    key, _, value = inner.partition("=")
    return key, value


def _is_entry(part: str) -> bool:
    return part.startswith("[") and part.endswith("]")


def lookup(obj: Any, path: str) -> Any:
    """The value at a source field path (None when absent), as kyaml's PathGetter."""
    slot = _lookup_slot(obj, path)
    return None if slot is None else slot[0][slot[1]]


def _lookup_slot(obj: Any, path: str) -> Slot | None:
    """(container, key) of a source field path, or None when it leads nowhere."""
    container: Any = None
    key: Any = None
    node = obj
    for part in split_path(path):
        if node is None:
            return None
        if _INT.fullmatch(part) or part == "-":
            if not isinstance(node, list):
                raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a list")
            if part != "-" and int(part) < 0:
                raise RenderError(f"array index {part} cannot be negative")
            index = len(node) - 1 if part == "-" else int(part)
            if not 0 <= index < len(node):
                return None
            container, key = node, index
        elif _is_entry(part):
            name, value = _split_entry(part)
            if not isinstance(node, list):
                raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a list")
            index = next((i for i, e in enumerate(node) if _entry_equals(e, name, value)), None)
            if index is None:
                return None
            container, key = node, index
        else:
            if not isinstance(node, dict):
                raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a map")
            if part not in node:
                return None
            container, key = node, part
        node = container[key]
    return None if container is None else (container, key)


def _entry_equals(elem: Any, key: str, value: str) -> bool:
    if key == "":
        return scalar_text(elem) == value
    return isinstance(elem, dict) and key in elem and scalar_text(elem[key]) == value


Slot = tuple[Any, Any]  # (container, key or index)


def _part_kind(next_part: str | None, leaf: Any) -> Any:
    """What a created path part holds: a list before `[k=v]`/index parts, the leaf's kind last."""
    if next_part is None:
        return copy.deepcopy(leaf)
    if _is_entry(next_part) or _INT.fullmatch(next_part):
        return []
    return {}


_NO_CREATE: Any = object()


def _match(node: Any, parts: list[str], path: str, create: Any = _NO_CREATE) -> list[Slot]:
    """Every (container, key) a target path reaches (kyaml's PathMatcher). With `create` (an empty value
    of the source's kind), missing fields, `[k=v]` items and the item at index len(list) are created."""
    part, rest = parts[0], parts[1:]
    following = rest[0] if rest else None
    if node is None:
        return []
    if _INT.fullmatch(part) and not part.startswith("-"):
        items = _as_list(node, part, path)
        index = int(part)
        if index == len(items) and create is not _NO_CREATE:
            items.append(_part_kind(following, create))
        if index >= len(items):
            raise RenderError(f"index {index} specified but only {len(items)} elements found in {path!r}")
        candidates = [(items, index)]
    elif _is_entry(part):
        key, pattern = _split_entry(part)
        items = _as_list(node, part, path)
        regex = _regex(pattern)
        candidates = [(items, i) for i, e in enumerate(items) if _entry_search(e, key, regex)]
        if not candidates and create is not _NO_CREATE:
            # a created scalar is untyped; when it is the very target, what replaces it reads as YAML
            made = _Untyped(pattern) if rest == [key] else _plain(pattern)
            items.append(made if key == "" else {key: made})
            candidates = [(items, len(items) - 1)]
    elif part == "*":
        items = _as_list(node, part, path)
        candidates = [(items, i) for i in range(len(items))]
    else:
        if not isinstance(node, dict):
            raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a map")
        if part not in node:
            if create is _NO_CREATE:
                return []
            node[part] = _part_kind(following, create)
        elif node[part] is None and rest and create is not _NO_CREATE:
            node[part] = _part_kind(following, create)
        candidates = [(node, part)]
    slots: list[Slot] = []
    for container, key in candidates:
        slots.extend(_match(container[key], rest, path, create) if rest else [(container, key)])
    return slots


def _as_list(node: Any, part: str, path: str) -> list:
    if not isinstance(node, list):
        raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a list")
    return node


def _regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RenderError(f"invalid regular expression {pattern!r} in field path: {exc}") from None


def _entry_search(elem: Any, key: str, regex: re.Pattern) -> bool:
    if key == "":
        return not isinstance(elem, (dict, list)) and regex.search(scalar_text(elem)) is not None
    if not isinstance(elem, dict) or elem.get(key) is None:
        return False
    return regex.search(scalar_text(elem[key])) is not None


# --- replacements ------------------------------------------------------------------------------------


def _options(entry: dict) -> dict:
    options = entry.get("options")
    return options if isinstance(options, dict) else {}


def _source_value(objects: list[dict], all_ids: list[list[ResId]], source: dict) -> Callable[[], Any]:
    """A reader of the replacement value. Unrefined, it reads the live source field, as kustomize holds
    the source node itself: a target that rewrites the source changes what later targets get."""
    found = [
        o for o, oids in zip(objects, all_ids, strict=True) if any(_selected_by(i, source) for i in oids)
    ]
    described = ", ".join(
        f"{k}={source[k]}" for k in ("group", "version", "kind", "name", "namespace") if source.get(k)
    )
    if len(found) > 1:
        raise RenderError(f"multiple matches for replacement source {described or '(everything)'}")
    if not found:
        raise RenderError(f"nothing selected by replacement source {described or '(everything)'}")
    field_path = str(source.get("fieldPath") or "metadata.name")
    slot = _lookup_slot(found[0], field_path)
    value = None if slot is None else slot[0][slot[1]]
    if value is None or value == {} or value == []:
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


class _Untyped(str):
    """Text of a scalar created by a target path: it has no YAML type of its own yet."""


def _typed(text: str, current: Any) -> Any:
    """`text` in the type of the scalar it replaces; kustomize fails when it cannot be read so."""
    if isinstance(current, str) and not isinstance(current, _Untyped):
        return text
    value = _plain(text)
    if current is None or isinstance(current, _Untyped):
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
        create = _empty_like(value) if options.get("create") else _NO_CREATE
        parts = split_path(str(path))
        if not parts:
            raise RenderError("a replacement target field path must not be empty")
        slots = _match(obj, parts, str(path), create)
        if not slots:
            verb = "find" if create is _NO_CREATE else "find or create"
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
    all_ids = _ids(out, ids)
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
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name = meta.get("name")
        if isinstance(name, (dict, list)) or name in (None, ""):
            raise RenderError(f"missing metadata.name in a {obj.get('kind')} after replacements")
    return out


# --- vars --------------------------------------------------------------------------------------------

_CONTAINER_FIELDS = ("args", "command", "env/value", "volumeMounts/mountPath")


def _pod_specs(kind: str, pod: str, volumes: str) -> list:
    specs = [
        fieldspec.make(f"{pod}/{containers}/{field}", kind)
        for containers in ("containers", "initContainers")
        for field in _CONTAINER_FIELDS
    ]
    return [*specs, fieldspec.make(f"{volumes}/volumes/nfs/server", kind)]


def default_var_references() -> list:
    """kustomize's built-in varReference field specs (where `$(VAR)` is substituted)."""
    return [
        # kustomize's CronJob nfs path lacks the pod template's /spec; restated as it is
        *_pod_specs("CronJob", "spec/jobTemplate/spec/template/spec", "spec/jobTemplate/spec/template"),
        *_pod_specs("DaemonSet", "spec/template/spec", "spec/template/spec"),
        *_pod_specs("Deployment", "spec/template/spec", "spec/template/spec"),
        fieldspec.make("spec/template/metadata/annotations", "Deployment"),
        fieldspec.make("spec/rules/host", "Ingress"),
        fieldspec.make("spec/tls/hosts", "Ingress"),
        fieldspec.make("spec/tls/secretName", "Ingress"),
        *_pod_specs("Job", "spec/template/spec", "spec/template/spec"),
        *_pod_specs("Pod", "spec", "spec"),
        *_pod_specs("ReplicaSet", "spec/template/spec", "spec/template/spec"),
        fieldspec.make("spec/ports/port", "Service"),
        fieldspec.make("spec/ports/targetPort", "Service"),
        *_pod_specs("StatefulSet", "spec/template/spec", "spec/template/spec")[:-1],
        fieldspec.make("spec/volumeClaimTemplates/spec/nfs/server", "StatefulSet"),
        fieldspec.make("spec/nfs/server", "PersistentVolume"),
        fieldspec.make("metadata/labels"),
        fieldspec.make("metadata/annotations"),
    ]


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
    all_ids = _ids(out, ids)
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
