"""Render a kustomization root of one diff side with the built-in renderer."""

from __future__ import annotations

from typing import Protocol

from gitops_lint.core.config import Config
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document, ParsedFile
from gitops_lint.core.source import SourceTree
from gitops_lint.diff.resources import Resource
from gitops_lint.render import RenderCache, RenderedObject, render


class RenderSource(Protocol):
    """What rendering needs of a side (`gitops_lint.diff.sides.Side` is one)."""

    tree: SourceTree
    config: Config

    @property
    def render_cache(self) -> RenderCache: ...

    def parsed(self, path: str) -> ParsedFile: ...

    def document_at(self, path: str | None, position: Position) -> Document | None: ...


def render_objects(side: RenderSource, root: str) -> tuple[list[Resource], list[str]]:
    """(objects, errors) for one kustomization root of one side."""
    try:
        result = render(
            side.tree,
            root,
            load_restrictor=side.config.load_restrictor,
            parse=side.parsed,
            cache=side.render_cache,
        )
    except Exception as exc:  # a render failure is reported for this root, never fatal to the diff
        return [], [f"{root}: cannot render: {exc}"]
    return [_resource(side, obj) for obj in result.objects if isinstance(obj.data, dict)], []


def _resource(side: RenderSource, obj: RenderedObject) -> Resource:
    """A rendered object with its source document (to locate the fields it did not get from patches)."""
    position = obj.position or Position()
    document = side.document_at(obj.source, obj.position) if obj.position is not None else None
    return Resource(obj.data, obj.source, position, document, dict(obj.field_origins or {}))
