"""The stat record of `lint.file_hashes`: unchanged files are not read again, racy or changed ones are."""

from __future__ import annotations

import json
import os
import time

from gitops_lint.lint import file_hashes as file_hashes_module
from gitops_lint.lint.cache import CacheStore
from gitops_lint.lint.file_hashes import REWRITE_AT, STATS_KIND, _stat_key, file_hashes, hash_bytes

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


def test_the_record_is_rewritten_only_when_many_files_differ_from_it(tmp_path, monkeypatch):
    ahead = time.time_ns() + HOUR_NS
    monkeypatch.setattr(file_hashes_module.time, "time_ns", lambda: ahead)
    root = tmp_path / "repo"
    root.mkdir()
    names = [f"f{i:03}.yaml" for i in range(REWRITE_AT + 1)]
    for name in names:
        (root / name).write_text(f"{name}: 1\n")
    store = CacheStore(tmp_path / "cache")  # records are written an hour ahead: no file is racy
    assert store.get(STATS_KIND, _stat_key(root)) is None
    file_hashes(root, names, store)  # no record yet: written
    first = store.get(STATS_KIND, _stat_key(root))
    assert first is not None
    (root / names[0]).write_text("edited: 2\n")  # one file differs: hashed again, the record stays
    assert file_hashes(root, names, store)[names[0]] == hash_bytes(b"edited: 2\n")
    assert store.get(STATS_KIND, _stat_key(root)) == first
    assert file_hashes(root, names, store)[names[0]] == hash_bytes(b"edited: 2\n")  # and again next time
    for name in names[:REWRITE_AT]:
        (root / name).write_text(f"{name}: 3\n")
    hashes = file_hashes(root, names, store)  # many differ: the record is rewritten with the new hashes
    assert hashes == {name: hash_bytes((root / name).read_bytes()) for name in names}
    assert json.loads(store.get(STATS_KIND, _stat_key(root)))["files"][names[0]][4] == hash_bytes(f"{names[0]}: 3\n".encode())
