"""Built-in kustomize renderer: `render()` builds a kustomization directory of a SourceTree in-process,
with kustomize v5 semantics, no network and no execution. See build.py for the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gitops_lint.core.findings import Position
from gitops_lint.core.source import SourceTree, normalize
from gitops_lint.render import output_values
from gitops_lint.render.accumulator import Accumulator
from gitops_lint.render.build import Session, finalize
from gitops_lint.render.errors import NotRendered, RenderError, located
from gitops_lint.render.origin import origin_of

__all__ = ["NotRendered", "RenderCache", "RenderError", "RenderResult", "RenderedObject", "render"]


@dataclass
class RenderedObject:
    """One object of a build: its data, the file and document it came from, and field origins."""

    data: dict
    source: str
    position: Position
    field_origins: dict[str, tuple[str, Position]] = field(default_factory=dict)

    def origin(self, path) -> tuple[str, Position]:
        """Where the value at `path` was set: a patch/transformer origin, else the object's source."""
        return origin_of(self.field_origins, path) or (self.source, self.position)


@dataclass
class RenderResult:
    """A successful build of `root`: its objects in kustomize's output order."""

    root: str
    objects: list[RenderedObject]

    def to_yaml(self) -> str:
        """The objects as `kustomize build` prints them (keys sorted, `---` between documents)."""
        from gitops_lint.render.output import to_yaml

        return to_yaml([o.data for o in self.objects])


class RenderCache:
    """Sessions shared across renders of one tree (base builds and file parses are reused)."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[int, str], Session] = {}

    def session(self, tree: SourceTree, load_restrictor: str, parse, inflate: Callable | None = None) -> Session:
        key = (id(tree), load_restrictor)
        hit = self._sessions.get(key)
        if hit is None or hit.tree is not tree:
            hit = self._sessions[key] = Session(tree, load_restrictor, parse, inflate)
        return hit


def render(
    tree: SourceTree,
    root_dir: str,
    *,
    load_restrictor: str = "rootonly",
    parse: Callable | None = None,
    cache: RenderCache | None = None,
    inflate: Callable | None = None,
) -> RenderResult:
    """Build the kustomization in `root_dir` (repo-relative). Raises RenderError (NotRendered for
    helm charts, remote resources and KRM functions) when kustomize would fail or we cannot render.
    `inflate(kustomization, index)` renders one `helmCharts` entry; without it they are NotRendered."""
    try:
        root = normalize(root_dir.rstrip("/") if root_dir not in ("", ".", "./") else "")
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    session = (
        cache.session(tree, load_restrictor, parse, inflate)
        if cache is not None
        else Session(tree, load_restrictor, parse, inflate)
    )
    if not tree.is_dir(root):
        raise RenderError(f"{root or '.'} is not a directory")
    try:
        return _render(session, root)
    except RecursionError:
        raise RenderError("input nested too deeply to render", root or None) from None


def _render(session: Session, root: str) -> RenderResult:
    acc = session.build_dir(root, (), top=True)
    top = session.load_kustomization(root)
    work = Accumulator([r.copy() for r in acc.resources], acc.config, list(acc.vars))
    try:
        resources = finalize(session, work, top)
        output_values.finish(resources)
    except RenderError as exc:
        raise located(exc, top.path, None) from None
    return RenderResult(
        root, [RenderedObject(r.data, r.source, r.position, r.field_origins) for r in resources]
    )
