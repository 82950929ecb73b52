"""RFC 6902 JSON patch, as kustomize applies `patchesJson6902` and JSON-patch `patches` (evanphx/json-patch).

Operations: add, remove, replace, move, copy, test. Paths are RFC 6901 JSON pointers (`~1` is `/`,
`~0` is `~`); `-` appends to a list. Where kustomize (evanphx/json-patch v4) is more lenient than the RFC,
this module follows kustomize: a negative list index counts from the end, `replace` of an absent key
creates it, an absent key reads as null for `copy`/`test`, and a missing `value` means null. While
kustomize applies a patch the object always carries its internal build annotations, so
`/metadata/annotations` exists even when the object has none (`add /metadata/annotations/x` works).
Every failure raises RenderError naming the operation (0-based) and path.
"""

from __future__ import annotations

import copy
from typing import Any

from gitops_lint.render.errors import RenderError

_OPS = ("add", "remove", "replace", "move", "copy", "test")


def parse_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer into unescaped reference tokens ("" is the whole document)."""
    if not isinstance(pointer, str):
        raise RenderError(f"JSON pointer must be a string, got {pointer!r}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise RenderError(f"JSON pointer {pointer!r} must start with '/'")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _index(token: str, size: int, *, for_insert: bool) -> int:
    """A list index for `token` (decimal, optional sign, as Go's Atoi); `-` is the end (insert only);
    a negative index counts from the end, as evanphx/json-patch does."""
    if token == "-" and for_insert:
        return size
    digits = token[1:] if token[:1] in ("+", "-") else token
    if not digits or not digits.isascii() or not digits.isdigit():
        raise RenderError(f"{token!r} is not a list index")
    index = int(token)
    limit = size + 1 if for_insert else size
    if index < 0:
        if index < -limit:
            raise RenderError(f"list index {token} out of range (length {size})")
        index += limit
    if index >= limit:
        raise RenderError(f"list index {token} out of range (length {size})")
    return index


def _container(doc: Any, tokens: list[str], pointer: str) -> Any:
    """The value holding the last token of `tokens` (the parent); it must exist."""
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node or node[token] is None:
                raise RenderError(f"path {pointer!r} does not exist: no key {token!r}")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(token, len(node), for_insert=False)]
        else:
            raise RenderError(f"path {pointer!r} does not exist: {token!r} is under a scalar")
    if not isinstance(node, (dict, list)):
        raise RenderError(f"path {pointer!r} does not exist: its parent is a scalar")
    return node


def get(doc: Any, pointer: str) -> Any:
    """The value at `pointer`. A missing key under an existing map reads as null (as in
    evanphx/json-patch); a missing parent or list index raises RenderError."""
    tokens = parse_pointer(pointer)
    if not tokens:
        return doc
    parent = _container(doc, tokens, pointer)
    if isinstance(parent, dict):
        return parent.get(tokens[-1])
    return parent[_index(tokens[-1], len(parent), for_insert=False)]


def _add(doc: Any, pointer: str, value: Any) -> Any:
    tokens = parse_pointer(pointer)
    if not tokens:
        raise RenderError("cannot add at the document root")
    parent = _container(doc, tokens, pointer)
    if isinstance(parent, dict):
        parent[tokens[-1]] = value
    else:
        parent.insert(_index(tokens[-1], len(parent), for_insert=True), value)
    return doc


def _remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    tokens = parse_pointer(pointer)
    if not tokens:
        raise RenderError("cannot remove the whole document")
    parent = _container(doc, tokens, pointer)
    if isinstance(parent, dict):
        if tokens[-1] not in parent:
            raise RenderError(f"cannot remove {pointer!r}: it does not exist")
        return doc, parent.pop(tokens[-1])
    return doc, parent.pop(_index(tokens[-1], len(parent), for_insert=False))


def _replace(doc: Any, pointer: str, value: Any) -> Any:
    """Replace; like evanphx/json-patch, an absent key under an existing map is created."""
    tokens = parse_pointer(pointer)
    if not tokens:  # the whole document; kustomize keeps its object when given a non-object
        return value if isinstance(value, dict) else doc
    parent = _container(doc, tokens, pointer)
    if isinstance(parent, dict):
        parent[tokens[-1]] = value
    else:
        parent[_index(tokens[-1], len(parent), for_insert=False)] = value
    return doc


def _apply_one(doc: Any, op: dict) -> Any:
    kind, path = op.get("op"), op.get("path")
    if kind not in _OPS:
        raise RenderError(f"unsupported operation {kind!r}")
    if not isinstance(path, str):
        raise RenderError(f"operation {kind!r} has no path")
    if kind == "add":
        return _add(doc, path, copy.deepcopy(op.get("value")))
    if kind == "remove":
        return _remove(doc, path)[0]
    if kind == "replace":
        return _replace(doc, path, copy.deepcopy(op.get("value")))
    if kind == "test":
        if "value" not in op:  # kustomize (evanphx/json-patch) crashes on this
            raise RenderError(f"test of {path!r} has no value")
        actual, wanted = get(doc, path), op.get("value")
        if actual != wanted or not _same_types(actual, wanted):
            raise RenderError(f"test of {path!r} failed: the value differs")
        return doc
    source = op.get("from")
    if not source or not isinstance(
        source, str
    ):  # evanphx/json-patch cannot read the whole document as a source
        raise RenderError(f"operation {kind!r} on {path!r} has no 'from' path")
    if kind == "copy":
        return _add(doc, path, copy.deepcopy(get(doc, source)))
    if path != source and path.startswith(source + "/"):
        raise RenderError(f"cannot move {source!r} into its own child {path!r}")
    doc, value = _remove(doc, source)
    return _add(doc, path, value)


def _same_types(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, dict) and isinstance(b, dict):
        return all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return all(_same_types(x, y) for x, y in zip(a, b, strict=False))
    return True


def apply_json6902(obj: dict, ops: list[dict]) -> dict:
    """Apply the JSON patch operations `ops` to `obj`; returns a new object (inputs are not modified)."""
    if not isinstance(ops, list):
        raise RenderError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(obj)
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    placeholder = isinstance(meta, dict) and not meta.get("annotations")
    if isinstance(meta, dict) and placeholder:  # kustomize's own build annotations are always there while patches apply
        meta["annotations"] = {}
    for number, op in enumerate(ops):
        if not isinstance(op, dict):
            raise RenderError(f"JSON patch operation {number} is not a map")
        try:
            doc = _apply_one(doc, op)
        except RenderError as exc:
            raise RenderError(
                f"JSON patch operation {number} ({op.get('op')} {op.get('path')}): {exc.message}"
            ) from None
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    if placeholder and isinstance(meta, dict) and meta.get("annotations") == {}:
        del meta["annotations"]
    return doc
