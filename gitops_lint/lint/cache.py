"""A content-addressed on-disk store: atomic entries with a header and a checksum, bounded in size.

Each entry is one file `<dir>/v<FORMAT>/<key[:2]>/<key>.<kind>` holding a JSON header line
(format, kind, key, payload length and SHA-256) and the payload. An entry that is corrupt,
truncated, of another format or filed under another key is ignored (the caller rebuilds it).
Writes go to a temporary file in the same directory and are renamed into place, so two runs at
once never see half an entry. Recency is the entry's mtime (touched on every hit); when the store
grows past its bound the least recently used entries are deleted. A directory that cannot be
written disables the store for the run with one notice; the run itself goes on uncached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

FORMAT = 1
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_SUFFIX = ".tmp"
_HEADER_MAX = 1024  # an entry whose first line is longer is not one of ours


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/gitops-lint`, else `~/.cache/gitops-lint`."""
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base if base else Path.home() / ".cache") / "gitops-lint"


def stderr_notice(message: str) -> None:
    sys.stderr.write(f"gitops-lint: {message}\n")


class CacheStore:
    """Get and put byte payloads by (kind, key); every failure is a miss, never an error."""

    def __init__(self, directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 notice: Callable[[str], None] = stderr_notice) -> None:
        self.directory = Path(directory)
        self.root = self.directory / f"v{FORMAT}"
        self.max_bytes = max_bytes
        self._notice = notice
        self.disabled = False

    def _path(self, kind: str, key: str) -> Path:
        return self.root / key[:2] / f"{key}.{kind}"

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under (kind, key), or None when absent or not trustworthy."""
        if self.disabled:
            return None
        path = self._path(kind, key)
        try:
            with path.open("rb") as entry:  # the header line, then the payload (not copied out of the whole)
                head, body = entry.readline(_HEADER_MAX), entry.read()
        except OSError:
            return None
        payload = _unpack(head, body, kind, key)
        if payload is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # most recently used
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Store `payload` atomically; an unwritable directory disables the store with one notice."""
        if self.disabled:
            return
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=_SUFFIX, dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(_header(kind, key, payload))
                    out.write(payload)  # apart from the header: a bundle of parses is not copied once more
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            self.disabled = True
            self._notice(f"cache directory {self.directory} is not writable ({exc.strerror or exc}); "
                         "running without the cache")
            return
        self.evict()

    def evict(self) -> None:
        """Delete the least recently used entries while the store is larger than its bound."""
        entries = []
        for path in self.root.glob("*/*"):
            try:
                st = path.stat()
            except OSError:
                continue  # deleted by a concurrent run
            entries.append((st.st_mtime_ns, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size


def _header(kind: str, key: str, payload: bytes) -> bytes:
    """The entry's first line: what it is and the payload's length and checksum."""
    header = {"format": FORMAT, "kind": kind, "key": key, "length": len(payload),
              "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header, sort_keys=True).encode() + b"\n"


def _unpack(head: bytes, payload: bytes, kind: str, key: str) -> bytes | None:
    if not head.endswith(b"\n"):
        return None
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if not isinstance(header, dict):
        return None
    expected = {"format": FORMAT, "kind": kind, "key": key, "length": len(payload)}
    if any(header.get(k) != v for k, v in expected.items()):
        return None
    if header.get("sha256") != hashlib.sha256(payload).hexdigest():
        return None
    return payload
