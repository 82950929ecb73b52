"""The stat record of `lint.file_hashes`: unchanged files are not read again, racy or changed ones are."""

from __future__ import annotations

import json
import os
import time

from gitops_lint.lint.cache import CacheStore
from gitops_lint.lint.file_hashes import STATS_KIND, _stat_key, file_hashes, hash_bytes

HOUR_NS = 3600 * 10**9


def _write_record(store: CacheStore, root, files: dict, written_ns: int) -> None:
    body = {"written_ns": written_ns, "files": files}
    store.put(STATS_KIND, _stat_key(root), json.dumps(body).encode())


def _stamp(path) -> list:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


def test_a_recorded_settled_file_is_not_read_again(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.yaml").write_text("a: 1\n")
    store = CacheStore(tmp_path / "cache")
    _write_record(store, root, {"a.yaml": [*_stamp(root / "a.yaml"), "recorded"]}, time.time_ns() + HOUR_NS)
    assert file_hashes(root, ["a.yaml"], store) == {"a.yaml": "recorded"}  # the record, not the content


def test_a_racy_changed_or_malformed_entry_is_read_again(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("racy.yaml", "changed.yaml", "short.yaml"):
        (root / name).write_text(f"{name}: 1\n")
    store = CacheStore(tmp_path / "cache")
    racy = [*_stamp(root / "racy.yaml"), "stale"]
    changed = [*_stamp(root / "changed.yaml"), "stale"]
    changed[0] += 1  # another size
    mtime_ns = max(_stamp(root / "racy.yaml")[1], _stamp(root / "racy.yaml")[3])
    _write_record(store, root, {"racy.yaml": racy, "changed.yaml": changed, "short.yaml": _stamp(root / "short.yaml")},
                  mtime_ns + 10**9)  # written within 2 s of the last change: an edit may not show in the stat
    hashes = file_hashes(root, ["racy.yaml", "changed.yaml", "short.yaml", "gone.yaml"], store)
    assert hashes == {name: hash_bytes((root / name).read_bytes()) for name in ("racy.yaml", "changed.yaml", "short.yaml")} \
        | {"gone.yaml": "unreadable"}
