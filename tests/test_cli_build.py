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


def _overlay_outside_git(tmp_path):
    """apps/web/{base,overlays/dev} written in a directory that is not a git work tree."""
    top = tmp_path / "plain"
    (top / "apps/web/base").mkdir(parents=True)
    (top / "apps/web/overlays/dev").mkdir(parents=True)
    (top / "apps/web/base/cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n")
    (top / "apps/web/base/kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (top / "apps/web/overlays/dev/kustomization.yaml").write_text("resources: [../../base]\nnamePrefix: dev-\n")
    return top


@pytest.mark.parametrize("cwd", [".", "apps", "apps/web/overlays/dev"])
def test_build_outside_git_reads_the_bases_the_overlay_needs(tmp_path, monkeypatch, cwd):
    top = _overlay_outside_git(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(top / cwd)
    result = CliRunner().invoke(main, ["build", str(top / "apps/web/overlays/dev")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "name: dev-web" in result.output


def test_build_outside_git_keeps_an_explicit_repo_root(tmp_path, monkeypatch):
    top = _overlay_outside_git(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    overlay = top / "apps/web/overlays/dev"
    narrow = CliRunner().invoke(main, ["build", "--repo-root", str(top / "apps/web/overlays"), str(overlay)])
    assert narrow.exit_code == 1 and "leads outside the repository root" in narrow.output
    wide = CliRunner().invoke(main, ["build", "--repo-root", str(top), str(overlay)])
    assert wide.exit_code == 0 and "name: dev-web" in wide.output


def test_build_root_walk_survives_cycles_and_remote_entries(tmp_path):
    from gitops_lint.model.build_root import build_root

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/kustomization.yaml").write_text("resources: [../b, https://example.com/x.yaml]\n")
    (tmp_path / "b/kustomization.yaml").write_text("resources: [../a]\n")
    assert build_root(tmp_path / "a", tmp_path / "a") == tmp_path
