"""`gitops-lint build` prints what `kubectl kustomize` prints, and fails like it."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT
from gitops_lint.cli import main

OVERLAYS = sorted((REPO_ROOT / "examples" / "k8s-manifests" / "apps").glob("*/overlays/*"))


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: f"{p.parent.parent.name}-{p.name}")
def test_build_output_is_byte_identical_to_kubectl(overlay, kubectl):
    ours = CliRunner().invoke(main, ["build", str(overlay)], catch_exceptions=False)
    theirs = subprocess.run([kubectl, "kustomize", str(overlay)], capture_output=True, text=True, check=True)
    assert ours.exit_code == 0
    assert ours.output == theirs.stdout


def test_build_failure_exits_1_with_a_message():
    result = CliRunner().invoke(main, ["build", str(REPO_ROOT / "examples" / "anti-patterns" / "legacy")])
    assert result.exit_code == 1
    assert "not fetched" in result.output
