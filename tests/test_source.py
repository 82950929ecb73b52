"""The working-tree source: confinement to the root, symlinks, git listing."""

from __future__ import annotations

import os
import subprocess

import pytest

from gitops_lint.core.source import PathEscapesRoot, WorkingTree, normalize


def test_normalize_refuses_escapes():
    assert normalize("../base", "apps/web/overlays/dev") == "apps/web/overlays/base"
    assert normalize("./x.yaml", "") == "x.yaml"
    with pytest.raises(PathEscapesRoot):
        normalize("../../etc", "apps")
    with pytest.raises(PathEscapesRoot):
        normalize("/etc/passwd", "apps")


def test_symlinks_outside_the_root_and_loops_are_reported_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("a: 1\n")
    root = tmp_path / "repo"
    (root / "apps").mkdir(parents=True)
    (root / "apps" / "ok.yaml").write_text("a: 1\n")
    os.symlink(outside / "secret.yaml", root / "apps" / "leak.yaml")
    os.symlink(outside, root / "apps" / "leakdir")
    os.symlink(root / "apps" / "loop-b", root / "apps" / "loop-a")
    os.symlink(root / "apps" / "loop-a", root / "apps" / "loop-b")
    os.symlink(root / "apps" / "ok.yaml", root / "apps" / "inside.yaml")
    tree = WorkingTree(root, use_git=False)
    assert tree.files() == ["apps/inside.yaml", "apps/ok.yaml"]
    unsafe = {u.path: u for u in tree.unsafe_paths()}
    assert unsafe["apps/leak.yaml"].escapes and unsafe["apps/leakdir"].escapes
    assert not unsafe["apps/loop-a"].escapes and "loop" in unsafe["apps/loop-a"].reason
    with pytest.raises(PathEscapesRoot):
        tree.read_bytes("apps/leak.yaml")


def test_git_listing_honours_gitignore(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.yaml").write_text("a: 1\n")
    (tmp_path / "app.yaml").write_text("a: 1\n")
    tree = WorkingTree(tmp_path)
    assert tree.files() == [".gitignore", "app.yaml"]
    assert tree.is_dir("") and not tree.is_dir("build") and tree.listdir("") == [".gitignore", "app.yaml"]
