"""Bulk parsing pauses cyclic garbage collection and always restores the collector's state."""

from __future__ import annotations

import gc

import pytest

from gitops_lint.core.gc_pause import gc_paused
from gitops_lint.core.source import WorkingTree
from gitops_lint.model.repository import parse_files


def test_collection_is_off_inside_and_back_on_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_state_is_restored_after_an_exception():
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_parse_files_parses_with_collection_paused_and_restores_it(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text("a: &x [1]\nb: *x\n")
    (tmp_path / "loop.yaml").write_text("a: &a [*a]\n")  # a recursive alias: refused, its cycle freed later
    seen = []
    import gitops_lint.model.repository as repository

    real = repository._parse_one
    monkeypatch.setattr(repository, "_parse_one", lambda *a: seen.append(gc.isenabled()) or real(*a))
    parsed = parse_files(WorkingTree(tmp_path, use_git=False), ["a.yaml", "loop.yaml"], repository.Limits(), jobs=1)
    assert seen == [False, False] and gc.isenabled()
    assert parsed["a.yaml"].documents[0].data == {"a": [1], "b": [1]}
    assert [v.key for v in parsed["loop.yaml"].violations] == ["unsafe:0"]


def test_a_check_runs_its_rules_with_collection_paused_and_restores_it(tmp_path):
    from conftest import write_repo
    from gitops_lint.api import lint_path

    repo = write_repo(tmp_path / "repo", {"apps/web/base/kustomization.yaml": "resources: [cm.yaml]\n",
                                          "apps/web/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                                                                   "metadata:\n  name: web\n"})
    states = []
    result = lint_path(repo, jobs=1, progress=lambda stage, done, total: states.append((stage, gc.isenabled())))
    rules = [enabled for stage, enabled in states if stage != "parsing"]
    assert result.cards
    assert rules and not any(rules)  # every rule ran with the collector off
    assert gc.isenabled()


def test_the_console_script_keeps_its_output_and_exit_code_when_it_ends_quickly(tmp_path):
    """`console.run` turns the collector off and ends the process without tearing it down: what the command
    printed still arrives whole through a pipe (a report far larger than a pipe's buffer), and the exit
    code is the command's (1: findings at the fail level; 2: a usage error)."""
    import json
    import subprocess
    import sys

    from conftest import write_repo

    files = {"apps/web/base/kustomization.yaml": "resources: [" + ", ".join(f"s{i}.yaml" for i in range(300)) + "]\n"}
    for i in range(300):  # each a plaintext Secret (GL601): hundreds of findings, a report of hundreds of KB
        files[f"apps/web/base/s{i}.yaml"] = (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s{i}\n"
                                             f"stringData:\n  password: {'x' * 40}{i}\n")
    repo = write_repo(tmp_path / "repo", files)
    script = "from gitops_lint.cli import console_main; console_main()"
    done = subprocess.run([sys.executable, "-c", script, "check", str(repo), "--format", "json", "--no-cache"],
                          capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    assert len(done.stdout) > 65536 and report["summary"]["findings"] == len(report["findings"])
    assert {f"apps/web/base/s{i}.yaml" for i in range(300)} <= {f["path"] for f in report["findings"]}
    usage = subprocess.run([sys.executable, "-c", script, "check", "--no-such-option"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert usage.returncode == 2 and "no-such-option" in usage.stderr
