"""kustomize field specs: which field of which kinds a transformer touches, and how to walk there.

The default tables restate kustomize's built-in transformer configuration (api/konfig/builtinpluginconsts)
in compact form; paths are split once, when the table is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import split_api_version

_SPLIT = re.compile(r"(?<!\\)/")


@dataclass(frozen=True)
class FieldSpec:
    group: str
    version: str
    kind: str
    path: str
    create: bool
    parts: tuple[tuple[str, bool], ...]  # (field name, is-sequence hint)

    def selects(self, group: str, version: str, kind: str) -> bool:
        """kustomize's Gvk.IsSelected: empty selector fields match anything."""
        return (
            (not self.kind or self.kind == kind)
            and (not self.group or self.group == group)
            and (not self.version or self.version == version)
        )

    def selects_data(self, data: dict) -> bool:
        group, version = split_api_version(data.get("apiVersion"))
        return self.selects(group, version, data.get("kind") or "")


def split_path(path: str) -> tuple[tuple[str, bool], ...]:
    parts = []
    for raw in _SPLIT.split(path):
        if not raw:
            continue
        seq = raw.endswith("[]")
        name = raw[:-2] if seq else raw
        parts.append((name.replace("\\/", "/"), seq))
    return tuple(parts)


def make(path: str, kind: str = "", group: str = "", version: str = "", create: bool = False) -> FieldSpec:
    return FieldSpec(group, version, kind, path, create, split_path(path))


def from_dict(entry: Any) -> FieldSpec:
    """A field spec from a kustomize configuration entry (`{path, group, version, kind, create}`)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"].strip("/"):
        raise RenderError(f"invalid field spec {entry!r}: it needs a string `path`")
    create = entry.get("create", False)
    return make(
        entry["path"],
        str(entry.get("kind") or ""),
        str(entry.get("group") or ""),
        str(entry.get("version") or ""),
        create is True or str(create).lower() == "true",
    )


def merge(specs: Iterable[FieldSpec], extra: Iterable[FieldSpec]) -> list[FieldSpec]:
    """Append `extra` specs not already present (same GVK and path), as kustomize's FsSlice.MergeAll."""
    out = list(specs)
    seen = {(f.group, f.version, f.kind, f.path) for f in out}
    for f in extra:
        key = (f.group, f.version, f.kind, f.path)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


Visitor = Callable[[Any, Any], None]  # (container, key)


def walk(data: Any, spec: FieldSpec, visit: Visitor, create_kind: str | None = None) -> None:
    """Call `visit(container, key)` for every field `spec.path` reaches in `data`.

    Sequences along the path are traversed element by element. Missing fields are created when the
    spec says `create` and `create_kind` is given ("map" or "scalar" for the last field). A scalar
    in the middle of the path is an error, as in kustomize.
    """
    _walk(data, spec.parts, 0, spec, visit, create_kind)


def _walk(node: Any, parts, i: int, spec: FieldSpec, visit: Visitor, create_kind: str | None) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, parts, i, spec, visit, create_kind)
        return
    if node is None:
        return
    if not isinstance(node, dict):
        raise RenderError(f"expected sequence or mapping node at {'/'.join(p for p, _ in parts[:i]) or '.'}")
    name, seq = parts[i]
    last = i == len(parts) - 1
    if name not in node:
        if seq or not spec.create or create_kind is None:
            return
        node[name] = ("" if create_kind == "scalar" else {}) if last else {}
    elif node[name] is None and not last and not seq:
        if spec.create and create_kind is not None:
            node[name] = {}
    elif node[name] is None and seq:
        return
    if last:
        visit(node, name)
    else:
        _walk(node[name], parts, i + 1, spec, visit, create_kind)


def paths(data: Any, spec: FieldSpec) -> list[tuple]:
    """The concrete paths (`("spec", "template", "metadata", "labels")`) `spec.path` reaches in `data`."""
    out: list[tuple] = []

    def go(node: Any, i: int, path: tuple) -> None:
        if isinstance(node, list):
            for j, item in enumerate(node):
                go(item, i, (*path, j))
            return
        if not isinstance(node, dict):
            return
        name = spec.parts[i][0]
        if name not in node:
            return
        if i == len(spec.parts) - 1:
            out.append((*path, name))
        else:
            go(node[name], i + 1, (*path, name))

    go(data, 0, ())
    return out
