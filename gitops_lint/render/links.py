"""kustomize's shared label/annotation nodes, emulated.

kustomize's labels and annotations transformers create one YAML node per key and resource and put
that same node at every field they set (metadata labels, selectors, pod template labels...). A
later in-place edit of one of them -- a `$(VAR)` substitution, a replacement -- therefore shows up
at all of them, while a patch or another transformer that sets a field replaces the node there and
unlinks it. A Resource keeps `links`: [current value, [paths]] groups recorded by the transformers.
"""

from __future__ import annotations

from typing import Any

from gitops_lint.core.datapath import dig
from gitops_lint.render.resource import Resource

_MISSING = object()


def _get(data: Any, path: tuple) -> Any:
    return dig(data, path, _MISSING)


def _set(data: Any, path: tuple, value: Any) -> None:
    parent = _get(data, path[:-1])
    if isinstance(parent, (dict, list)):
        parent[path[-1]] = value


def record(res: Resource, value: str, paths: list[tuple]) -> None:
    """The transformer just put one node holding `value` at all `paths`."""
    if len(paths) > 1:
        res.links.append([value, list(paths)])


def prune(res: Resource) -> None:
    """Forget paths whose value was replaced since the link was made (before an in-place edit)."""
    kept = []
    for value, paths in res.links:
        paths = [p for p in paths if _get(res.data, p) == value]
        if len(paths) > 1:
            kept.append([value, paths])
    res.links = kept


def propagate(res: Resource) -> None:
    """After an in-place edit: a linked path that changed carries its new value to the others."""
    for group in res.links:
        value, paths = group
        changed = [p for p in paths if _get(res.data, p) != value]
        if not changed:
            continue
        new = _get(res.data, changed[0])
        for p in paths:
            if _get(res.data, p) == value:
                _set(res.data, p, new)
        group[0] = new
