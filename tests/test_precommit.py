"""The real pre-commit runs our hook (try-repo against this checkout) on fixture git repos."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, write_repo

GOOD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"
BAD = GOOD + "  mode: slow\n"


def _pre_commit() -> list[str]:
    exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if exe is None:
        pytest.skip("pre-commit not installed")
    return [exe]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _hook_repo(tmp_path: Path) -> Path:
    """A committed copy of this checkout's sources (try-repo needs a git repo with the hook)."""
    src = tmp_path / "hook-src"
    ignore = shutil.ignore_patterns(".git", ".ci-venv", "__pycache__", "*.egg-info", "tests", "examples",
                                    "benchmarks", "build", "dist", ".pytest_cache", ".ruff_cache")
    shutil.copytree(REPO_ROOT, src, ignore=ignore)
    _git(src, "init", "-q")
    _git(src, "add", "-A")
    _git(src, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "hook")
    return src


@pytest.mark.slow
def test_pre_commit_hook_fails_bad_repo_and_passes_good_one(tmp_path):
    pre_commit = _pre_commit()
    hook_src = _hook_repo(tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    outcomes = {}
    for name, content in (("good", GOOD), ("bad", BAD)):
        repo = write_repo(tmp_path / name, {"apps/web/settings.yaml": content})
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        proc = subprocess.run(
            [*pre_commit, "try-repo", str(hook_src), "gitops-lint", "--all-files"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900,
        )
        outcomes[name] = proc
    assert outcomes["good"].returncode == 0, outcomes["good"].stdout + outcomes["good"].stderr
    assert outcomes["bad"].returncode == 1, outcomes["bad"].stdout
    assert "GL302" in outcomes["bad"].stdout
    # the changed-files hook: the staged file is named, its findings are reported
    for name, code in (("good", 0), ("bad", 1)):
        proc = subprocess.run([*pre_commit, "try-repo", str(hook_src), "gitops-lint-files", "--all-files"],
                              cwd=tmp_path / name, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == code, proc.stdout + proc.stderr
    assert "GL302" in proc.stdout and "apps/web/settings.yaml" in proc.stdout
