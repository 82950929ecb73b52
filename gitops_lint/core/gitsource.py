"""A git revision as a read-only `SourceTree`, read from objects: never checked out, nothing written.

`git ls-tree -r -z` lists the revision once; one persistent `git cat-file --batch` process serves
every blob. Symlinks (mode 120000) are resolved inside the tree; links that leave the tree (or its
`prefix`, when the linted directory is a subdirectory of the repository) are reported as unsafe,
exactly as `WorkingTree` does for a checkout. Only read-only git plumbing is ever run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gitops_lint.core.source import (
    GIT_SAFE_ENV,
    GIT_SAFETY,
    PathEscapesRoot,
    SourceError,
    SourceTree,
    UnsafePath,
    WorkingTree,
    normalize,
)

_MAX_LINK_HOPS = 40
_GIT_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **GIT_SAFE_ENV}



def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A pipe of a process started with `subprocess.PIPE` (never None there)."""
    if stream is None:
        raise SourceError("git cat-file: pipe not open")
    return stream

def _git(cwd: str | os.PathLike, *args: str, check: bool = True) -> str:
    """Run a read-only git command and return its stdout; SourceError when it fails."""
    try:
        proc = subprocess.run(
            ["git", *GIT_SAFETY, "-C", str(cwd), *args],
            capture_output=True,
            timeout=120,
            check=False,
            env={**os.environ, **_GIT_ENV},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"cannot run git: {exc}") from exc
    if proc.returncode != 0:
        if not check:
            return ""
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return proc.stdout.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class GitLocation:
    """Where a directory sits in its git repository: the top level and the POSIX prefix below it."""

    toplevel: Path
    prefix: str


def locate(path: str | os.PathLike) -> GitLocation:
    """The git work tree holding `path`; SourceError when it is not inside one."""
    directory = Path(path).resolve()
    if not directory.is_dir():
        raise SourceError(f"{path}: not a directory")
    top = _git(directory, "rev-parse", "--show-toplevel", check=False).strip()
    if not top:
        raise SourceError(f"{path}: not inside a git repository (diff reads both sides from git)")
    toplevel = Path(top).resolve()
    prefix = directory.relative_to(toplevel).as_posix()
    return GitLocation(toplevel, "" if prefix == "." else prefix)


def resolve_rev(repo_dir: str | os.PathLike, rev: str) -> str:
    """The commit id `rev` names; SourceError for an unknown revision."""
    if not rev or rev.startswith("-"):
        raise SourceError(f"invalid revision {rev!r}")
    sha = _git(
        repo_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False
    ).strip()
    if not sha:
        raise SourceError(f"unknown revision {rev!r} in {repo_dir}")
    return sha


def default_base(repo_dir: str | os.PathLike) -> str:
    """The merge-base of HEAD with the default branch (origin's HEAD, else main/master)."""
    candidates = []
    origin_head = _git(repo_dir, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False).strip()
    if origin_head:
        candidates.append(origin_head)
    candidates += [
        "refs/remotes/origin/main",
        "refs/remotes/origin/master",
        "refs/heads/main",
        "refs/heads/master",
    ]
    for ref in candidates:
        if _git(repo_dir, "rev-parse", "--verify", "--quiet", ref, check=False).strip():
            base = _git(repo_dir, "merge-base", "HEAD", ref, check=False).strip()
            if base:
                return base
    raise SourceError("cannot find the default branch to diff against; give --base REF")


