"""Which files something actually deploys: kustomization roots, Argo CD source paths, Flux paths.

Used by GL105 (orphan manifests). Argo CD and Flux objects are read statically: an Application's
`source(s).path` (with `directory.recurse`), an ApplicationSet's template path (templated parts
matched as globs, or the git generator's directories), and a Flux Kustomization's `spec.path`
relative to its source's root (this repository for the bootstrap `flux-system` GitRepository or a
GitRepository whose URL is in `repo_urls`; an ExternalArtifact is mapped back through its
ArtifactGenerator's copy rules). A Flux path without a kustomization file deploys every manifest
below it, recursively.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from .loader import Document
from .source import PathEscapesRoot, normalize

_TEMPLATE = re.compile(r"\{\{.*?\}\}")


@dataclass(frozen=True)
class OperatorPath:
    """A directory an operator deploys from, and whether it descends into subdirectories."""

    dir: str
    recursive: bool
    by: str  # e.g. "Application/web" for messages


def _clean(path) -> str | None:
    """A repo-relative directory from an operator's path field, or None when it cannot be used."""
    if not isinstance(path, str):
        return None
    try:
        return normalize(path.strip().lstrip("/") or ".")
    except PathEscapesRoot:
        return None


def _glob_dirs(repo, pattern: str) -> list[str]:
    pattern = pattern.strip().strip("/")
    return [d for d in _all_dirs(repo) if fnmatch.fnmatchcase(d, pattern)]


def _all_dirs(repo) -> list[str]:
    return sorted(d for d in repo.tree._dirs() if d)


# -- Argo CD --------------------------------------------------------------------------------------
def _argo_sources(spec) -> Iterator[dict]:
    if not isinstance(spec, dict):
        return
    if isinstance(spec.get("source"), dict):
        yield spec["source"]
    for source in spec.get("sources") or []:
        if isinstance(source, dict):
            yield source


def _argo_paths(repo) -> Iterator[OperatorPath]:
    for doc in repo.objects("argoproj.io/Application"):
        for source in _argo_sources(doc.get("spec")):
            yield from _source_paths(repo, source, doc.ref, [])
    for doc in repo.objects("argoproj.io/ApplicationSet"):
        generator_dirs = list(_generator_dirs(repo, doc.get("spec", "generators")))
        for source in _argo_sources(doc.get("spec", "template", "spec")):
            yield from _source_paths(repo, source, doc.ref, generator_dirs)


def _source_paths(repo, source: dict, by: str, generator_dirs: list[str]) -> Iterator[OperatorPath]:
    path = source.get("path")
    if not isinstance(path, str) or "chart" in source:
        return
    directory = source.get("directory")
    recursive = isinstance(directory, dict) and directory.get("recurse") is True
    if _TEMPLATE.search(path):
        pattern = _TEMPLATE.sub("*", path)
        dirs = generator_dirs if pattern.strip("/ ") in ("*", "") else _glob_dirs(repo, pattern)
        for d in dirs:
            yield OperatorPath(d, True, by)  # generous: the generated apps' exact shape is unknown
        return
    clean = _clean(path)
    if clean is not None:
        yield OperatorPath(clean, recursive, by)


def _generator_dirs(repo, generators) -> Iterator[str]:
    """Directories matched by git directory generators, also inside matrix/merge generators."""
    if isinstance(generators, list):
        for g in generators:
            yield from _generator_dirs(repo, g)
        return
    if not isinstance(generators, dict):
        return
    git = generators.get("git")
    if isinstance(git, dict):
        for entry in git.get("directories") or []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str) and not entry.get("exclude"):
                yield from _glob_dirs(repo, entry["path"])
    for nested in ("matrix", "merge"):
        inner = generators.get(nested)
        if isinstance(inner, dict):
            yield from _generator_dirs(repo, inner.get("generators"))


# -- Flux -----------------------------------------------------------------------------------------
def _flux_paths(repo) -> Iterator[OperatorPath]:
    urls = {u.rstrip("/").removesuffix(".git") for u in repo.config.repo_urls}
    for doc in repo.objects("kustomize.toolkit.fluxcd.io/Kustomization"):
        ref = doc.get("spec", "sourceRef")
        if not isinstance(ref, dict):
            continue
        kind = ref.get("kind") or "GitRepository"
        name = ref.get("name")
        path = doc.get("spec", "path")
        path = path if isinstance(path, str) else "./"
        if kind == "GitRepository" and _is_this_repo(_find_source(repo, name), name, urls):
            clean = _clean(path)
            if clean is not None:
                yield OperatorPath(clean, True, doc.ref)
        elif kind == "ExternalArtifact":
            for mapped in _artifact_paths(repo, name, path, urls):
                yield OperatorPath(mapped, True, doc.ref)


