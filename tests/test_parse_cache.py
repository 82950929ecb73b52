"""The kept parses (`lint.parse_cache`): a kept parse equals a fresh one, a warm run parses only the
files that changed and reports what an uncached run reports, and no file that holds (or may hold) a
secret value is ever kept."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from dataclasses import astuple, replace
from pathlib import Path

import pytest

from conftest import write_repo
from gitops_lint.api import lint_path
from gitops_lint.core.config import resolve_config
from gitops_lint.core.loader import load_yaml
from gitops_lint.core.source import WorkingTree
from gitops_lint.lint import cached_run, parse_cache
from gitops_lint.lint.cache import CacheStore
from gitops_lint.model import repository

PLANTED = "pl4nted-v4lue-Zx81q"
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
    "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
    "    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.0\n"
)
CLEAN = {
    "apps/web/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "apps/web/base/deployment.yaml": DEPLOYMENT,
    "apps/web/overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
    "notes/bom.yaml": "\ufeffnote: a file that starts with a byte order mark\n",
}

TRICKY = {
    "anchors.yaml": ("base: &b {a: 1, b: [x, y]}\nmerged:\n  <<: *b\n  c: 2021-01-02\nflag: yes\n"
                     "folded: >\n  one\n  two\nempty: {k: }\nnum: 0o17\nfloat: .inf\nnan: .nan\nneg: -0.0\n"),
    "multi.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {mode: 0644, x: ~}\n"
                   "data: {k: v}\n---\n---\n- 1\n- [2, {deep: [3]}]\n"),
    "duplicate.yaml": "a: 1\na: 2\nb: 'é ü 日本'\n",
    "broken.yaml": "a: [1, 2\nb: c\n",
}


def _plain_load(payload: bytes):
    return parse_cache._PlainUnpickler(io.BytesIO(payload)).load()


def _round_trip(path: str, text: str):
    parsed = load_yaml(path, text.encode())
    entry = _plain_load(pickle.dumps(parse_cache._encoded(parsed), protocol=5))
    return parsed, parse_cache._parsed(path, entry)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_a_kept_parse_equals_a_fresh_parse(name):
    fresh, kept = _round_trip(name, TRICKY[name])
    assert kept.text == fresh.text and kept.violations == fresh.violations
    # every field, tables in the same order, and by repr (NaN is not equal to itself; -0.0 is 0.0)
    assert [_fields(d) for d in kept.documents] == [_fields(d) for d in fresh.documents]
    assert len(fresh.documents) == len(TRICKY[name].split("---")) - (name == "multi.yaml") or fresh.violations


def _fields(doc) -> str:
    return repr(astuple(replace(doc, keys=dict(doc.keys), values=dict(doc.values))))


def test_kept_position_tables_are_decoded_only_when_read_and_kept_as_they_came():
    fresh, kept = _round_trip("multi.yaml", TRICKY["multi.yaml"])
    doc = kept.documents[0]
    assert doc.keys.tables._decoded is None  # loading the bundle did not decode them
    assert doc.position(("data", "k")) == fresh.documents[0].position(("data", "k"))
    assert doc.keys.tables._decoded is not None and ("metadata", "name") in doc.values
    assert parse_cache._encoded(kept)[1][0][5] is doc.keys.tables.blob  # written back without re-encoding


@pytest.mark.parametrize("blob", [b"", b"garbage", pickle.dumps(({}, [])), pickle.dumps([{}, {}, {}]),
                                  b"\x80\x05\x95\xff\xff\xff\xff\xff\xff\xff\x7f",  # a frame too long to exist
                                  pickle.dumps(({("data",): (1, "x")}, {})), pickle.dumps(({"data": (1, 2)}, {}))])
def test_kept_tables_that_do_not_decode_are_never_used_the_text_is_parsed_again(blob):
    fresh, _ = _round_trip("multi.yaml", TRICKY["multi.yaml"])
    entry = _plain_load(pickle.dumps(parse_cache._encoded(fresh), protocol=5))
    entry[1][0][5] = blob
    kept = parse_cache._parsed("multi.yaml", entry)
    doc, expected = kept.documents[0], fresh.documents[0]
    assert doc.position(("data", "k")) == expected.position(("data", "k")) != doc.start
    assert dict(doc.keys) == dict(expected.keys) and dict(doc.values) == dict(expected.values)
    rewritten = parse_cache._encoded(kept)[1][0][5]  # the bundle written next gets sound tables, not the damage
    assert rewritten != blob and parse_cache._decoded_tables(rewritten) == (dict(expected.keys), dict(expected.values))


def _bundle(repo: Path, cache: Path) -> dict:
    store = CacheStore(cache)
    tree = WorkingTree(repo)
    key = cached_run.parses_key(tree, resolve_config(repo, None))
    payload = store.get(parse_cache.PARSES_KIND, key)
    return parse_cache.read_entries(payload) if payload is not None else {}


def _spy_parses(monkeypatch) -> list[str]:
    parsed: list[str] = []
    real = repository._parse_files

    def spy(tree, paths, *args):
        parsed.extend(paths)
        return real(tree, paths, *args)

    monkeypatch.setattr(repository, "_parse_files", spy)
    return parsed


def _findings(result) -> list[dict]:
    return [f.to_dict() for f in result.findings]


def test_a_warm_run_parses_only_what_changed_and_reports_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "CHUNK", 2)  # a bundle of several pickles
    repo = write_repo(tmp_path / "repo", CLEAN)
    cache = tmp_path / "cache"
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert set(_bundle(repo, cache)) == set(CLEAN)
    target = repo / "apps/web/base/deployment.yaml"
    target.write_text(DEPLOYMENT.replace("nginx:1.27.0", "nginx:latest"))
    parsed = _spy_parses(monkeypatch)
    warm = lint_path(repo, use_cache=True, cache_dir=cache)
    assert parsed == ["apps/web/base/deployment.yaml"]
    assert _findings(warm) == _findings(lint_path(repo)) != []
    parsed.clear()
    named = lint_path(repo, use_cache=True, cache_dir=cache, files=["apps/web/overlays/production/kustomization.yaml"])
    assert named.repo is None or parsed == []  # answered by the stored whole run, or from kept parses only


def test_files_that_may_hold_a_secret_are_never_kept(tmp_path):
    files = {
        **CLEAN,
        "apps/web/base/kustomization.yaml": ("resources:\n  - deployment.yaml\n  - secret.yaml\n  - env.yaml\n"
                                             "secretGenerator:\n  - name: gen\n    files: [settings.yaml]\n"),
        "apps/web/base/secret.yaml": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  x: {PLANTED}\n",
        "apps/web/base/settings.yaml": f"endpoint: {PLANTED}\n",  # a generator input
        "apps/web/base/env.yaml": (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env\n"
                                   f"data:\n  DB_PASSWORD: {PLANTED}\n"),  # GL602 finds it
        "apps/web/base/sealed.yaml": ("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: s\n"
                                      f"spec:\n  encryptedData:\n    x: {PLANTED}\n"),
        "secrets/db.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  endpoint: {PLANTED}\n",
        ".sops.yaml": "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1xyz\n",
        ".github/workflows/deploy.yaml": f"on: push\njobs:\n  x:\n    env:\n      SETTING: {PLANTED}\n",
        # found, then accepted by the baseline: not reported, still not kept
        "apps/web/base/accepted.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: acc\ndata:\n  id: AKIAIOSFODNN7EXAMPLE\n",
        ".secrets.baseline": json.dumps({"results": {"apps/web/base/accepted.yaml": [{
            "type": "AWS Access Key", "line_number": 6,
            "hashed_secret": hashlib.sha1(b"AKIAIOSFODNN7EXAMPLE").hexdigest()}]}}),  # noqa: S324 - detect-secrets' own hash
    }
    repo = write_repo(tmp_path / "repo", files)
    cache = tmp_path / "cache"
    result = lint_path(repo, use_cache=True, cache_dir=cache)
    assert not any(f.rule == "GL602" and f.path == "apps/web/base/accepted.yaml" for f in result.findings)
    kept = set(_bundle(repo, cache))
    # .sops.yaml holds public keys and path rules only
    assert kept == {"apps/web/base/deployment.yaml", "apps/web/overlays/production/kustomization.yaml", ".sops.yaml",
                    "notes/bom.yaml"}
    for path in cache.rglob("*"):
        if path.is_file():
            assert PLANTED.encode() not in path.read_bytes() and b"AKIAIOSFODNN7EXAMPLE" not in path.read_bytes()


def test_nothing_is_kept_by_a_run_without_the_secret_scan(tmp_path):
    repo = write_repo(tmp_path / "repo", CLEAN)
    cache = tmp_path / "cache"
    lint_path(repo, use_cache=True, cache_dir=cache, ignore=["GL602"])
    assert _bundle(repo, cache) == {}
    lint_path(repo, use_cache=True, cache_dir=cache, ignore=["GL602"], files=["apps/web/base/deployment.yaml"])
    assert _bundle(repo, cache) == {}


def test_a_first_check_of_named_files_scans_the_rest_before_keeping_it(tmp_path, monkeypatch):
    """The pre-commit hook of changed files may be all a developer runs: with no bundle yet, it scans
    the files its named ones do not touch, and keeps none that holds a secret."""
    files = {
        **CLEAN,
        "apps/api/base/kustomization.yaml": "resources:\n  - config.yaml\n",
        "apps/api/base/config.yaml": (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\n"
                                      f"data:\n  DB_PASSWORD: {PLANTED}\n"),
    }
    repo = write_repo(tmp_path / "repo", files)
    cache = tmp_path / "cache"
    lint_path(repo, use_cache=True, cache_dir=cache, files=["apps/web/base/deployment.yaml"])
    assert set(_bundle(repo, cache)) == set(files) - {"apps/api/base/config.yaml"}
    assert all(PLANTED.encode() not in p.read_bytes() for p in cache.rglob("*") if p.is_file())
    (repo / "apps/web/base/deployment.yaml").write_text(DEPLOYMENT.replace("nginx:1.27.0", "nginx:1.27.1"))
    parsed = _spy_parses(monkeypatch)
    named = lint_path(repo, use_cache=True, cache_dir=cache, files=["apps/web/base/deployment.yaml"])
    assert sorted(parsed) == ["apps/api/base/config.yaml", "apps/web/base/deployment.yaml"]
    assert _findings(named) == [f for f in _findings(lint_path(repo)) if f["path"] == "apps/web/base/deployment.yaml"]


class _Planted:
    """Code that a forged bundle would run if the unpickler let it name a function."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("payload", [
    b"not a pickle", pickle.dumps([]), pickle.dumps({"apps/web/base/deployment.yaml": [1]}) + pickle.dumps(None),
    parse_cache.bundle_payload({"apps/web/base/deployment.yaml": ["h", ["text", [[1, 2]], []]]}),
    parse_cache.bundle_payload({"apps/web/base/deployment.yaml": ["h", ["t", [[0, {}, 1, 1, 2, [], {}, *[None] * 5]], []]]}),
    parse_cache.bundle_payload({"apps/web/base/deployment.yaml": ["h", ["t", [], []]]})[:-3],  # no end
    "planted",
])
def test_a_bundle_that_does_not_decode_is_a_miss(tmp_path, monkeypatch, payload):
    marker = tmp_path / "ran"
    if payload == "planted":
        payload = parse_cache.bundle_payload({"apps/web/base/deployment.yaml": ["h", _Planted(marker)]})
    repo = write_repo(tmp_path / "repo", CLEAN)
    cache = tmp_path / "cache"
    expected = _findings(lint_path(repo))
    key = cached_run.parses_key(WorkingTree(repo), resolve_config(repo, None))
    CacheStore(cache).put(parse_cache.PARSES_KIND, key, payload)
    parsed = _spy_parses(monkeypatch)
    assert _findings(lint_path(repo, use_cache=True, cache_dir=cache)) == expected
    assert sorted(parsed) == sorted(CLEAN)
    assert not marker.exists()