class GitTree(SourceTree):
    """The files of revision `rev`, below `prefix`, read through one `git cat-file --batch` process."""

    def __init__(self, repo_dir: str | os.PathLike, rev: str, prefix: str = ""):
        self.repo_dir = Path(repo_dir)
        self.commit = resolve_rev(self.repo_dir, rev)
        self.rev = rev
        self.prefix = normalize(prefix) if prefix else ""
        self.label = f"{rev} ({self.commit[:12]})"
        self._proc: subprocess.Popen | None = None
        self._blobs: dict[str, str] = {}  # tree path (prefix-relative) -> blob id
        self._unsafe: list[UnsafePath] = []
        self._contents: dict[str, bytes] = {}  # blob id -> bytes read so far (each object read once)
        self.links: set[str] = set()  # paths that are symlinks resolved to a file of the tree
        self._load()

    # -- listing -------------------------------------------------------------------------------
    def _load(self) -> None:
        raw = _git(self.repo_dir, "ls-tree", "-r", "-z", "--full-tree", self.commit)
        entries: dict[str, tuple[str, str]] = {}  # full path -> (mode, oid)
        for record in raw.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, oid = meta.split()
            if kind == "blob":
                entries[path] = (mode, oid)
        self._entries = entries
        lead = f"{self.prefix}/" if self.prefix else ""
        for full, (mode, oid) in entries.items():
            if not full.startswith(lead):
                continue
            rel = full[len(lead) :]
            if mode == "120000":
                self._add_link(rel, full)
            elif mode in ("100644", "100755"):
                self._blobs[rel] = oid
        self._files = sorted(self._blobs)

    def _add_link(self, rel: str, full: str) -> None:
        try:
            target = self._resolve(full)
        except PathEscapesRoot:
            self._unsafe.append(UnsafePath(rel, "symlink leads outside the repository root", escapes=True))
            return
        except RecursionError:
            self._unsafe.append(UnsafePath(rel, "symlink cannot be resolved (symlink loop)", escapes=False))
            return
        if target is None:
            return  # a link to a directory, or a dangling link: skipped, as WorkingTree does
        self._blobs[rel] = self._entries[target][1]
        self.links.add(rel)

    def _resolve(self, full: str) -> str | None:
        """The regular file a symlink leads to (full path), None for directories or dangling links."""
        current = full
        for _ in range(_MAX_LINK_HOPS):
            mode, oid = self._entries[current]
            if mode != "120000":
                return current
            link = self._read_object(oid).decode("utf-8", "surrogateescape")
            target = normalize(link, posixpath.dirname(current))  # raises for absolute or `..` above root
            if self.prefix and not (target == self.prefix or target.startswith(self.prefix + "/")):
                raise PathEscapesRoot(link)
            target = self._resolve_parents(target)
            if target not in self._entries:
                return None
            current = target
        raise RecursionError(full)

    def _resolve_parents(self, path: str) -> str:
        """Follow symlinked directories among the parents of `path`."""
        parts = path.split("/")
        for i in range(1, len(parts)):
            head = "/".join(parts[:i])
            entry = self._entries.get(head)
            if entry and entry[0] == "120000":
                link = self._read_object(entry[1]).decode("utf-8", "surrogateescape")
                resolved = normalize(link, posixpath.dirname(head))
                return self._resolve_parents(normalize("/".join(parts[i:]), resolved))
        return path

    def files(self) -> list[str]:
        return self._files

    def unsafe_paths(self) -> list[UnsafePath]:
        return list(self._unsafe)

    def blob_id(self, path: str) -> str | None:
        """The git object id of a file's content (equal ids mean equal bytes)."""
        return self._blobs.get(path)

    # -- reading -------------------------------------------------------------------------------
    def read_bytes(self, path: str) -> bytes:
        rel = normalize(path)
        oid = self._blobs.get(rel)
        if oid is None:
            raise FileNotFoundError(f"{path}: not in {self.label}")
        data = self._contents.get(oid)
        if data is None:
            data = self._contents[oid] = self._read_object(oid)
        return data

    def read_many(self, paths: list[str]) -> dict[str, bytes]:
        """Several files in one pipelined exchange with cat-file (much faster than one by one)."""
        out = {p: self._contents[self._blobs[p]] for p in paths if self._blobs.get(p) in self._contents}
        wanted = [(p, self._blobs[p]) for p in paths if p in self._blobs and p not in out]
        if not wanted:
            return out
        proc = self._batch()
        stdout = _pipe(proc.stdout)
        request = b"".join(oid.encode() + b"\n" for _, oid in wanted)
        writer = threading.Thread(target=_feed, args=(proc.stdin, request), daemon=True)
        writer.start()
        try:
            for path, oid in wanted:
                header = stdout.readline().split()
                if len(header) != 3:
                    raise SourceError(f"git cat-file: cannot read object {oid}")
                out[path] = self._contents[oid] = stdout.read(int(header[2]))
                stdout.read(1)
        except BaseException:
            # cat-file may be blocked writing answers nobody reads, and the writer blocked feeding it:
            # stop the process so that both ends are released, instead of hanging in close()
            proc.kill()
            writer.join()
            self.close()
            raise
        writer.join()
        return out

    def _read_object(self, oid: str) -> bytes:
        proc = self._batch()
        stdin, stdout = _pipe(proc.stdin), _pipe(proc.stdout)
        stdin.write(oid.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            raise SourceError(f"git cat-file: cannot read object {oid}")
        size = int(header[2])
        data = stdout.read(size)
        stdout.read(1)  # the newline after the contents
        return data

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                ["git", *GIT_SAFETY, "-C", str(self.repo_dir), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **_GIT_ENV},
            )
        return self._proc

    def close(self) -> None:
        """Stop the cat-file process (also done on garbage collection)."""
        if self._proc is not None:
            try:
                _pipe(self._proc.stdin).close()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
            _pipe(self._proc.stdout).close()
            self._proc = None

    def __enter__(self) -> GitTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.close()

    def __getstate__(self) -> dict:  # a process pool may pickle the tree: never the pipe
        state = dict(self.__dict__)
        state["_proc"] = None
        return state


