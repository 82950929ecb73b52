"""kustomize field paths (`a.b.[name=x].c`, `spec.ports.0.port`, `*`, `[a.b]` for a key with dots), as
replacements and vars use them: kyaml's PathGetter for sources, PathMatcher (with creation) for
targets. In a *source* path `[k=v]` picks the first item whose `k` equals `v`; in a *target* path it
picks every item whose `k` matches the (unanchored) regular expression `v`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from gitops_lint.core.scalars import PLAIN, scalar_value
from gitops_lint.render.errors import RenderError
from gitops_lint.render.smp_lists import scalar_text

INDEX = re.compile(r"-?[0-9]+")
Slot = tuple[Any, Any]  # (container, key or index)
NO_CREATE: Any = object()  # match_slots: reach only what exists


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


def plain_scalar(text: str) -> Any:
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
    slot = lookup_slot(obj, path)
    return None if slot is None else slot[0][slot[1]]


def lookup_slot(obj: Any, path: str) -> Slot | None:
    """(container, key) of a source field path, or None when it leads nowhere."""
    container: Any = None
    key: Any = None
    node = obj
    for part in split_path(path):
        if node is None:
            return None
        if INDEX.fullmatch(part) or part == "-":
            if not isinstance(node, list):
                raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a list")
            if part != "-" and int(part) < 0:
                raise RenderError(f"array index {part} cannot be negative")
            index: int | None = len(node) - 1 if part == "-" else int(part)
            if index is None or not 0 <= index < len(node):
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


def _part_kind(next_part: str | None, leaf: Any) -> Any:
    """What a created path part holds: a list before `[k=v]`/index parts, the leaf's kind last."""
    if next_part is None:
        return copy.deepcopy(leaf)
    if _is_entry(next_part) or INDEX.fullmatch(next_part):
        return []
    return {}


def match_slots(node: Any, parts: list[str], path: str, create: Any = NO_CREATE) -> list[Slot]:
    """Every (container, key) a target path reaches (kyaml's PathMatcher). With `create` (an empty value
    of the source's kind), missing fields, `[k=v]` items and the item at index len(list) are created."""
    part, rest = parts[0], parts[1:]
    following = rest[0] if rest else None
    if node is None:
        return []
    if INDEX.fullmatch(part) and not part.startswith("-"):
        items = _as_list(node, part, path)
        index = int(part)
        if index == len(items) and create is not NO_CREATE:
            items.append(_part_kind(following, create))
        if index >= len(items):
            raise RenderError(f"index {index} specified but only {len(items)} elements found in {path!r}")
        candidates: list[Slot] = [(items, index)]
    elif _is_entry(part):
        key, pattern = _split_entry(part)
        items = _as_list(node, part, path)
        regex = _regex(pattern)
        candidates = [(items, i) for i, e in enumerate(items) if _entry_search(e, key, regex)]
        if not candidates and create is not NO_CREATE:
            # a created scalar is untyped; when it is the very target, what replaces it reads as YAML
            made = Untyped(pattern) if rest == [key] else plain_scalar(pattern)
            items.append(made if key == "" else {key: made})
            candidates = [(items, len(items) - 1)]
    elif part == "*":
        items = _as_list(node, part, path)
        candidates = [(items, i) for i in range(len(items))]
    else:
        if not isinstance(node, dict):
            raise RenderError(f"wrong node kind at {part!r} of field path {path!r}: expected a map")
        if part not in node:
            if create is NO_CREATE:
                return []
            node[part] = _part_kind(following, create)
        elif node[part] is None and rest and create is not NO_CREATE:
            node[part] = _part_kind(following, create)
        candidates = [(node, part)]
    slots: list[Slot] = []
    for container, key in candidates:
        slots.extend(match_slots(container[key], rest, path, create) if rest else [(container, key)])
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



class Untyped(str):
    """Text of a scalar created by a target path: it has no YAML type of its own yet."""
