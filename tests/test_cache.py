"""The persistent cache: robust entries (corrupt, truncated, foreign, unwritable, concurrent), bounded
size, a run's result reused only when nothing it depends on changed, and no secret value on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import write_repo
from gitops_lint.api import lint_path
from gitops_lint.lint.cache import CacheStore

APP = {
    "apps/web/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "apps/web/base/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
        "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n"
    ),
    "apps/web/overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
}
KEY = "ab" + "0" * 62


def _findings(result) -> list[dict]:
    return [f.to_dict() for f in result.findings]


def test_entry_round_trip_and_untrusted_entries_are_misses(tmp_path):
    store = CacheStore(tmp_path)
    store.put("run", KEY, b"payload")
    assert store.get("run", KEY) == b"payload"
    entry = next(tmp_path.rglob(f"{KEY}.run"))
    raw = entry.read_bytes()

    entry.write_bytes(raw[:-1] + b"X")  # corrupt payload: checksum mismatch
    assert store.get("run", KEY) is None
    entry.write_bytes(raw[: len(raw) // 2])  # truncated
    assert store.get("run", KEY) is None
    entry.write_bytes(b"\x00garbage without a header")
    assert store.get("run", KEY) is None
    other = "cd" + "1" * 62  # a valid entry filed under another key (foreign)
    (tmp_path / "v1" / "cd").mkdir()
    (tmp_path / "v1" / "cd" / f"{other}.run").write_bytes(raw)
    assert store.get("run", other) is None
    entry.write_bytes(raw.replace(b'"format": 1', b'"format": 99'))  # another format version
    assert store.get("run", KEY) is None

    store.put("run", KEY, b"rebuilt")  # the caller rebuilds: the bad entry is replaced
    assert store.get("run", KEY) == b"rebuilt"


def test_corrupt_run_entry_is_rebuilt_with_the_same_findings(tmp_path):
    repo = write_repo(tmp_path / "repo", APP)
    cache = tmp_path / "cache"
    cold = _findings(lint_path(repo))
    assert _findings(lint_path(repo, use_cache=True, cache_dir=cache)) == cold
    for entry in cache.rglob("*.run"):
        entry.write_bytes(entry.read_bytes()[:40])
    again = lint_path(repo, use_cache=True, cache_dir=cache)
    assert again.repo is not None  # recomputed, not trusted
    assert _findings(again) == cold
    hit = lint_path(repo, use_cache=True, cache_dir=cache)
    assert hit.repo is None and _findings(hit) == cold


def test_unwritable_cache_dir_gives_one_notice_and_the_run_goes_on(tmp_path, capsys):
    repo = write_repo(tmp_path / "repo", APP)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be\n")
    notices: list[str] = []
    store = CacheStore(blocked, notice=notices.append)
    for n in range(3):
        store.put("run", f"{n:02d}" + "0" * 62, b"x")
    assert len(notices) == 1 and "not writable" in notices[0] and store.disabled

    cold = _findings(lint_path(repo))
    result = lint_path(repo, use_cache=True, cache_dir=blocked)
    assert _findings(result) == cold
    assert capsys.readouterr().err.count("not writable") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_cache_dir(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    notices: list[str] = []
    store = CacheStore(ro, notice=notices.append)
    store.put("run", KEY, b"x")
    store.put("run", KEY, b"x")
    assert len(notices) == 1 and store.get("run", KEY) is None


def test_eviction_keeps_the_most_recently_used(tmp_path):
    store = CacheStore(tmp_path, max_bytes=3 * 400)
    keys = [f"{n:02d}" + "0" * 62 for n in range(6)]
    for n, key in enumerate(keys):
        store.put("run", key, b"x" * 250)
        os.utime(next(tmp_path.rglob(f"{key}.run")), ns=(n * 10**9, n * 10**9))
        if n == 0:
            continue
        store.get("run", keys[0])  # keys[0] stays in use
        os.utime(next(tmp_path.rglob(f"{keys[0]}.run")), ns=(100 * 10**9, 100 * 10**9))
    present = [k for k in keys if store.get("run", k) is not None]
    total = sum(p.stat().st_size for p in tmp_path.rglob("*.run"))
    assert total <= 3 * 400
    assert keys[0] in present and keys[-1] in present and keys[1] not in present


def test_concurrent_writers_never_leave_a_half_entry(tmp_path):
    store = CacheStore(tmp_path)
    payloads = [bytes([65 + n]) * 200_000 for n in range(4)]
    errors: list[bytes] = []

    def hammer(payload: bytes) -> None:
        mine = CacheStore(tmp_path)
        for _ in range(30):
            mine.put("run", KEY, payload)
            got = mine.get("run", KEY)
            if got is not None and got not in payloads:
                errors.append(got[:10])

    threads = [threading.Thread(target=hammer, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.get("run", KEY) in payloads
    assert not list(tmp_path.rglob("*.tmp"))


def test_two_concurrent_check_runs_share_one_cache(tmp_path):
    repo = write_repo(tmp_path / "repo", APP)
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "gitops_lint.cli", "check", str(repo), "--format", "json", "--fail-on", "never",
           "-j", "1", "--cache-dir", str(cache)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    cold = _findings(lint_path(repo))
    for out, _ in outs:
        assert json.loads(out)["findings"] == cold
    hit = lint_path(repo, use_cache=True, cache_dir=cache)
    assert hit.repo is None and _findings(hit) == cold


def test_a_change_to_any_input_is_a_new_run(tmp_path):
    repo = write_repo(tmp_path / "repo", APP)
    cache = tmp_path / "cache"
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is None
    deployment = repo / "apps/web/base/deployment.yaml"
    deployment.write_text(deployment.read_text().replace("nginx:latest", "nginx:1.27"))
    changed = lint_path(repo, use_cache=True, cache_dir=cache)
    assert changed.repo is not None and _findings(changed) == _findings(lint_path(repo))
    assert lint_path(repo, use_cache=True, cache_dir=cache, select=["GL7"]).repo is not None
    (repo / ".gitops-lint.yaml").write_text("fail_on: never\n")
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is not None


def test_no_secret_value_is_ever_written_to_the_cache(tmp_path):
    planted = "pl4nted-s3cret-V4lue-9137"
    files = {
        **APP,
        "apps/web/base/secret.yaml": (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
                                      f"stringData:\n  password: {planted}\n"),
        "apps/web/base/kustomization.yaml": ("resources:\n  - deployment.yaml\n  - secret.yaml\n"
                                             "secretGenerator:\n  - name: gen\n    files: [creds.env]\n"),
        "apps/web/base/creds.env": f"TOKEN={planted}\n",
        "apps/web/base/values.yaml": f"apiKey: {planted}\n",
    }
    repo = write_repo(tmp_path / "repo", files)
    cache = tmp_path / "cache"
    result = lint_path(repo, use_cache=True, cache_dir=cache)
    assert any(f.rule.startswith("GL6") for f in result.findings)  # the secret rules saw it
    lint_path(repo, use_cache=True, cache_dir=cache)
    written = list(cache.rglob("*"))
    assert any(p.suffix == ".run" for p in written)
    for path in written:
        if path.is_file():
            assert planted.encode() not in path.read_bytes(), path


def test_cli_no_cache_writes_nothing_and_cache_dir_config_is_used(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gitops_lint.cli import main

    repo = write_repo(tmp_path / "repo", APP, config={"cache_dir": ".lint-cache"})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    runner = CliRunner()
    res = runner.invoke(main, ["check", str(repo), "--no-cache", "--format", "json", "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    assert not (repo / ".lint-cache").exists() and not (tmp_path / "xdg").exists()
    for _ in range(2):
        again = runner.invoke(main, ["check", str(repo), "--format", "json", "--fail-on", "never"])
        assert json.loads(again.output)["findings"] == json.loads(res.output)["findings"]
        assert json.loads(again.output)["summary"] == json.loads(res.output)["summary"]
    assert list((repo / ".lint-cache").rglob("*.run"))
    other = tmp_path / "elsewhere"
    runner.invoke(main, ["check", str(repo), "--cache-dir", str(other), "--fail-on", "never"])
    assert list(other.rglob("*.run"))


def test_the_checkout_remotes_and_branch_are_inputs(tmp_path):
    repo = write_repo(tmp_path / "repo", APP)
    cache = tmp_path / "cache"

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is None
    git("remote", "add", "origin", "https://example.com/org/repo.git")
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is not None
    git("checkout", "-q", "-b", "other")
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is not None
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is None


def test_a_cache_directory_that_git_tracks_is_never_trusted(tmp_path, capsys):
    """A pull request could commit cache entries claiming a clean result for its own tree: an in-repo
    cache directory with tracked files is not used (one notice); untracked, it is."""
    repo = write_repo(tmp_path / "repo", APP)
    cache = repo / ".gitops-lint-cache"

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "app")
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert lint_path(repo, use_cache=True, cache_dir=cache).repo is None  # untracked: used
    git("add", "-f", ".gitops-lint-cache")
    git("commit", "-qm", "entries")
    capsys.readouterr()
    result = lint_path(repo, use_cache=True, cache_dir=cache)
    assert result.repo is not None and result.findings
    assert "tracked by git; running without the cache" in capsys.readouterr().err
