"""One side of a diff (base or head): its files, a light repository index, its roots and their renders.

Only what the diff needs is parsed: every kustomization file (for the reference graph), changed
files (for Argo CD / Flux pointers), and the files of the roots that are rendered. Files with the
same content on both sides are parsed once (a cache keyed by path and blob id shared by the sides).
"""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from gitops_lint.core.config import Config
from gitops_lint.core.datapath import as_dict
from gitops_lint.core.findings import Position
from gitops_lint.core.gc_pause import gc_paused
from gitops_lint.core.gitsource import content_id
from gitops_lint.core.loader import Document, ParsedFile, load_yaml
from gitops_lint.core.source import SourceTree, WorkingTree, read_or_none
from gitops_lint.helm.charts import chart_dirs
from gitops_lint.model.kustomizations import Kustomization, build_kustomization, is_kustomization_file
from gitops_lint.model.locator import FieldLocator
from gitops_lint.model.repository import Repository, is_yaml_path
from gitops_lint.render import RenderCache, RenderedObject, render

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
        meta = as_dict(self.data.get("metadata"))
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
        """File and position where a field was set (see model/locator.py)."""
        return FieldLocator(self.path, self.position, self.origins, self.document)(path)


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
        self._kustomizations: dict[tuple[str, str | None], Kustomization] = {}

    def get(self, tree: SourceTree, path: str, cid: str | None, raw: bytes | None = None) -> ParsedFile:
        key = (path, cid)
        if cid is None or key not in self._parsed:
            if raw is None:
                try:
                    raw = tree.read_bytes(path)
                except (OSError, ValueError):
                    raw = b""
            self._parsed[key] = load_yaml(path, raw, self.config.limits)
        return self._parsed[key]

    def __contains__(self, key: tuple[str, str | None]) -> bool:
        return key in self._parsed

    def put(self, path: str, cid: str | None, parsed: ParsedFile) -> None:
        if cid is not None:
            self._parsed[(path, cid)] = parsed

    def kustomization(self, path: str, cid: str | None, document: Document | None) -> Kustomization:
        """The reference index of a kustomization file, shared by both sides when the content is equal."""
        key = (path, cid)
        hit = self._kustomizations.get(key) if cid is not None else None
        if hit is None:
            hit = build_kustomization(path, document)
            if cid is not None:
                self._kustomizations[key] = hit
        return hit


