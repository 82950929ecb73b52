"""Read-only views of a repository's files, confined to the repository root.

A `SourceTree` answers the few questions the loader, the model and the renderer ask: which files
exist, what bytes a file holds, whether a path is a directory and what it contains. Paths are
repo-relative POSIX strings (`apps/web/base/kustomization.yaml`); the root itself is `""`.

Two implementations: `WorkingTree` (a directory on disk, listed with `git ls-files` where it is a
git checkout) and `GitTree` (a git revision read from objects, never checked out).
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Every git command runs with these: a repository's own git config must not make a read start a
# program (core.fsmonitor) or reach the network (a partial clone's lazy fetch, any transport), and
# `git diff` must not rewrite .git/index when it meets stat-only changes (diff.autoRefreshIndex).
GIT_SAFETY = ("-c", "core.fsmonitor=false", "-c", "protocol.allow=never", "-c", "diff.autoRefreshIndex=false")
GIT_SAFE_ENV = {"GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"}


class PathEscapesRoot(ValueError):
    """A path (by `..`, an absolute path or a symlink) that leads outside the repository root."""


class SourceError(RuntimeError):
    """The tree cannot be read at all (not a directory, unknown git revision…)."""


@dataclass(frozen=True)
class UnsafePath:
    """A tracked path that cannot be read safely, with the reason (becomes a GL202/GL307 finding)."""

    path: str
    reason: str
    escapes: bool  # True: leads outside the root (GL202); False: unreadable (loop, broken link…)


def normalize(path: str, base: str = "") -> str:
    """Join `path` onto the repo-relative directory `base` and normalise it.

    Raises PathEscapesRoot for absolute paths and for `..` that climbs above the root.
    """
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise PathEscapesRoot(f"absolute path {path!r}")
    joined = posixpath.normpath(posixpath.join(base, path)) if (base or path) else ""
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        raise PathEscapesRoot(f"{path!r} leads outside the repository root")
    return joined


def parent_dirs(path: str, *, with_root: bool = False) -> Iterator[str]:
    """`path` and every directory above it, innermost first ("" — the root — last with `with_root`)."""
    while path:
        yield path
        path = posixpath.dirname(path)
    if with_root:
        yield ""


def is_below(path: str, dirs: set[str]) -> bool:
    """Whether `path` lies inside one of `dirs` (repo-relative directories; "" is the root)."""
    return bool(dirs) and any(parent in dirs for parent in parent_dirs(posixpath.dirname(path), with_root=True))


def read_or_none(tree: SourceTree, path: str) -> bytes | None:
    """The file's bytes, None when it cannot be read (gone, unreadable, outside the tree)."""
    try:
        return tree.read_bytes(path)
    except (OSError, ValueError):
        return None


def source_relative(path: object) -> str | None:
    """A directory written relative to some source root (`./apps`, `/apps`, `apps/`, as Argo CD, Flux
    and operators write them) as a normalised repo-relative path ("" for the root); None when it is
    not a string or leads outside."""
    if not isinstance(path, str):
        return None
    try:
        return normalize(path.strip().lstrip("/") or ".")
    except PathEscapesRoot:
        return None


class SourceTree:
    """Interface shared by the working-tree and git-revision views."""

    label: str = ""

    def files(self) -> list[str]:
        """Every readable regular file, repo-relative, sorted."""
        raise NotImplementedError

    def read_bytes(self, path: str) -> bytes:
        raise NotImplementedError

    def unsafe_paths(self) -> list[UnsafePath]:
        """Tracked paths that were left out because they escape the root or cannot be resolved."""
        return []

    # Directory questions are answered from the file list, which every implementation has.
    def _dirs(self) -> dict[str, set[str]]:
        cached = getattr(self, "_dir_cache", None)
        if cached is None:
            cached = {"": set()}
            for f in self.files():
                parent, child = posixpath.split(f)
                while True:
                    cached.setdefault(parent, set()).add(child)
                    if not parent:
                        break
                    parent, child = posixpath.split(parent)
            self._dir_cache = cached
        return cached

    def is_file(self, path: str) -> bool:
        parent, child = posixpath.split(path)
        return child in self._dirs().get(parent, ()) and path not in self._dirs()

    def is_dir(self, path: str) -> bool:
        return path in self._dirs()

    def exists(self, path: str) -> bool:
        return self.is_dir(path) or self.is_file(path)

    def listdir(self, path: str) -> list[str]:
        """Names directly inside directory `path` (files and directories), sorted."""
        return sorted(self._dirs().get(path, ()))

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8")