def _is_this_repo(source: Document | None, name, urls: set[str]) -> bool:
    if name == "flux-system" or source is None:
        return True  # the bootstrap source, or one defined outside this tree (assumed this repo)
    url = source.get("spec", "url")
    return isinstance(url, str) and url.rstrip("/").removesuffix(".git") in urls


def _artifact_paths(repo, artifact: str, path: str, urls: set[str]) -> Iterator[str]:
    """Map a path inside an ExternalArtifact back to repository paths through ArtifactGenerator copies."""
    inner = _clean(path)
    if inner is None:
        return
    for gen in repo.objects("ArtifactGenerator"):
        spec = gen.get("spec")
        if not isinstance(spec, dict):
            continue
        aliases = {
            s.get("alias")
            for s in spec.get("sources") or []
            if isinstance(s, dict)
            and (s.get("kind") or "GitRepository") == "GitRepository"
            and _is_this_repo(_find_source(repo, s.get("name")), s.get("name"), urls)
        }
        for art in spec.get("artifacts") or []:
            if not isinstance(art, dict) or art.get("name") != artifact:
                continue
            for copy in art.get("copy") or []:
                mapped = _map_copy(copy, inner, aliases) if isinstance(copy, dict) else None
                if mapped is not None:
                    yield mapped


def _find_source(repo, name) -> Document | None:
    return next(
        (d for d in repo.objects("GitRepository") if d.name == name and d.group.endswith("fluxcd.io")), None
    )


def _map_copy(copy: dict, inner: str, aliases: set) -> str | None:
    src, dst = copy.get("from"), copy.get("to")
    if not isinstance(src, str) or not isinstance(dst, str) or not src.startswith("@"):
        return None
    alias, _, src_path = src[1:].partition("/")
    if alias not in aliases:
        return None
    src_prefix = re.sub(r"/?\*\*?$", "", src_path).strip("/")
    dst_prefix = dst.partition("/")[2].strip("/") if dst.startswith("@") else dst.strip("/")
    if dst_prefix and inner != dst_prefix and not inner.startswith(dst_prefix + "/"):
        return None
    rest = inner[len(dst_prefix) :].strip("/") if dst_prefix else inner
    joined = posixpath.join(src_prefix, rest) if rest else src_prefix
    return joined.strip("/")


# -- the deployed set -------------------------------------------------------------------------------
class Deployment:
    """Answers "does anything deploy this file?" for one repository."""

    def __init__(self, repo):
        self.repo = repo

    @cached_property
    def operator_paths(self) -> list[OperatorPath]:
        return [p for p in (*_argo_paths(self.repo), *_flux_paths(self.repo)) if self.repo.tree.is_dir(p.dir)]

    @cached_property
    def has_operator(self) -> bool:
        """Whether any Argo CD or Flux object in the repository deploys from Git."""
        return bool(
            self.repo.objects(
                "argoproj.io/Application",
                "argoproj.io/ApplicationSet",
                "kustomize.toolkit.fluxcd.io/Kustomization",
            )
        )

    @cached_property
    def _read_files(self) -> set[str]:
        """Every file some kustomization reads directly (their own files, resources, patches…)."""
        read: set[str] = set()
        for k in self.repo.kustomizations.values():
            read.add(k.path)
            for r in k.references:
                if r.target is not None and self.repo.tree.is_file(r.target):
                    read.add(r.target)
        return read

    @cached_property
    def _read_dirs(self) -> set[str]:
        """Plain directories (no kustomization) listed as resources: everything below is read."""
        return {
            r.target
            for k in self.repo.kustomizations.values()
            for r in k.references
            if r.target is not None
            and r.target not in self.repo.kustomizations
            and self.repo.tree.is_dir(r.target)
        }

    @cached_property
    def _operator_dirs(self) -> dict[str, bool]:
        dirs: dict[str, bool] = {}
        for p in self.operator_paths:
            if p.dir not in self.repo.kustomizations:
                dirs[p.dir] = dirs.get(p.dir, False) or p.recursive
        return dirs

    def deploys(self, path: str) -> bool:
        """Whether a kustomization reads `path` or an operator path takes it in."""
        if path in self._read_files:
            return True
        directory = posixpath.dirname(path)
        current, direct = directory, True
        while True:
            if current in self._read_dirs:
                return True
            if current in self._operator_dirs and (direct or self._operator_dirs[current]):
                return True
            if current in self.repo.kustomizations:
                return False  # in or below a kustomization directory, only what it reads is deployed
            if not current:
                return False
            current, direct = posixpath.dirname(current), False
