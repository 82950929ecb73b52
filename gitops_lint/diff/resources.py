"""A resource of a diff side: one rendered (or plain) object of a root and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.render.origin import origin_of


@dataclass
class Resource:
    """One rendered object of a root, with where it came from."""

    data: dict
    path: str | None
    position: Position
    document: Document | None = None
    origins: dict = field(default_factory=dict)  # dotted field path -> (file, Position) set by patches

    @property
    def key(self) -> tuple[str, str, str, str]:
        meta = self.data.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        return (
            str(self.data.get("apiVersion", "")),
            str(self.data.get("kind", "")),
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
        )

    @property
    def ref(self) -> str:
        _, kind, ns, name = self.key
        return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"

    def location(self, *path) -> tuple[str | None, Position]:
        """File and position where a field was set: a patch or transformer, else the source document."""
        hit = origin_of(self.origins, path) if self.origins and path else None
        if hit is not None:
            return hit
        if self.document is not None:
            return self.path, self.document.position(tuple(path))
        return self.path, self.position
