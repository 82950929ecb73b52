"""Rendered views of a repository: each kustomization root built once, on demand, per environment.

Per-environment rules (GL7xx), render-time checks (GL205), schema validation of rendered output
and declarative cards with `rendered: true` all read these views, so every root is rendered at
most once per run and base builds are shared through one `RenderCache`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document, ParsedFile, load_yaml
from gitops_lint.model.file_roles import skipped_root
from gitops_lint.model.helm_charts import ChartInflater
from gitops_lint.model.locator import FieldLocator, document_at
from gitops_lint.render import RenderCache, RenderedObject, RenderError, render

FLUX_KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/Kustomization"

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
        self._flux_paths: set[str] | None = None
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
                result = render(self.repo.tree, directory, load_restrictor=self.load_restrictor(directory),
                                parse=self._parse, cache=self._cache, inflate=self._inflate)
                hit.objects = result.objects
            except RenderError as exc:
                hit.error = exc
            except RecursionError:
                hit.error = RenderError("kustomization nesting too deep to render", directory, Position())
            self._results[directory] = hit
        return hit

    def load_restrictor(self, directory: str) -> str:
        """The load restrictor of the operator that builds `directory`: Flux's kustomize-controller builds
        with LoadRestrictionsNone, so a root a Flux Kustomization's `spec.path` names may read files above
        itself; anything else is built with the configured restrictor (kustomize's default, rootonly)."""
        configured = self.repo.config.load_restrictor
        if configured == "none":
            return configured
        if self._flux_paths is None:
            self._flux_paths = _flux_paths(self.repo)
        kustomizations = self.repo.kustomizations
        named = any(
            directory == p
            or directory.endswith("/" + p)
            or (p not in kustomizations and (not p or directory.startswith(p + "/")))  # Flux generates one
            for p in self._flux_paths
        )
        return "none" if named else configured

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
        share = self.repo.active_share
        for directory, _env in self.repo.environment_roots():
            if not skipped_root(self.repo, directory) and (share is None or share.owns_root(directory)):
                yield self.root(directory)

    def deployed_roots(self, judged: Callable[[str], bool] | None = None) -> Iterator[RootRender]:
        """Renders of every top-level kustomization root that is not a Component, nor a test fixture,
        template, tool config or a kustomization commented out of its parent (`file_roles.skipped_root`);
        with `judged`, only roots whose kustomization file it accepts (`deploy.file_roles.judged`); then
        the chart renders (Helm releases) when the repository has a chart provider. While a share is active
        (`Repository.restricted`: a shard, or `check FILE…`), only its roots (and the charts if it renders them)."""
        share = self.repo.active_share
        owned = None if share is None else share.owns_root
        for directory in self.deployed_dirs(judged, owned):
            yield self.root(directory)
        yield from self.chart_roots()

    def deployed_dirs(self, judged: Callable[[str], bool] | None = None,
                      among: Callable[[str], bool] | None = None) -> Iterator[str]:
        """The directories `deployed_roots` renders, of the whole repository (`among`: of those it accepts),
        without rendering them."""
        for directory in self.repo.top_level_roots:
            if among is not None and not among(directory):
                continue
            k = self.repo.kustomizations[directory]
            if k.kind == "Component" or skipped_root(self.repo, directory):
                continue
            if judged is None or judged(k.path):
                yield directory

    def chart_roots(self) -> list[RootRender]:
        """Rendered Helm releases (empty without a chart provider, and in a share that does not render them)."""
        provider = self.repo.chart_provider
        share = self.repo.active_share
        return provider(self.repo) if provider is not None and (share is None or share.charts) else []


def _flux_paths(repo: Repository) -> set[str]:
    """`spec.path` of every Flux Kustomization, as written (relative to its source's root, which may be a
    sub-directory of this tree: an OCI artifact, a monorepo prefix), without `./`."""
    out = set()
    for doc in repo.objects(FLUX_KUSTOMIZATION):
        spec = doc.data.get("spec")
        path = spec.get("path") if isinstance(spec, dict) else None
        if isinstance(path, str) and "${" not in path:
            clean = posixpath.normpath("/" + path.strip()).lstrip("/")
            if not clean.startswith(".."):
                out.add(clean)
    return out
