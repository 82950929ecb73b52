"""One side of a diff (base or head): its files, a light repository index, its roots and their renders.

Only what the diff needs is parsed: every kustomization file (for the reference graph), changed
files (for Argo CD / Flux pointers), and the files of the roots that are rendered. Files with the
same content on both sides are parsed once (a cache keyed by path and blob id shared by the sides).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from .config import Config
from .findings import Position
from .gitsource import content_id
from .kustomizations import is_kustomization_file
from .loader import Document, ParsedFile, load_yaml
from .render.origin import origin_of
from .render_adapter import render_objects
from .repository import Repository, is_yaml_path
from .source import SourceTree

POINTER_KINDS = {("argoproj.io", "Application"), ("kustomize.toolkit.fluxcd.io", "Kustomization")}


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
        meta = self.data.get("metadata") if isinstance(self.data.get("metadata"), dict) else {}
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


@dataclass
class Pointer:
    """An Argo CD Application or Flux Kustomization and the directory it deploys."""

    document: Document
    target: str
    prune: bool | None  # None: unknown (manual sync)


class ParseCache:
    """ParsedFile by (path, content id): shared by both sides so unchanged files are parsed once."""

    def __init__(self, config: Config):
        self.config = config
        self._parsed: dict[tuple[str, str | None], ParsedFile] = {}

    def get(self, tree: SourceTree, path: str, cid: str | None) -> ParsedFile:
        key = (path, cid)
        if cid is None or key not in self._parsed:
            try:
                raw = tree.read_bytes(path)
            except (OSError, ValueError):
                raw = b""
            self._parsed[key] = load_yaml(path, raw, self.config.limits)
        return self._parsed[key]


@dataclass
class Side:
    """A tree, the content id of each of its files and a repository index over its kustomizations."""

    name: str  # "base" or "head"
    tree: SourceTree
    config: Config
    cache: ParseCache
    sha256: bool = False
    render_cache: object | None = None  # the renderer's RenderCache, created on first render

    @cached_property
    def files(self) -> list[str]:
        excluded = self.config.excluded()
        return [f for f in self.tree.files() if not excluded.match_file(f)]

    @cached_property
    def ids(self) -> dict[str, str | None]:
        return {f: content_id(self.tree, f, self.sha256) for f in self.files}

    def parsed(self, path: str) -> ParsedFile:
        return self.cache.get(self.tree, path, self.ids.get(path))

    @cached_property
    def repo(self) -> Repository:
        """A Repository whose parsed files are the kustomizations only (enough for the graph)."""
        parsed = {f: self.parsed(f) for f in self.files if is_kustomization_file(f)}
        excluded = self.config.excluded()
        unsafe = [u for u in self.tree.unsafe_paths() if not excluded.match_file(u.path)]
        return Repository(
            tree=self.tree, config=self.config, files=self.files, parsed_files=parsed, unsafe=unsafe
        )

    # -- roots ----------------------------------------------------------------------------------
    @cached_property
    def roots(self) -> dict[str, set[str]]:
        """Root directory -> the files it reads: kustomization roots, then plain-manifest directories."""
        repo = self.repo
        roots = {
            r: repo.files_read_by(r)
            for r in repo.top_level_roots
            if repo.kustomizations[r].kind != "Component"
        }
        read = set().union(*roots.values()) if roots else set()
        loose: dict[str, set[str]] = defaultdict(set)
        for f in self.files:
            directory = posixpath.dirname(f)
            if is_yaml_path(f) and f not in read and directory not in repo.kustomizations:
                loose[directory].add(f)
        for directory, files in loose.items():
            roots.setdefault(directory, files)
        return roots

    def is_kustomize_root(self, root: str) -> bool:
        return root in self.repo.kustomizations

    def pointers_in(self, paths) -> list[Pointer]:
        """Argo CD Applications and Flux Kustomizations declared in the given files."""
        found = []
        for path in sorted(paths):
            if path not in self.ids or not is_yaml_path(path):
                continue
            for doc in self.parsed(path).documents:
                pointer = _pointer(doc)
                if pointer is not None:
                    found.append(pointer)
        return found

    @cached_property
    def all_pointers(self) -> list[Pointer]:
        """Every pointer of the tree (read lazily: only when a rule needs to know the prune policy)."""
        candidates = []
        for f in self.files:
            if is_yaml_path(f) and not is_kustomization_file(f):
                try:
                    raw = self.tree.read_bytes(f)
                except (OSError, ValueError):
                    continue
                if b"argoproj.io" in raw or b"toolkit.fluxcd.io" in raw:
                    candidates.append(f)
        return self.pointers_in(candidates)

    # -- rendering ------------------------------------------------------------------------------
    def render(self, root: str) -> tuple[list[Resource], list[str]]:
        """The objects a root produces (rendered for kustomize roots) and any errors."""
        if self.is_kustomize_root(root):
            return render_objects(self, root)
        return self.manifests(sorted(self.roots.get(root, ()))), []

    def manifests(self, paths) -> list[Resource]:
        out = []
        for path in paths:
            for doc in self.parsed(path).documents:
                if isinstance(doc.data, dict) and doc.kind and doc.name and doc.api_version:
                    out.append(Resource(doc.data, path, doc.start, doc))
        return out

    def environment_of(self, root: str) -> str | None:
        return self.repo.environment_of(root)

    def app_of(self, root: str) -> str | None:
        best = None
        for app in self.repo.apps.values():
            if (root == app.dir or root.startswith(app.dir + "/")) and (
                best is None or len(app.dir) > len(best.dir)
            ):
                best = app
        return best.name if best else None


def _pointer(doc: Document) -> Pointer | None:
    if (doc.group, doc.kind) not in POINTER_KINDS or not isinstance(doc.data, dict):
        return None
    spec = doc.get("spec", default={})
    if not isinstance(spec, dict):
        return None
    if doc.kind == "Application":
        sources = [spec.get("source")] + list(spec.get("sources") or [])
        paths = [s.get("path") for s in sources if isinstance(s, dict)]
        automated = doc.get("spec", "syncPolicy", "automated")
        prune = bool(automated.get("prune")) if isinstance(automated, dict) else None
    else:
        paths = [spec.get("path")]
        prune = bool(spec.get("prune")) if "prune" in spec else None
    for path in paths:
        if isinstance(path, str) and path.strip():
            target = posixpath.normpath(path.strip().lstrip("/"))
            return Pointer(doc, "" if target == "." else target, prune)
    return None
