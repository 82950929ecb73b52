"""`check --shard K/N` + `merge`: for N = 1..4 the merged report equals one unsharded run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cache_differential import _synthetic

from conftest import write_repo
from gitops_lint.cli import main

DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n"
    "    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n"
    "    spec:\n      containers:\n        - name: api\n          image: nginx:latestCOMMENT\n"
)


def _check(repo: Path, *args: str) -> str:
    res = CliRunner().invoke(main, ["check", str(repo), "--format", "json", "--fail-on", "never", "-j", "1",
                                    "--no-cache", *args])
    assert res.exit_code == 0, res.output
    return res.output


def _merge(tmp_path: Path, outputs: list[str], *args: str) -> str:
    files = []
    for n, text in enumerate(outputs):
        path = tmp_path / f"shard-{n}.json"
        path.write_text(text)
        files.append(str(path))
    res = CliRunner().invoke(main, ["merge", *files, "--fail-on", "never", *args])
    assert res.exit_code == 0, res.output
    return res.output


def _repo_with_suppressions(root: Path) -> Path:
    base = _synthetic(root)
    used = DEPLOYMENT.replace("COMMENT", "")
    line = used.splitlines().index("          image: nginx:latest") + 1
    write_repo(base, {"apps/api/base/deployment.yaml": used,
                      "apps/api/base/kustomization.yaml": "resources:\n  - deployment.yaml\n"})
    on_line = [f for f in json.loads(_check(base))["findings"]
               if f["path"] == "apps/api/base/deployment.yaml" and f["line"] == line]
    assert on_line
    silenced = on_line[0]["rule"]
    write_repo(base, {"apps/api/base/deployment.yaml": DEPLOYMENT.replace(
        "COMMENT", f"  # gitops-lint: disable={silenced},GL302 -- pinned elsewhere")})
    return base


@pytest.mark.parametrize(("shard_fmt", "fmt"), [("json", "json"), ("json", "sarif"), ("sarif", "sarif")])
def test_merged_shards_equal_one_run_on_a_synthetic_repo(tmp_path, shard_fmt, fmt):
    repo = _repo_with_suppressions(tmp_path / "repo")
    whole = json.loads(_check(repo))
    assert whole["summary"]["suppressed"] >= 1
    assert any(f["rule"] == "GL001" for f in whole["findings"])  # GL302 silenced nothing
    expected = _check(repo, "--format", fmt) if fmt != "json" else None
    for n in range(1, 5):
        shards = [_check(repo, "--shard", f"{k}/{n}", "--format", shard_fmt) for k in range(1, n + 1)]
        merged = _merge(tmp_path, shards, "--format", fmt)
        if fmt == "json":
            assert json.loads(merged) == whole, n
        else:
            assert merged == expected, n


def test_sarif_shards_merge_into_sarif_only(tmp_path):
    repo = write_repo(tmp_path / "repo", {"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    shards = [_check(repo, "--shard", f"{k}/2", "--format", "sarif") for k in (1, 2)]
    for n, text in enumerate(shards):
        (tmp_path / f"s{n}.sarif").write_text(text)
    res = CliRunner().invoke(main, ["merge", str(tmp_path / "s0.sarif"), str(tmp_path / "s1.sarif"),
                                    "--format", "json"])
    assert res.exit_code == 2 and "SARIF only" in res.output
    (tmp_path / "j.json").write_text(_check(repo, "--shard", "2/2"))
    res = CliRunner().invoke(main, ["merge", str(tmp_path / "s0.sarif"), str(tmp_path / "j.json")])
    assert res.exit_code == 2 and "one format" in res.output


def test_merged_shards_equal_one_run_on_a_corpus_repo(tmp_path, corpus):
    repo = corpus / "fluxcd__flux2-kustomize-helm-example"
    if not repo.is_dir():
        pytest.skip("corpus repo not present")
    whole = json.loads(_check(repo))
    for n in range(1, 5):
        shards = [_check(repo, "--shard", f"{k}/{n}") for k in range(1, n + 1)]
        assert json.loads(_merge(tmp_path, shards, "--format", "json")) == whole, n


def test_repository_rules_run_in_shard_one_and_scoped_rules_in_every_shard():
    from gitops_lint.lint.cards import load_cards
    from gitops_lint.lint.shard import shard_cards

    cards = load_cards()
    whole = sorted(c.id for c in cards if c.stage != "suppressions" and c.scope == "repository")
    scoped = sorted(c.id for c in cards if c.stage != "suppressions" and c.scope != "repository")
    everywhere = sorted(c.id for c in cards if c.stage == "suppressions")
    assert whole and scoped and everywhere
    for n in range(1, 5):
        for k in range(1, n + 1):
            share = shard_cards(cards, k, n)
            assert sorted(c.id for c in share if c.stage == "suppressions") == everywhere
            assert sorted(c.id for c in share if c.scope != "repository" and c.stage != "suppressions") == scoped
            assert sorted(c.id for c in share if c.scope == "repository" and c.stage != "suppressions") == (
                whole if k == 1 else [])


def test_merge_refuses_missing_or_foreign_reports(tmp_path):
    repo = write_repo(tmp_path / "repo", {"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    one, _two, three = (_check(repo, "--shard", f"{k}/3") for k in (1, 2, 3))
    paths = []
    for name, text in (("one", one), ("three", three), ("plain", _check(repo))):
        (tmp_path / f"{name}.json").write_text(text)
        paths.append(str(tmp_path / f"{name}.json"))
    res = CliRunner().invoke(main, ["merge", paths[0], paths[1]])
    assert res.exit_code == 2 and "shards 1..N" in res.output
    res = CliRunner().invoke(main, ["merge", paths[2]])
    assert res.exit_code == 2 and "not a shard" in res.output
    res = CliRunner().invoke(main, ["check", str(repo), "--shard", "5/4"])
    assert res.exit_code == 2
