"""Content hashes of a working tree's files, remembered between runs by each file's stat.

A file whose size, mtime, inode and ctime are those recorded is not read again; one modified too
close to the moment the record was written (a "racy" file: an edit within the clock's resolution
would not show) is always re-read. The record holds paths and hashes only, never contents. It is
rewritten only when many files differ from it (`REWRITE_AT`): after a small edit, hashing the few
changed files again on the next run costs less than rewriting the record of the whole tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

from gitops_lint.lint.cache import CacheStore

STATS_KIND = "stats"
RACY_NS = 2_000_000_000  # a file changed within 2 s of the record is re-read
REWRITE_AT = 64  # files read again (or gone) before the record is rewritten


def hash_bytes(data: bytes) -> str:
    """The content hash used for every cache key."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _stat_key(root: Path) -> str:
    return hashlib.sha256(f"stats\0{root}".encode("utf-8", "surrogateescape")).hexdigest()


def _load_record(store: CacheStore | None, key: str) -> tuple[int, dict]:
    payload = store.get(STATS_KIND, key) if store else None
    if payload is None:
        return 0, {}
    try:
        data = json.loads(payload)
        return int(data["written_ns"]), dict(data["files"])
    except (ValueError, KeyError, TypeError):
        return 0, {}


def file_hashes(root: Path, paths: Iterable[str], store: CacheStore | None) -> dict[str, str]:
    """{path: content hash} for files below `root` (unreadable files hash as such)."""
    key = _stat_key(root)
    written_ns, record = _load_record(store, key)
    settled_ns = written_ns - RACY_NS  # a file changed after this may have changed unseen: re-read it
    top = str(root)
    hashes: dict[str, str] = {}
    fresh: dict[str, list] = {}
    reread = 0
    for path in paths:
        full = f"{top}/{path}"
        try:
            st = os.stat(full)
        except OSError:
            hashes[path] = "unreadable"
            continue
        known = record.get(path)
        if (type(known) is list and len(known) == 5 and known[0] == st.st_size and known[1] == st.st_mtime_ns
                and known[2] == st.st_ino and known[3] == st.st_ctime_ns and type(known[4]) is str
                and st.st_mtime_ns < settled_ns and st.st_ctime_ns < settled_ns):
            hashes[path] = known[4]
            fresh[path] = known
            continue
        reread += 1
        try:
            with open(full, "rb") as handle:
                hashes[path] = hash_bytes(handle.read())
        except OSError:
            hashes[path] = "unreadable"
            continue
        fresh[path] = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, hashes[path]]
    gone = sum(1 for path in record if path not in fresh)
    if store is not None and (reread + gone >= REWRITE_AT or (not record and fresh)):
        body = {"written_ns": time.time_ns(), "files": fresh}
        store.put(STATS_KIND, key, json.dumps(body, separators=(",", ":")).encode("utf-8", "surrogateescape"))
    return hashes


def digest(parts: Iterable[str]) -> str:
    """One hash over an ordered sequence of strings."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()