def test_a_parse_is_used_only_for_the_content_it_was_made_of(tmp_path, monkeypatch):
    repo = write_repo(tmp_path / "repo", CLEAN)
    cache = tmp_path / "cache"
    lint_path(repo, use_cache=True, cache_dir=cache)
    bundle = _bundle(repo, cache)
    # a bundle whose recorded hash does not match the file (as after an edit) is not used for it
    bundle["apps/web/base/deployment.yaml"][0] = "0" * 40
    key = cached_run.parses_key(WorkingTree(repo), resolve_config(repo, None))
    CacheStore(cache).put(parse_cache.PARSES_KIND, key, parse_cache.bundle_payload(bundle))
    (repo / "extra.yaml").write_text("a: 1\n")  # a new input: the run itself is not answered by the cache
    parsed = _spy_parses(monkeypatch)
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert sorted(parsed) == ["apps/web/base/deployment.yaml", "extra.yaml"]


@pytest.mark.parametrize("example", ["k8s-manifests", "anti-patterns"])
def test_a_run_leaves_every_parse_as_the_loader_made_it(example):
    """What is kept is written after the run: no rule may have changed a parse in place."""
    root = Path(__file__).resolve().parent.parent / "examples" / example
    repo = lint_path(root).repo
    assert repo is not None
    for path, parsed in repo.parsed_files.items():
        fresh = load_yaml(path, repo.tree.read_bytes(path), repo.config.limits)
        assert repr(parse_cache._encoded(parsed)) == repr(parse_cache._encoded(fresh)), path