@dataclass
class Side:
    """A tree, the content id of each of its files and a repository index over its kustomizations."""

    name: str  # "base" or "head"
    tree: SourceTree
    config: Config
    cache: ParseCache
    sha256: bool = False
    # files parsed into `repo` besides the kustomizations (what Helm releases depend on, when the change
    # can touch them: diff/helm_sides.index_releases); set before `repo` is first used
    also_parse: list[str] = field(default_factory=list)

    @cached_property
    def render_cache(self) -> RenderCache:
        """The renderer's cache for this side's tree (bases built once for all roots)."""
        return RenderCache()

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
    def chart_dirs(self) -> set[str]:
        """Directories of the side holding a Helm chart (`Chart.yaml`)."""
        return chart_dirs(self.files)

    @cached_property
    def file_set(self) -> set[str]:
        return set(self.files)

    def _read_listed(self, path: str) -> bytes:
        """A listed working-tree file (already checked to stay inside the root when listed)."""
        root = getattr(self.tree, "root", None)
        if isinstance(self.tree, WorkingTree) and root is not None and path in self.file_set:
            try:
                with open(os.path.join(root, path), "rb") as fh:
                    return fh.read()
            except OSError:
                return b""
        return read_or_none(self.tree, path) or b""

    def prefetch(self, paths) -> None:
        """Parse files not yet in the cache: read in one batch where the tree can, parsed in parallel
        when there are many."""
        missing = [p for p in paths if (p, self.ids.get(p)) not in self.cache]
        if not missing or (len(missing) < 8 and not hasattr(self.tree, "read_many")):
            return
        read_many = getattr(self.tree, "read_many", None)
        contents = read_many(missing) if read_many else {p: self._read_listed(p) for p in missing}
        items = [(p, contents.get(p) or b"") for p in missing]
        for path, parsed in zip(missing, parse_many(items, self.config.limits), strict=True):
            self.cache.put(path, self.ids.get(path), parsed)

    @cached_property
    def repo(self) -> Repository:
        """A Repository whose parsed files are the kustomizations (enough for the graph) and `also_parse`."""
        wanted = [f for f in self.files if is_kustomization_file(f)]
        wanted += [f for f in self.also_parse if not is_kustomization_file(f)]
        self.prefetch(wanted)
        parsed = {f: self.parsed(f) for f in wanted}
        excluded = self.config.excluded()
        unsafe = [u for u in self.tree.unsafe_paths() if not excluded.match_file(u.path)]
        return Repository(
            tree=self.tree, config=self.config, files=self.files, parsed_files=parsed, unsafe=unsafe,
            index_kustomization=lambda path, doc: self.cache.kustomization(path, self.ids.get(path), doc),
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
        self.prefetch([p for p in paths if p in self.ids and is_yaml_path(p)])
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
        paths = [f for f in self.files if is_yaml_path(f) and not is_kustomization_file(f)]
        read_many = getattr(self.tree, "read_many", None)
        contents = read_many(paths) if read_many else {}
        for f in paths:
            try:
                raw = contents[f] if f in contents else self.tree.read_bytes(f)
            except (OSError, ValueError):
                continue
            if b"argoproj.io" in raw or b"toolkit.fluxcd.io" in raw:
                candidates.append(f)
        return self.pointers_in(candidates)

    def document_at(self, path: str | None, position: Position) -> Document | None:
        """The document of file `path` that starts at `position` (where a rendered object came from)."""
        if not path or path not in self.ids:
            return None
        return next((d for d in self.parsed(path).documents if d.start == position), None)

    # -- rendering ------------------------------------------------------------------------------
    def render(self, root: str) -> tuple[list[Resource], list[str]]:
        """The objects a root produces (rendered for kustomize roots) and any errors."""
        self.prefetch(sorted(self.roots.get(root, ())))
        if self.is_kustomize_root(root):
            return self._render_kustomization(root)
        return self.manifests(sorted(self.roots.get(root, ()))), []

    def _render_kustomization(self, root: str) -> tuple[list[Resource], list[str]]:
        """The objects the built-in renderer builds for a kustomization root, or the error."""
        try:
            result = render(
                self.tree, root, load_restrictor=self.config.load_restrictor, parse=self.parsed,
                cache=self.render_cache,
            )
        except Exception as exc:  # a render failure is reported for this root, never fatal to the diff
            return [], [f"{root}: cannot render: {exc}"]
        return [self._rendered(obj) for obj in result.objects if isinstance(obj.data, dict)], []

    def _rendered(self, obj: RenderedObject) -> Resource:
        """A rendered object with its source document (to locate the fields it did not get from patches)."""
        document = self.document_at(obj.source, obj.position) if obj.position is not None else None
        return Resource(obj.data, obj.source, obj.position or Position(), document, dict(obj.field_origins or {}))

    def manifests(self, paths) -> list[Resource]:
        out = []
        for path in paths:
            for doc in self.parsed(path).documents:
                if isinstance(doc.data, dict) and doc.kind and doc.name and doc.api_version:
                    out.append(Resource(doc.data, path, doc.start, doc))
        return out


def parse_many(items: list[tuple[str, bytes]], limits) -> list[ParsedFile]:
    """Parse (path, bytes) pairs in order. Serial on purpose: measured on the 1,000-app benchmark, a
    process pool's pickling of position tables cost more than the second core saved."""
    with gc_paused():
        return [load_yaml(path, raw, limits) for path, raw in items]


def _pointer(doc: Document) -> Pointer | None:
    if (doc.group, doc.kind) not in POINTER_KINDS or not isinstance(doc.data, dict):
        return None
    spec = doc.get("spec", default={})
    if not isinstance(spec, dict):
        return None
    if doc.kind == "Application":
        many = spec.get("sources")
        sources = [spec.get("source")] + (many if isinstance(many, list) else [])
        paths = [s.get("path") for s in sources if isinstance(s, dict)]
        automated = doc.get("spec", "syncPolicy", "automated")
        prune = automated.get("prune") is True if isinstance(automated, dict) else None
    else:
        paths = [spec.get("path")]
        prune = spec["prune"] is True if isinstance(spec.get("prune"), bool) else None
    for path in paths:
        if isinstance(path, str) and path.strip():
            target = posixpath.normpath(path.strip().lstrip("/"))
            return Pointer(doc, "" if target == "." else target, prune)
    return None
