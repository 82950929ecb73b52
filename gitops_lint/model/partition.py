"""The share of a repository one CI shard checks (`check --shard K/N`): kustomization roots by unit.

A unit is a connected group of top-level kustomization roots that read common files (an app's base,
its overlays and its own components), so every root that can report on a file is in the same unit,
and so in the same shard. Only a kustomize Component that sets nothing but labels and annotations
(a mix-in such as a team annotation on every app) does not join the units that include it: those
files are the `hubs`. No built-in root-scoped rule reports on such a line (nor can a build fail there:
its values are strings), so no finding of theirs is split across shards. A unit's size is the
characters of the files it reads. Units go to shards by rendezvous hashing with a bounded load:
deterministic, balanced, and when an unrelated app is added most units keep their shard.

`check FILE…` checks a share built from the same units (`share_for`): every unit that reads a named
file, so every root that can report on it (and every root that reads a named hub), owning exactly the
named files.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository

LOAD_SLACK = 1.1  # a shard takes units past its first choices once it holds 110 % of the mean


@dataclass(frozen=True)
class Unit:
    """Roots that share files, the files they read (hubs excepted) and their size."""

    name: str  # its first root: stable while the unit's own files do not change
    roots: tuple[str, ...]
    files: frozenset[str]
    size: int


@dataclass(frozen=True)
class Share:
    """What a restricted run checks: its kustomization roots, whether it renders the Helm releases
    (repository-wide work), and (`owns_file`) the files whose file-scoped findings are its own."""

    roots: frozenset[str]
    charts: bool

    def owns_root(self, directory: str) -> bool:
        return directory in self.roots

    def owns_file(self, path: str) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class ShardShare(Share):
    """Shard `index` of `count` (`check --shard K/N`); shard 1 renders the charts."""

    index: int
    count: int
    file_shards: dict[str, int] = field(default_factory=dict, compare=False)  # unit files → their shard

    def owns_file(self, path: str) -> bool:
        """A file read by a unit goes with the unit; any other file (hubs too) by a hash of its path."""
        shard = self.file_shards.get(path)
        return (shard if shard is not None else path_shard(path, self.count)) == self.index


@dataclass(frozen=True)
class FileShare(Share):
    """The share of `check FILE…`: it owns exactly the named files."""

    files: frozenset[str]

    def owns_file(self, path: str) -> bool:
        return path in self.files


def path_shard(path: str, count: int) -> int:
    return zlib.crc32(path.encode()) % count + 1


def units(repo: Repository, mixins: bool = True) -> tuple[list[Unit], frozenset[str]]:
    """The repository's units (sorted by name) and its hub files; `mixins=False`: label and annotation
    Components join the units that include them too (no hubs)."""
    groups, hubs = _groups(repo, mixins)
    return [Unit(name, roots, files, sum(_size(repo, p) for p in files)) for name, roots, files in groups], hubs


def _groups(repo: Repository, mixins: bool) -> tuple[list[tuple[str, tuple[str, ...], frozenset[str]]], frozenset[str]]:
    """The units without their sizes, as (name, roots, files) sorted by name, and the hub files (`units`)."""
    roots = list(repo.top_level_roots)
    reads = _reads(repo, roots)
    shared = _mixin_files(repo) if mixins else set()
    parent = {root: root for root in roots}

    def find(root: str) -> str:
        while parent[root] != root:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    first_reader: dict[str, str] = {}
    for root in roots:
        for path in reads[root]:
            if path in shared:
                continue
            other = first_reader.setdefault(path, root)
            if other == root:
                continue
            a, b = find(other), find(root)
            if a != b:
                parent[max(a, b)] = min(a, b)
    readers: dict[str, set[str]] = {}
    for root in roots:
        for path in reads[root] & shared:
            readers.setdefault(path, set()).add(find(root))
    hubs = frozenset(path for path, groups in readers.items() if len(groups) > 1)
    groups: dict[str, list[str]] = {}
    for root in roots:
        groups.setdefault(find(root), []).append(root)
    out = [(min(members), tuple(sorted(members)), frozenset(p for root in members for p in reads[root] if p not in hubs))
           for members in groups.values()]
    return sorted(out), hubs


def _reads(repo: Repository, roots: list[str]) -> dict[str, set[str]]:
    """Root → the files it reads and the paths its kustomizations name that do not exist: roots failing on
    the same missing file report one build failure (GL205), so they go together too."""
    missing = {}  # per kustomization (bases and components are shared by many roots); most name none
    for directory, k in repo.kustomizations.items():
        absent = {r.target for r in k.references
                  if r.target is not None and r.target not in repo.kustomizations and not _exists(repo, r.target)}
        if absent:
            missing[directory] = absent
    out = {}
    for root in roots:
        found = repo.files_read_by(root)
        if missing:
            for directory in repo.reachable_kustomizations(root):
                found |= missing.get(directory, set())
        out[root] = found
    return out


def _exists(repo: Repository, path: str) -> bool:
    return path in repo.parsed_files or repo.tree.exists(path)  # a parsed file is one of the tree's


_MIXIN_FIELDS = {"apiVersion", "kind", "commonAnnotations", "commonLabels", "labels"}


def _mixin_files(repo: Repository) -> set[str]:
    """Kustomization files of Components that only set labels and annotations, each a string (and that
    parse cleanly: a broken file fails the build of every root that includes it)."""
    out = set()
    for k in repo.kustomizations.values():
        parsed = repo.parsed(k.path)
        clean = parsed is not None and not parsed.violations and len(parsed.documents) == 1
        if k.kind == "Component" and clean and _only_metadata(k.data):
            out.add(k.path)
    return out


def _only_metadata(data: dict) -> bool:
    if set(data) - _MIXIN_FIELDS:
        return False
    maps = [data.get("commonAnnotations", {}), data.get("commonLabels", {})]
    labels = data.get("labels", [])
    if not isinstance(labels, list):
        return False
    for entry in labels:
        if not isinstance(entry, dict) or set(entry) - {"pairs", "includeSelectors", "includeTemplates"}:
            return False
        if not all(isinstance(entry.get(flag, False), bool) for flag in ("includeSelectors", "includeTemplates")):
            return False
        maps.append(entry.get("pairs", {}))
    return all(isinstance(m, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in m.items())
               for m in maps)


def _size(repo: Repository, path: str) -> int:
    text = repo.text(path)
    return len(text) if text is not None else 0


def assign(found: Iterable[Unit], count: int) -> dict[str, int]:
    """Unit name → shard (1..count): each unit takes the first shard of its own hash order that stays
    under LOAD_SLACK × the mean load; the least loaded one when none does."""
    ordered = sorted(found, key=lambda u: (-u.size, u.name))
    total = sum(max(u.size, 1) for u in ordered)
    cap = LOAD_SLACK * total / count
    load = [0] * (count + 1)
    out = {}
    for unit in ordered:
        size = max(unit.size, 1)
        prefs = sorted(range(1, count + 1), key=lambda s: zlib.crc32(f"{unit.name}\0{s}".encode()))
        shard = next((s for s in prefs if load[s] + size <= cap), None)
        if shard is None:
            shard = min(prefs, key=lambda s: load[s])
        load[shard] += size
        out[unit.name] = shard
    return out


def share_of(repo: Repository, index: int, count: int, mixins: bool = True) -> ShardShare:
    """Shard `index` of `count`: its roots and the ownership of every unit file (`mixins`: see `units`)."""
    found, _hubs = units(repo, mixins)
    shards = assign(found, count)
    roots = frozenset(r for u in found if shards[u.name] == index for r in u.roots)
    file_shards = {p: shards[u.name] for u in found for p in u.files}
    return ShardShare(roots, index == 1, index, count, file_shards)


def share_for(repo: Repository, files: Iterable[str], *, charts: bool, mixins: bool = True) -> FileShare:
    """`check FILE…`: the roots of every unit that reads one of `files` (a missing one too: the units that
    name it), and every root that reads a named hub; it owns exactly `files`. `charts`: whether the Helm
    releases are rendered (the caller knows which files their findings can be at); `mixins`: see `units`."""
    named = frozenset(files)
    found, hubs = _groups(repo, mixins)  # unit sizes do not matter here
    roots = {r for _name, members, unit_files in found if not unit_files.isdisjoint(named) for r in members}
    for hub in named & hubs:
        roots.update(r for r in repo.top_level_roots if hub in repo.files_read_by(r))
    return FileShare(frozenset(roots), charts, named)