class WorkingTreeOverBase(WorkingTree):
    """The working tree of `base`'s repository, listed from the base revision plus what git reports
    as different (`changed`: tracked files that differ from base; untracked files are asked for), so
    that the thousands of unchanged files are not each stat'ed again. Same answers as WorkingTree."""

    def __init__(self, root: str | os.PathLike, base: GitTree, changed: set[str]) -> None:
        super().__init__(root)
        self._base, self._changed = base, changed

    def files(self) -> list[str]:
        if self._files is None:
            listed = _git(self.root, "ls-files", "-z", "--others", "--exclude-standard", check=False)
            touched = self._changed | {p for p in listed.split("\0") if p} | self._base.links
            files = [f for f in self._base.files() if f not in touched]
            unsafe = [u for u in self._base.unsafe_paths() if u.path not in touched]
            self._admit(sorted(touched), files, unsafe)
        return self._files or []


def _feed(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
        stream.flush()
    except OSError:
        pass  # cat-file has gone; the reading side reports why


def worktree_changes(toplevel: str | os.PathLike, commit: str, prefix: str = "") -> set[str] | None:
    """Tracked files under `prefix` whose working-tree content differs from `commit` (prefix-relative).

    Uses git's index and stat data (fast). None when git cannot tell; untracked files are not listed.
    """
    if _git(toplevel, "config", "--get-regexp", r"^filter\.", check=False):
        return None  # git would run the repository's filter programs on working-tree files: never
    args = ["diff", "--no-renames", "--name-only", "-z", "--no-ext-diff", "--no-textconv", commit, "--"]
    out = _git(toplevel, *args, *([prefix] if prefix else []), check=False)
    if out == "" and _git(toplevel, "rev-parse", "--verify", "--quiet", commit, check=False) == "":
        return None
    lead = f"{prefix}/" if prefix else ""
    return {p[len(lead) :] for p in out.split("\0") if p and p.startswith(lead)}


def content_id(tree: SourceTree, path: str, sha256: bool = False) -> str | None:
    """A git-compatible blob id for a file of any tree (None when unreadable)."""
    blob_id = getattr(tree, "blob_id", None)
    if blob_id is not None:
        return blob_id(path)
    try:
        data = tree.read_bytes(path)
    except (OSError, ValueError):
        return None
    digest = hashlib.sha256() if sha256 else hashlib.sha1()  # noqa: S324 - git's object id, not security
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()