def test_a_file_saved_again_during_the_run_is_not_kept_under_the_first_hash(tmp_path, monkeypatch):
    repo = write_repo(tmp_path / "repo", CLEAN)
    cache = tmp_path / "cache"
    real = repository._parse_files
    target = repo / "apps/web/base/deployment.yaml"

    def edit_then_parse(tree, paths, *args):  # the editor saves between hashing and parsing
        target.write_text(DEPLOYMENT.replace("nginx:1.27.0", "nginx:1.27.1"))
        return real(tree, paths, *args)

    monkeypatch.setattr(repository, "_parse_files", edit_then_parse)
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert set(_bundle(repo, cache)) == set(CLEAN) - {"apps/web/base/deployment.yaml"}


def test_the_bundle_is_rewritten_only_when_enough_changed(tmp_path):
    notes = {f"notes/n{i:03d}.yaml": f"note: {i}\n" for i in range(parse_cache.REWRITE_AT + 1)}
    repo = write_repo(tmp_path / "repo", {**CLEAN, **notes})
    cache = tmp_path / "cache"
    lint_path(repo, use_cache=True, cache_dir=cache)
    first = _bundle(repo, cache)
    (repo / "notes/n000.yaml").write_text("note: changed\n")  # one change: parsed again next time, not rewritten
    lint_path(repo, use_cache=True, cache_dir=cache)
    assert _bundle(repo, cache) == first
    for name in notes:
        (repo / name).write_text("note: all changed\n")
    lint_path(repo, use_cache=True, cache_dir=cache)
    rewritten = _bundle(repo, cache)
    assert set(rewritten) == set(first) and rewritten["notes/n001.yaml"][0] != first["notes/n001.yaml"][0]


def test_the_unpickler_refuses_what_a_plain_one_would_run(tmp_path):
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Planted(marker))
    with pytest.raises(pickle.UnpicklingError):
        _plain_load(payload)
    assert not marker.exists()
    pickle.loads(payload)  # noqa: S301 - the control: an ordinary unpickler runs the planted call
    assert marker.exists()


def test_recurring_short_strings_are_kept_once_and_deep_data_as_it_is():
    fresh, kept = _round_trip("multi.yaml", "a: shared\nb: shared\n---\na: shared\n")
    first, second = (d.data for d in kept.documents)
    assert first == {"a": "shared", "b": "shared"} and second == {"a": "shared"}
    assert first["a"] is first["b"] is second["a"] and next(iter(first)) is next(iter(second))
    deep: list = []
    node = deep
    for _ in range(5000):  # deeper than Python's recursion limit: stored as it is, not interned
        node.append([])
        node = node[0]
    assert parse_cache._shared_strings(deep) is deep
