"""Origins of rendered objects and of the fields that patches and transformers set.

`RenderedObject.field_origins` maps a dotted field path (`spec.replicas`,
`metadata.labels.app`, `spec.template.spec.containers.0.image`) to the file and position of the
kustomization entry or patch that last set it. `origin_of` finds the nearest recorded ancestor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gitops_lint.core.findings import Position


def origin_of(field_origins: Mapping[str, tuple[str, Position]], path: str | Iterable) -> tuple[str, Position] | None:
    """The origin recorded for `path` (a dotted string or a tuple) or its closest ancestor."""
    parts = [str(p) for p in (path.split(".") if isinstance(path, str) else path)]
    while parts:
        hit = field_origins.get(".".join(parts))
        if hit is not None:
            return hit
        parts.pop()
    return None
