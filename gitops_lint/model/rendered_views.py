"""Rendered views of a repository: each kustomization root built once, on demand, per environment.

Per-environment rules (GL7xx), render-time checks (GL205), schema validation of rendered output
and declarative cards with `rendered: true` all read these views, so every root is rendered at
most once per run and base builds are shared through one `RenderCache`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import ParsedFile, load_yaml
from gitops_lint.model.helm_charts import ChartInflater
from gitops_lint.render import RenderCache, RenderedObject, RenderError, render
from gitops_lint.render.origin import origin_of

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
        self._doc_index: dict | None = None
        self._inflate = ChartInflater(repo)  # kustomize `helmCharts:` (a worker starts on first use)

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
                                parse=self._parse, cache=self._cache, inflate=self._inflate)
                hit.objects = result.objects
            except RenderError as exc:
                hit.error = exc
            except RecursionError:
                hit.error = RenderError("kustomization nesting too deep to render", directory, Position())
            self._results[directory] = hit
        return hit

    def locator(self, obj: RenderedObject):
        """`locate(path) -> (file, Position)`: the patch or transformer that set a field, else the
        field's own line in the source document the object came from."""
        doc = self._documents_by_start().get((obj.source, obj.position.line))

        def locate(path: tuple) -> tuple[str, Position]:
            path = tuple(path)
            exact = obj.field_origins.get(".".join(map(str, path))) if obj.field_origins else None
            if exact is not None:
                return exact
            if doc is not None and (path in doc.values or path in doc.keys):
                return obj.source, doc.position(path)
            hit = origin_of(obj.field_origins, path) if obj.field_origins else None
            if hit is not None:
                return hit
            return obj.source, doc.position(path) if doc is not None else obj.position

        return locate

    def _documents_by_start(self) -> dict:
        if self._doc_index is None:
            self._doc_index = {(d.path, d.start.line): d for d in self.repo.documents}
        return self._doc_index

    def environments(self) -> Iterator[RootRender]:
        """Renders of every top-level root tied to an environment (overlays, cluster dirs)."""
        for directory, _env in self.repo.environment_roots():
            yield self.root(directory)

    def deployed_roots(self) -> Iterator[RootRender]:
        """Renders of every top-level kustomization root that is not a Component, then the chart
        renders (Helm releases) when the repository has a chart provider."""
        for directory in self.repo.top_level_roots:
            if self.repo.kustomizations[directory].kind != "Component":
                yield self.root(directory)
        yield from self.chart_roots()

    def chart_roots(self) -> list[RootRender]:
        """Rendered Helm releases (empty without a chart provider)."""
        provider = self.repo.chart_provider
        return provider(self.repo) if provider is not None else []
