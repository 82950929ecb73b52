"""Which git repository a tree belongs to: its remotes read from `.git/config` (never the network),
the tree's path inside it, and a comparable form of git URLs."""

from __future__ import annotations

import os
import re
from pathlib import Path


def normalize_url(url: str) -> str:
    """A comparable form of a git URL: no scheme, user, `.git` suffix or trailing slash; lower case."""
    url = url.strip().lower()
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url)
    url = re.sub(r"^[^@/]+@", "", url)
    url = re.sub(r"^([^/:]+):(?!\d+/)", r"\1/", url)  # scp-like git@host:org/repo
    url = url.rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def git_remotes(root: Path | None) -> tuple[set[str], str]:
    """Remote URLs of the git repository holding `root`, and root's path inside it ("" at the top)."""
    if root is None:
        return set(), ""
    for top in (root, *root.parents):
        dot_git = top / ".git"
        if dot_git.exists():
            config = _git_config_path(dot_git)
            prefix = "" if top == root else root.relative_to(top).as_posix()
            return (_remote_urls(config) if config else set()), prefix
    return set(), ""


def _git_dir(dot_git: Path) -> Path | None:
    """The git directory a `.git` entry stands for: itself, or what a worktree's or submodule's
    `.git` file points at (`gitdir: <path>`)."""
    if not dot_git.is_file():
        return dot_git
    text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    if not text.startswith("gitdir:"):
        return None
    return (dot_git.parent / text.split(":", 1)[1].strip()).resolve()


def _git_config_path(dot_git: Path) -> Path | None:
    try:
        gitdir = _git_dir(dot_git)
        if gitdir is None:
            return None
        common = gitdir / "commondir"
        if dot_git.is_file() and common.is_file():
            gitdir = (gitdir / common.read_text(encoding="utf-8").strip()).resolve()
        config = gitdir / "config"
        return config if config.is_file() else None
    except OSError:
        return None


def head_branch(root: Path) -> str | None:
    """The branch the git checkout holding `root` is on (from its `HEAD`), if any."""
    for top in (root, *root.parents):
        try:
            gitdir = _git_dir(top / ".git")
            if gitdir is None:
                return None
            head = gitdir / "HEAD"
            if head.is_file():
                text = head.read_text(encoding="utf-8", errors="replace").strip()
                return text.removeprefix("ref: refs/heads/") if text.startswith("ref: refs/heads/") else None
        except OSError:
            return None
    return None


def _remote_urls(config: Path) -> set[str]:
    urls, in_remote = set(), False
    try:
        lines = config.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_remote = stripped.startswith("[remote ")
        elif in_remote and "=" in stripped:
            key, value = (p.strip() for p in stripped.split("=", 1))
            if key.lower() in ("url", "pushurl") and value:
                urls.add(normalize_url(value))
    return urls


def remote_head_commits(root: Path) -> dict[str, str]:
    """For each remote of the git repository at `root`: its normalised URL -> the commit of its default
    branch as last fetched (`refs/remotes/<name>/HEAD`). Local refs only; never the network."""
    import subprocess

    from gitops_lint.core.source import GIT_SAFE_ENV, GIT_SAFETY

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *GIT_SAFETY, "-C", str(root), *args], capture_output=True, text=True,
                              check=False, env={**os.environ, **GIT_SAFE_ENV})
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commits: dict[str, str] = {}
    for line in git("config", "--get-regexp", r"^remote\..*\.url$").splitlines():
        key, _, url = line.partition(" ")
        name = key.removeprefix("remote.").removesuffix(".url")
        commit = git("rev-parse", "--verify", "--quiet", f"refs/remotes/{name}/HEAD^{{commit}}")
        if re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", commit):
            commits.setdefault(normalize_url(url), commit)
    return commits
