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
    joined = f"{base}/{path}" if base else path
    wrapped = f"/{joined}/"
    if "//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped:
        return joined  # no empty, `.` or `..` segment (nor a `/` at either end): already what normpath returns
    joined = posixpath.normpath(posixpath.join(base, path)) if (base or path) else ""
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        raise PathEscapesRoot(f"{path!r} leads outside the repository root")
    return joined


def parent_of(path: str) -> str:
    """`posixpath.dirname(path)` for every string, without its generic work for the common case: a
    repo-relative path (no leading, repeated or trailing `/`) is cut at its last `/`."""
    head, sep, _ = path.rpartition("/")
    if head[-1:] == "/" or (sep and not head):  # `a//b`, `/a`: posixpath's rules for those slashes
        return posixpath.dirname(path)
    return head


def base_name(path: str) -> str:
    """`posixpath.basename(path)` (the same for every string: what follows the last `/`)."""
    return path.rpartition("/")[2]


def dirs_holding(files: Iterable[str], name: str) -> set[str]:
    """Directories holding a file called `name` (a repo-relative file list; "" is the root)."""
    suffix = "/" + name
    return {parent_of(f) for f in files if f == name or f.endswith(suffix)}


def parent_dirs(path: str, *, with_root: bool = False) -> Iterator[str]:
    """`path` and every directory above it, innermost first ("" — the root — last with `with_root`)."""
    while path:
        yield path
        path = parent_of(path)
    if with_root:
        yield ""


