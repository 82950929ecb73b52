"""Rendered views of a repository: each kustomization root built once, on demand, per environment.

Per-environment rules (GL7xx), render-time checks (GL205), schema validation of rendered output
and declarative cards with `rendered: true` all read these views, so every root is rendered at
most once per run and base builds are shared through one `RenderCache`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import ParsedFile, load_yaml
from gitops_lint.model.file_roles import skipped_root
from gitops_lint.render import RenderCache, RenderedObject, RenderError, render
from gitops_lint.render.origin import origin_of

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
        self._doc_index: dict | None = None
        self._flux_paths: set[str] | None = None

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
                                parse=self._parse, cache=self._cache)
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
            if not skipped_root(self.repo, directory):
                yield self.root(directory)

    def deployed_roots(self, judged: Callable[[str], bool] | None = None) -> Iterator[RootRender]:
        """Renders of every top-level kustomization root that is not a Component, nor a test fixture,
        template, tool config or a kustomization commented out of its parent (`file_roles.skipped_root`);
        with `judged`, only roots whose kustomization file it accepts (`deploy.file_roles.judged`)."""
        for directory in self.repo.top_level_roots:
            k = self.repo.kustomizations[directory]
            if k.kind == "Component" or skipped_root(self.repo, directory):
                continue
            if judged is None or judged(k.path):
                yield self.root(directory)


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