class WorkingTree(SourceTree):
    """A directory on disk. Uses `git ls-files` when the directory is inside a git work tree."""

    def __init__(self, root: str | os.PathLike, use_git: bool = True):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SourceError(f"{root}: not a directory")
        self.label = str(root)
        self._use_git = use_git
        self._files: list[str] | None = None
        self._unsafe: list[UnsafePath] = []

    def _candidates(self) -> Iterable[str]:
        listed = _git_ls_files(self.root) if self._use_git else None
        if listed:  # an empty listing means an ignored or untracked-only directory: walk it instead
            return listed
        return _walk(self.root)

    def files(self) -> list[str]:
        if self._files is None:
            self._admit(self._candidates(), [], [])
        return self._files or []

    def _admit(self, candidates: Iterable[str], files: list[str], unsafe: list[UnsafePath]) -> None:
        """Check each candidate path and record the listing: safe files, and the unsafe paths."""
        for rel in candidates:
            problem = self._check(rel)
            if problem is None:
                files.append(rel)
            elif isinstance(problem, UnsafePath):
                unsafe.append(problem)
        self._files = sorted(set(files))
        self._unsafe = unsafe

    def _check(self, rel: str) -> UnsafePath | None | bool:
        """None when `rel` is a safe regular file; False to skip silently; else the problem."""
        full = self.root / rel
        try:
            st = os.lstat(full)
        except OSError:
            return False  # listed by git but deleted from the working tree
        if stat.S_ISLNK(st.st_mode):
            try:
                real = full.resolve(strict=True)
            except (OSError, RuntimeError) as exc:
                return UnsafePath(rel, f"symlink cannot be resolved ({_reason(exc)})", escapes=False)
            if not _inside(real, self.root):
                return UnsafePath(rel, "symlink leads outside the repository root", escapes=True)
            return None if real.is_file() else False
        return None if stat.S_ISREG(st.st_mode) else False

    def unsafe_paths(self) -> list[UnsafePath]:
        self.files()
        return list(self._unsafe)

    def read_bytes(self, path: str) -> bytes:
        rel = normalize(path)
        try:
            full = (self.root / rel).resolve()
        except RuntimeError:  # a symlink loop (pathlib raises RuntimeError before Python 3.13)
            raise OSError(errno.ELOOP, f"{path!r}: symlink loop") from None
        if not _inside(full, self.root):
            raise PathEscapesRoot(f"{path!r} leads outside the repository root")
        return full.read_bytes()


def _reason(exc: BaseException) -> str:
    return "symlink loop" if isinstance(exc, RuntimeError) or "loop" in str(exc).lower() else exc.__class__.__name__


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _git_ls_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files below `root`, or None outside a git work tree."""
    try:
        proc = subprocess.run(
            ["git", *GIT_SAFETY, "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            env={**os.environ, **GIT_SAFE_ENV},
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [n for n in names if n]


def _walk(root: Path) -> Iterable[str]:
    """Every file below root, skipping `.git` and never descending into symlinked directories."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".git" and not os.path.islink(os.path.join(dirpath, d)))
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            yield rel.replace(os.sep, "/")
        # symlinked directories are reported as unsafe when they escape; otherwise they are skipped
        for name in os.listdir(dirpath):
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and os.path.isdir(full):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                yield rel.replace(os.sep, "/")