def is_below(path: str, dirs: set[str]) -> bool:
    """Whether `path` lies inside one of `dirs` (repo-relative directories; "" is the root)."""
    return bool(dirs) and any(parent in dirs for parent in parent_dirs(parent_of(path), with_root=True))


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
                parent, child = parent_of(f), base_name(f)  # posixpath.split
                while (children := cached.get(parent)) is None:  # a known directory's parents are known too
                    cached[parent] = {child}
                    parent, child = parent_of(parent), base_name(parent)
                children.add(child)
            self._dir_cache = cached
        return cached

    def is_file(self, path: str) -> bool:
        dirs = self._dirs()
        return base_name(path) in dirs.get(parent_of(path), ()) and path not in dirs

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
    """A directory on disk. Uses `git ls-files` when the directory is inside a git work tree.

    Every file is read through directories already known to be inside the root (each directory is
    checked once, following a symbolic link only where one is met) and opened without following a
    final symbolic link unless that link, too, resolves inside the root."""

    def __init__(self, root: str | os.PathLike, use_git: bool = True):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SourceError(f"{root}: not a directory")
        self.label = str(root)
        self._use_git = use_git
        self._files: list[str] | None = None
        self._unsafe: list[UnsafePath] = []
        self._top = str(self.root)
        self._real_dirs: dict[str, str] = {"": self._top}  # repo-relative directory -> its real path

    def files(self) -> list[str]:
        if self._files is None:
            listed = _git_ls_files(self.root) if self._use_git else None
            if listed:  # an empty listing means an ignored or untracked-only directory: walk it instead
                self._admit(listed, [], [])
            else:
                self._admit_walk()
        return self._files or []

    def _admit_walk(self) -> None:
        """List the tree by walking it: regular files are taken as they are, symbolic links checked."""
        files: list[str] = []
        links: list[str] = []
        for rel_dir in _walk(self._top, files, links):
            self._real_dirs[rel_dir] = f"{self._top}/{rel_dir}"  # a plain directory: no link on the way
        self._admit(links, files, [])

    def _admit(self, candidates: Iterable[str], files: list[str], unsafe: list[UnsafePath]) -> None:
        """Check each candidate path and record the listing: safe files, and the unsafe paths."""
        for rel in candidates:
            problem = self._check(rel)
            if problem is None:
                files.append(rel)
            elif isinstance(problem, UnsafePath):
                unsafe.append(problem)
        self._files = sorted(set(files))
        self._unsafe = sorted(unsafe, key=lambda u: u.path)

    def _check(self, rel: str) -> UnsafePath | None | bool:
        """None when `rel` is a safe regular file; False to skip silently; else the problem."""
        parent, name = posixpath.split(rel)
        try:
            full = f"{self._real_dir(parent)}/{name}"
            st = os.lstat(full)
        except PathEscapesRoot:
            return UnsafePath(rel, "symlink leads outside the repository root", escapes=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return UnsafePath(rel, "symlink cannot be resolved (symlink loop)", escapes=False)
            return False  # listed by git but deleted from the working tree
        if stat.S_ISLNK(st.st_mode):
            try:
                real = self._resolve_inside(full)
            except PathEscapesRoot:
                return UnsafePath(rel, "symlink leads outside the repository root", escapes=True)
            except OSError as exc:
                return UnsafePath(rel, f"symlink cannot be resolved ({_reason(exc)})", escapes=False)
            return None if os.path.isfile(real) else False
        return None if stat.S_ISREG(st.st_mode) else False

    def _resolve_inside(self, full: str) -> str:
        """The real path of `full` (which exists); PathEscapesRoot when it lies outside the root."""
        real = os.path.realpath(full, strict=True)
        if real != self._top and not real.startswith(self._top.rstrip("/") + "/"):
            raise PathEscapesRoot(f"{full!r} leads outside the repository root")
        return real

    def _real_dir(self, rel_dir: str) -> str:
        """The real path of the repo-relative directory `rel_dir`, checked once per directory.

        Raises PathEscapesRoot when a symbolic link on the way leads outside the root, OSError for a
        link loop. A directory that does not exist is returned unchecked (reading below it fails)."""
        known = self._real_dirs.get(rel_dir)
        if known is not None:
            return known
        parent, name = posixpath.split(rel_dir)
        full = f"{self._real_dir(parent)}/{name}"
        try:
            is_link = stat.S_ISLNK(os.lstat(full).st_mode)
        except OSError:
            return full
        if is_link:
            full = self._resolve_inside(full)
        self._real_dirs[rel_dir] = full
        return full

    def unsafe_paths(self) -> list[UnsafePath]:
        self.files()
        return list(self._unsafe)

    def read_bytes(self, path: str) -> bytes:
        rel = normalize(path)
        parent, name = posixpath.split(rel)
        full = f"{self._real_dir(parent)}/{name}" if name else self._real_dir(parent)
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            fd = os.open(self._resolve_inside(full), os.O_RDONLY)  # a symbolic link: where it leads
        with open(fd, "rb") as handle:
            return handle.read()


def _reason(exc: BaseException) -> str:
    return "symlink loop" if isinstance(exc, RuntimeError) or "loop" in str(exc).lower() else exc.__class__.__name__


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


def tracked_below(root: Path, prefix: str) -> bool:
    """Whether git tracks any file below `prefix` (repo-relative, ending in `/`) of the work tree at `root`."""
    try:
        proc = subprocess.run(
            ["git", *GIT_SAFETY, "-C", str(root), "ls-files", "-z", "--cached", "--", prefix],
            capture_output=True, env={**os.environ, **GIT_SAFE_ENV}, timeout=60, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip(b"\0"))


def _walk(top: str, files: list[str], links: list[str]) -> Iterator[str]:
    """Walk the directory `top` (one `scandir` per directory, never into a symbolic link or `.git`):
    append regular files and symbolic links (repo-relative) to `files` and `links`, and yield each
    directory entered below the root."""
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        try:
            entries = os.scandir(f"{top}/{rel_dir}" if rel_dir else top)
        except OSError:
            continue  # unreadable directory: its files are not listed (as `os.walk` did)
        with entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    if entry.is_file(follow_symlinks=False):  # a regular file (most entries): one test
                        files.append(rel)
                    elif entry.is_dir(follow_symlinks=False):
                        if entry.name != ".git":
                            pending.append(rel)
                            yield rel
                    elif entry.is_symlink():
                        links.append(rel)
                except OSError:
                    continue
