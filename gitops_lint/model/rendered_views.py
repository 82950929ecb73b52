"""Rendered views of a repository: each kustomization root built once, on demand, per environment.

Per-environment rules (GL7xx), render-time checks (GL205), schema validation of rendered output
and declarative cards with `rendered: true` all read these views, so every root is rendered at
most once per run and base builds are shared through one `RenderCache`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document, ParsedFile, load_yaml
from gitops_lint.model.locator import FieldLocator, document_at
from gitops_lint.render import RenderCache, RenderedObject, RenderError, render

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository


@dataclass
class RootRender:
    """The build of one kustomization root: its objects, or the error that stopped it."""

    root: str
    environment: str | None
    objects: list[RenderedObject] = field(default_factory=list)
    error: RenderError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class RenderedViews:
    """Lazily rendered kustomization roots of one repository (one instance per Repository)."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._cache = RenderCache()
        self._results: dict[str, RootRender] = {}

    def _parse(self, path: str) -> ParsedFile:
        parsed = self.repo.parsed(path)
        if parsed is not None:
            return parsed
        try:
            return load_yaml(path, self.repo.tree.read_bytes(path), self.repo.config.limits)
        except (OSError, ValueError) as exc:
            raise RenderError(f"cannot read {path}: {exc}", path) from None

    def root(self, directory: str) -> RootRender:
        """Render the kustomization in `directory` (cached)."""
        hit = self._results.get(directory)
        if hit is None:
            hit = RootRender(directory, self.repo.environment_of(directory))
            try:
                result = render(self.repo.tree, directory, load_restrictor=self.repo.config.load_restrictor,
                                parse=self._parse, cache=self._cache)
                hit.objects = result.objects
            except RenderError as exc:
                hit.error = exc
            except RecursionError:
                hit.error = RenderError("kustomization nesting too deep to render", directory, Position())
            self._results[directory] = hit
        return hit

    def locator(self, obj: RenderedObject, *, into_patches: bool = False) -> FieldLocator:
        """Where each field of a rendered object was set (see model/locator.py); `into_patches` points
        at the field's own line inside a patch document that set a whole block."""
        document = document_at(self.documents_of(obj.source), obj.position)
        patches = self.documents_of if into_patches else None
        return FieldLocator(obj.source, obj.position, obj.field_origins, document, patches)

    def documents_of(self, path: str) -> Sequence[Document]:
        """The parsed documents of a file of the repository (none for files it did not parse)."""
        parsed = self.repo.parsed(path)
        return parsed.documents if parsed is not None else ()

    def environments(self) -> Iterator[RootRender]:
        """Renders of every top-level root tied to an environment (overlays, cluster dirs)."""
        for directory, _env in self.repo.environment_roots():
            yield self.root(directory)

    def deployed_roots(self) -> Iterator[RootRender]:
        """Renders of every top-level kustomization root that is not a Component."""
        for directory in self.repo.top_level_roots:
            if self.repo.kustomizations[directory].kind != "Component":
                yield self.root(directory)
