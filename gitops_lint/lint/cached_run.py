"""The key of a whole `check` run and its cached result.

The key hashes everything the findings depend on: each file's path and content hash (plus the
unsafe paths), the tree's place in its git checkout (path, remotes, branch), the tool (version and
code), the effective config (its file), the rule cards (content), the schema directories,
--select/--ignore, the baseline and (`named_key`) the files a `check FILE…` run was restricted to.
The stored result is findings only (rule, path, position, message, fingerprint): messages never hold
secret values, and nothing of a file's content is stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gitops_lint import __version__
from gitops_lint.core.config import Config
from gitops_lint.core.findings import Finding, Severity
from gitops_lint.core.git_identity import git_remotes, head_branch
from gitops_lint.core.source import WorkingTree
from gitops_lint.lint.cache import CacheStore
from gitops_lint.lint.cards import Card, card_files, load_cards
from gitops_lint.lint.file_hashes import digest, file_hashes, hash_bytes
from gitops_lint.lint.run_result import RunResult

RESULT_KIND = "run"
PACK_KIND = "cardpack"  # marks a rule pack (its files' exact bytes) that passed the schema checks
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass
class CachedRun:
    """A run's result with the counts the summary needs (the repository itself is not rebuilt)."""

    result: RunResult
    files: int
    documents: int
    chosen: list[str]  # ids of the cards selected for the run (change rules included)


def _code_stamp() -> list[str]:
    """The tool's own files by size and mtime: a changed checkout is a different tool."""
    out = []
    for dirpath, dirnames, filenames in os.walk(_PACKAGE):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:
                continue
            out.append(f"{os.path.relpath(full, _PACKAGE)}:{st.st_size}:{st.st_mtime_ns}")
    return out


def _files_below(directory: Path) -> list[Path]:
    if directory.is_file():
        return [directory]
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []


def _read_hash(path: Path) -> str:
    try:
        return hash_bytes(path.read_bytes())
    except OSError:
        return "unreadable"


def load_pack(extra_dirs: Iterable[Path], store: CacheStore) -> list[Card]:
    """The rule pack (`load_cards`), its schema checks skipped where exactly these card files (same
    paths, same bytes) passed them in an earlier run of this same tool (code and version)."""
    files = card_files(extra_dirs)
    key = digest(["card pack", __version__, *_code_stamp(), *(f"{p}\0{builtin}\0{_read_hash(p)}" for p, builtin in files)])
    validated = store.get(PACK_KIND, key) == b"validated"
    cards = load_cards(extra_dirs, validate=not validated)
    if not validated:
        store.put(PACK_KIND, key, b"validated")
    return cards


def tree_hashes(tree: WorkingTree, store: CacheStore | None, skip_dir: Path | None = None) -> dict[str, str]:
    """{path: content hash} of the tree's files in listing order, `skip_dir` (the cache's own) left out."""
    skip = relative_prefix(skip_dir, tree.root)
    return file_hashes(tree.root, [f for f in tree.files() if not (skip and f.startswith(skip))], store)


def parses_key(tree: WorkingTree, config: Config) -> str:
    """The key of the tree's bundle of kept parses (`lint.parse_cache`): the tree, this tool (version and
    code) and the loader's limits."""
    return digest(["gitops-lint parses", __version__, *_code_stamp(), str(tree.root), repr(config.limits)])


def run_key(tree: WorkingTree, config: Config, cards: Iterable[Card], *, hashes: dict[str, str],
            select: Iterable[str] = (), ignore: Iterable[str] = (), baseline: set[str] | None = None,
            config_dir: Path, shard: tuple[int, int] | None = None) -> str:
    """The cache key of a `check` run over `tree`, whose files hash to `hashes` (`tree_hashes`)."""
    parts = ["gitops-lint run", __version__, *_code_stamp()]
    remotes, prefix = git_remotes(tree.root)  # what the Argo CD and Flux models read of the checkout
    parts += ["tree", str(tree.root), prefix, *sorted(remotes), head_branch(tree.root) or ""]
    parts += ["config", config.source or "", _read_hash(Path(config.source)) if config.source else ""]
    parts += ["helm", repr(config.helm)]  # command-line Helm settings are not in the config file
    parts += ["cards", *(f"{c.path}:{_read_hash(Path(c.path))}" for c in sorted(cards, key=lambda c: c.path))]
    for entry in config.schema_dirs:
        parts += [f"schemas:{entry}", *(f"{p}:{_read_hash(p)}" for p in _files_below(config_dir / entry))]
    parts += ["shard", repr(shard), "select", *sorted(select), "ignore", *sorted(ignore), "baseline", *sorted(baseline or ())]
    parts += ["files", *(f"{f}\0{h}" for f, h in hashes.items())]
    parts += ["unsafe", *(f"{u.path}\0{u.reason}\0{u.escapes}" for u in tree.unsafe_paths())]
    return digest(parts)


def named_key(key: str, files: Iterable[str]) -> str:
    """The key of a run restricted to `files` (`check FILE…`) over the inputs of the whole run's `key`:
    it stores the named files' findings only, so it never answers a whole run."""
    return digest(["gitops-lint run of named files", key, *sorted(files)])


def relative_prefix(directory: Path | None, root: Path) -> str | None:
    """`directory` as a repo-relative prefix ending in `/`, None when outside `root` (or its root)."""
    if directory is None:
        return None
    try:
        rel = directory.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    return None if rel == "." else rel + "/"


def _finding_dict(f: Finding) -> dict:
    return {**f.to_dict(), "fixable": f.fixable}


def _finding(d: dict) -> Finding:
    return Finding(rule=d["rule"], name=d["name"], severity=Severity.parse(d["severity"]), path=d["path"],
                   line=d["line"], column=d["column"], message=d["message"], resource=d["resource"],
                   environment=d["environment"], fingerprint=d["fingerprint"], fixable=d["fixable"])


def save(store: CacheStore, key: str, run: CachedRun) -> None:
    """Store a run's findings under `key`."""
    r = run.result
    body = {"files": run.files, "documents": run.documents, "rules_run": r.rules_run, "chosen": run.chosen,
            "findings": [_finding_dict(f) for f in r.findings],
            "suppressed": [_finding_dict(f) for f in r.suppressed],
            "baselined": [_finding_dict(f) for f in r.baselined]}
    store.put(RESULT_KIND, key, json.dumps(body, separators=(",", ":")).encode("utf-8", "surrogateescape"))


def load(store: CacheStore, key: str) -> CachedRun | None:
    """The run stored under `key`, or None (absent or unreadable)."""
    payload = store.get(RESULT_KIND, key)
    if payload is None:
        return None
    try:
        body = json.loads(payload.decode("utf-8", "surrogateescape"))
        result = RunResult([_finding(d) for d in body["findings"]], [_finding(d) for d in body["suppressed"]],
                           [_finding(d) for d in body["baselined"]], list(body["rules_run"]))
        return CachedRun(result, int(body["files"]), int(body["documents"]), list(body["chosen"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
