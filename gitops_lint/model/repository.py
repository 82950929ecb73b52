"""The repository index: every file parsed once, documents by kind, kustomizations, apps, environments.

Rules are functions over this index; nothing here reports findings except the loader's own
violations (kept in `load_violations` for the cards that report their kinds to emit).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from gitops_lint.core.config import KNOWN_ENVIRONMENTS, Config
from gitops_lint.core.findings import Violation
from gitops_lint.core.gc_pause import gc_paused
from gitops_lint.core.loader import UNSAFE_CONTENT, Document, Limits, ParsedFile, decode_text, load_yaml
from gitops_lint.core.source import (
    SourceTree,
    UnsafePath,
    base_name,
    dirs_holding,
    is_below,
    parent_dirs,
    parent_of,
    read_or_none,
)
from gitops_lint.model.kustomizations import Kustomization, build_kustomization, is_kustomization_file
from gitops_lint.model.layout import App, discover_apps, infer_environments
from gitops_lint.model.rendered_views import RenderedViews

if TYPE_CHECKING:
    from gitops_lint.model.partition import Share

T = TypeVar("T")
YAML_SUFFIXES = (".yaml", ".yml")
PARALLEL_THRESHOLD = 400  # files; below this a process pool costs more than it saves


def is_yaml_path(path: str) -> bool:
    return path.endswith(YAML_SUFFIXES) or base_name(path) == "Kustomization"


@dataclass
class Repository:
    """Everything rules need to know about one tree of files (`files` is sorted)."""

    tree: SourceTree
    config: Config
    files: list[str]
    parsed_files: dict[str, ParsedFile]
    unsafe: list[UnsafePath] = field(default_factory=list)
    jobs: int | None = None  # worker processes allowed (--jobs); None: one per CPU
    # how one kustomization file is indexed (the diff shares one index between its two sides)
    index_kustomization: Callable[[str, Document | None], Kustomization] = field(
        default=build_kustomization, repr=False, compare=False)
    # renders beside the kustomization roots (Helm releases: deploy/helm_releases.chart_roots), given by
    # the caller because the model cannot import the operator packages that find them
    chart_provider: Callable[[Repository], list] | None = None
    # `check --shard K/N`, `check FILE…`: the roots and files this run checks (model/partition.py); rules
    # of scope `root` or `file` run with it active (`restricted`), so the rendered views yield only its roots
    share: Share | None = field(default=None, repr=False, compare=False)
    active_share: Share | None = field(default=None, repr=False, compare=False)
    _derived: dict[Callable[[Repository], object], object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, tree: SourceTree, config: Config, jobs: int | None = None,
              chart_provider: Callable[[Repository], list] | None = None,
              known: Mapping[str, ParsedFile] | None = None) -> Repository:
        """List, filter and parse the tree (in parallel for large trees); `known`: parses of
        unchanged files kept from an earlier run (`lint.parse_cache`), taken as they are."""
        excluded = config.excluded()
        files = [f for f in tree.files() if not excluded.match_file(f)]
        templates = helm_template_dirs(files)
        yaml_files = [f for f in files if is_yaml_path(f) and not is_below(f, templates)]
        parsed = parse_files(tree, yaml_files, config.limits, jobs, known)
        unsafe = [u for u in tree.unsafe_paths() if not excluded.match_file(u.path)]
        return cls(tree=tree, config=config, files=files, parsed_files=parsed, unsafe=unsafe, jobs=jobs,
                   chart_provider=chart_provider)

    def derived(self, build: Callable[[Repository], T]) -> T:
        """An index derived from this repository (the Argo CD model, the schema store…), built by
        `build(repo)` on first use and shared by every rule of the run (keyed by `build` itself, so
        pass a module-level function or class, never a lambda)."""
        if build not in self._derived:
            active, self.active_share = self.active_share, None  # an index of the whole repository, in a shard too
            try:
                self._derived[build] = build(self)
            finally:
                self.active_share = active
        return cast(T, self._derived[build])  # one entry per build function: its own result type

    @contextmanager
    def restricted(self) -> Iterator[None]:
        """While active, the rendered views yield only the share's roots (no-op without a share)."""
        previous, self.active_share = self.active_share, self.share
        try:
            yield
        finally:
            self.active_share = previous

    def owns_file(self, path: str) -> bool:
        """Whether the active share (a shard's, while `restricted`) owns `path`; always without one."""
        return self.active_share is None or self.active_share.owns_file(path)

    # -- files -------------------------------------------------------------------------------
    def parsed(self, path: str) -> ParsedFile | None:
        return self.parsed_files.get(path)

    @cached_property
    def _texts(self) -> dict[str, str | None]:
        return {p: f.text for p, f in self.parsed_files.items()}

    def text(self, path: str) -> str | None:
        """Decoded text of any file (None for binary, oversized or unreadable files); read once."""
        texts = self._texts
        if path not in texts:
            try:
                raw = self.tree.read_bytes(path)
            except (OSError, ValueError):
                texts[path] = None
            else:
                texts[path] = decode_text(path, raw, self.config.limits)[0]
        return texts[path]

    @cached_property
    def load_violations(self) -> list[Violation]:
        return [v for f in self.parsed_files.values() for v in f.violations]

    # -- Kubernetes documents -----------------------------------------------------------------
    @cached_property
    def documents(self) -> list[Document]:
        """Mapping documents of non-kustomization YAML files (manifests, patches, Argo/Flux objects)."""
        return [
            d
            for path, f in self.parsed_files.items()
            if not is_kustomization_file(path)
            for d in f.documents
            if isinstance(d.data, dict)
        ]

    @cached_property
    def _by_kind(self) -> dict[str, list[Document]]:
        index: dict[str, list[Document]] = defaultdict(list)
        for doc in self.documents:
            kind = doc.kind
            if kind:
                index[kind].append(doc)
                group = doc.group
                if group:
                    index[f"{group}/{kind}"].append(doc)
        return index

    def objects(self, *kinds: str) -> list[Document]:
        """Documents of the given kinds: `Kind` or `group/Kind` (e.g. `argoproj.io/Application`)."""
        out: list[Document] = []
        for kind in kinds:
            out.extend(self._by_kind.get(kind, ()))
        return out

    # -- kustomize ------------------------------------------------------------------------------
    @cached_property
    def kustomization_files(self) -> dict[str, list[str]]:
        """Directory → every kustomization file in it (more than one is GL207)."""
        by_dir: dict[str, list[str]] = defaultdict(list)
        for path in self.files:
            if is_kustomization_file(path):
                by_dir[parent_of(path)].append(path)
        return dict(by_dir)

    @cached_property
    def kustomizations(self) -> dict[str, Kustomization]:
        """Directory → its kustomization (the first file, by kustomize's precedence)."""
        result = {}
        for directory, paths in self.kustomization_files.items():
            path = min(paths, key=kustomization_precedence)
            parsed = self.parsed_files.get(path)
            doc = parsed.documents[0] if parsed and parsed.documents else None
            result[directory] = self.index_kustomization(path, doc)
        return result

    @cached_property
    def kustomization_children(self) -> dict[str, list[str]]:
        """Directory → kustomization directories it includes (resources, bases, components)."""
        children: dict[str, list[str]] = {}
        for directory, k in self.kustomizations.items():
            children[directory] = [
                r.target for r in k.refs("resources", "bases", "components")
                if r.target is not None and r.target in self.kustomizations
            ]
        return children

    def reachable_kustomizations(self, directory: str, seen: set[str] | None = None) -> list[str]:
        """`directory` and every kustomization directory it includes, transitively (cycle-safe), in
        depth-first order. `seen`: directories already collected with everything they include; they are
        skipped, and the new ones are added to it (one pass over many starting points)."""
        seen = set() if seen is None else seen
        order: list[str] = []
        stack = [directory]
        while stack:
            current = stack.pop()
            if current in seen or current not in self.kustomizations:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(reversed(self.kustomization_children.get(current, [])))
        return order

    def files_read_by(self, directory: str) -> set[str]:
        """Every file a kustomization root reads, transitively (its own file and all referenced paths);
        a new set on every call, computed once per directory."""
        memo = self._files_read_memo
        reads = memo.get(directory)
        if reads is None:
            reads = memo[directory] = frozenset().union(
                *(self._direct_reads(k) for k in self.reachable_kustomizations(directory)))
        return set(reads)

    @cached_property
    def _files_read_memo(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property
    def _direct_reads_memo(self) -> dict[str, frozenset[str]]:
        return {}

    def _direct_reads(self, kdir: str) -> frozenset[str]:
        """Files one kustomization reads itself (not through the kustomizations it includes); memoised,
        as bases are shared by many roots."""
        memo = self._direct_reads_memo
        if kdir not in memo:
            k = self.kustomizations[kdir]
            read = {k.path}
            for r in k.references:
                if r.target is None or r.target in self.kustomizations:
                    continue
                if self.tree.is_file(r.target):
                    read.add(r.target)
                elif self.tree.is_dir(r.target):
                    read.update(f for f in self.files if f.startswith(r.target + "/"))
            memo[kdir] = frozenset(read)
        return memo[kdir]

    @cached_property
    def patch_files(self) -> set[str]:
        """Files that kustomizations use as patches or configuration (partial objects, not manifests)."""
        fields = ("patches", "patchesStrategicMerge", "patchesJson6902", "replacements", "transformers",
                  "generators", "validators", "configurations", "crds", "openapi")
        return {r.target for k in self.kustomizations.values() for r in k.refs(*fields) if r.target}

    @cached_property
    def included_kustomizations(self) -> set[str]:
        """Kustomization directories that some other kustomization includes."""
        return {c for children in self.kustomization_children.values() for c in children}

    @cached_property
    def top_level_roots(self) -> list[str]:
        """Kustomization directories nothing else includes (what a user or operator builds).

        An inclusion cycle (a directory including itself, `a` ↔ `b`) that nothing outside it includes
        contributes its first directory, so that the cycle is rendered and reported, not hidden."""
        roots = [d for d in sorted(self.kustomizations) if d not in self.included_kustomizations]
        covered: set[str] = set()
        for root in roots:
            self.reachable_kustomizations(root, covered)
        for directory in sorted(self.kustomizations):
            if directory not in covered:
                roots.append(directory)
                self.reachable_kustomizations(directory, covered)
        return sorted(roots)

    # -- layout ---------------------------------------------------------------------------------
    @cached_property
    def apps(self) -> dict[str, App]:
        return discover_apps(self.tree, self.config, self.kustomizations)

    @cached_property
    def environments(self) -> list[str]:
        """Configured environments, else those the majority of apps use."""
        if self.config.environments:
            return list(self.config.environments)
        return infer_environments(self.apps.values())

    @cached_property
    def _overlay_environments(self) -> dict[str, str]:
        return {overlay: env for app in self.apps.values() for env, overlay in app.overlays.items()}

    @cached_property
    def _environment_names(self) -> set[str]:
        known = {e.lower() for e in self.environments} | {e.lower() for e in self.config.production}
        if not self.config.environments:
            known |= set(KNOWN_ENVIRONMENTS)
        return known

    @cached_property
    def _environment_cache(self) -> dict[str, str | None]:
        return {}

    def environment_of(self, path: str) -> str | None:
        """The environment a path belongs to, from its overlay or a path segment naming one."""
        cache = self._environment_cache
        if path not in cache:
            cache[path] = self._find_environment(path)
        return cache[path]

    def _find_environment(self, path: str) -> str | None:
        overlays = self._overlay_environments
        for probe in parent_dirs(path):
            if probe in overlays:
                return overlays[probe]
        known = self._environment_names
        for segment in path.split("/"):
            if segment.lower() in known:
                return segment
        return None

    @cached_property
    def _app_names(self) -> dict[str, str]:
        return {app.dir: app.name for app in self.apps.values()}

    def app_of(self, path: str) -> str | None:
        """The name of the innermost app whose directory holds `path`."""
        names = self._app_names
        return next((names[d] for d in parent_dirs(path) if d in names), None)

    @cached_property
    def rendered(self) -> RenderedViews:
        """Rendered views of the kustomization roots (built on demand, each root once)."""
        return RenderedViews(self)

    def environment_roots(self) -> Iterator[tuple[str, str]]:
        """(root directory, environment) for every top-level kustomization tied to an environment."""
        for root in self.top_level_roots:
            env = self.environment_of(root)
            if env is not None and self.kustomizations[root].kind != "Component":
                yield root, env


def helm_template_dirs(files: list[str]) -> set[str]:
    """`templates/` directories of Helm charts: Go templates, not YAML until Helm renders them."""
    charts = dirs_holding(files, "Chart.yaml")
    return {f"{c}/templates" if c else "templates" for c in charts}


def kustomization_precedence(path: str) -> int:
    """kustomize's order among kustomization file names in one directory (lower wins)."""
    order = {"kustomization.yaml": 0, "kustomization.yml": 1, "Kustomization": 2}
    return order.get(base_name(path), 3)


def parse_files(tree: SourceTree, paths: list[str], limits: Limits, jobs: int | None,
                known: Mapping[str, ParsedFile] | None = None) -> dict[str, ParsedFile]:
    """Parse YAML files, each exactly once (those in `known` not at all); a process pool for large
    trees when jobs allow. The result follows the order of `paths`."""
    known = known or {}
    with gc_paused():  # parsing keeps most of what it allocates: collector passes would find nothing
        fresh = _parse_files(tree, [p for p in paths if p not in known], limits, jobs or os.cpu_count() or 1)
    return {p: known[p] if p in known else fresh[p] for p in paths} if known else fresh


def _parse_files(tree: SourceTree, paths: list[str], limits: Limits, jobs: int) -> dict[str, ParsedFile]:
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        return {p: _parse_one(tree, p, limits) for p in paths}
    contents = [(p, read_or_none(tree, p)) for p in paths]
    chunk = max(1, len(contents) // (jobs * 4))
    batches = [contents[i : i + chunk] for i in range(0, len(contents), chunk)]
    result: dict[str, ParsedFile] = {}
    from concurrent.futures import ProcessPoolExecutor  # here: only a run that starts a pool imports it

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for batch in pool.map(_parse_batch, batches, [limits] * len(batches)):
            for parsed in batch:
                result[parsed.path] = parsed
    return {p: result[p] for p in paths}


def _parse_one(tree: SourceTree, path: str, limits: Limits) -> ParsedFile:
    raw = read_or_none(tree, path)
    return _parse_bytes(path, raw, limits)


def _parse_bytes(path: str, raw: bytes | None, limits: Limits) -> ParsedFile:
    if raw is None:
        return ParsedFile(path, None, [], [Violation(path, "file cannot be read", key="unreadable", kind=UNSAFE_CONTENT)])
    return load_yaml(path, raw, limits)


def _parse_batch(batch: Iterable[tuple[str, bytes | None]], limits: Limits) -> list[ParsedFile]:
    with gc_paused():
        return [_parse_bytes(path, raw, limits) for path, raw in batch]
