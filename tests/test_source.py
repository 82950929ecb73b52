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


def _repo_with_links(tmp_path):
    """A repository with a linked directory inside it, one leading outside, a loop and a `.git` folder."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.yaml").write_text("token: canary\n")
    root = tmp_path / "repo"
    (root / "apps" / "web").mkdir(parents=True)
    (root / "apps" / "web" / "app.yaml").write_text("a: 1\n")
    (root / ".git" / "objects").mkdir(parents=True)
    (root / ".git" / "objects" / "x.yaml").write_text("a: 1\n")
    os.symlink("web", root / "apps" / "alias")  # a linked directory inside the root
    os.symlink(outside, root / "apps" / "out")  # one leading outside
    os.symlink("loop", root / "apps" / "loop")  # a link to itself
    os.mkfifo(root / "apps" / "pipe")
    return root


def test_walk_lists_regular_files_and_checks_every_link(tmp_path):
    tree = WorkingTree(_repo_with_links(tmp_path), use_git=False)
    assert tree.files() == ["apps/web/app.yaml"]  # no .git, no fifo, nothing through a linked directory
    assert [(u.path, u.escapes) for u in tree.unsafe_paths()] == [("apps/loop", False), ("apps/out", True)]


def test_reads_through_links_stay_inside_the_root(tmp_path):
    tree = WorkingTree(_repo_with_links(tmp_path), use_git=False)
    assert tree.read_bytes("apps/alias/app.yaml") == b"a: 1\n"  # a linked directory that stays inside
    with pytest.raises(PathEscapesRoot):
        tree.read_bytes("apps/out/creds.yaml")  # through a linked directory leading outside
    with pytest.raises(PathEscapesRoot):
        tree.read_bytes("apps/web/../out/creds.yaml")
    with pytest.raises(OSError):
        tree.read_bytes("apps/loop/x.yaml")
    with pytest.raises(OSError):
        tree.read_bytes("apps/loop")


def test_git_listed_files_below_a_directory_replaced_by_a_link_are_unsafe(tmp_path):
    root = tmp_path / "repo"
    (root / "apps" / "db").mkdir(parents=True)
    (root / "apps" / "db" / "creds.yaml").write_text("a: 1\n")
    (root / "apps" / "ok.yaml").write_text("a: 1\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "creds.yaml").write_text("token: canary\n")
    (root / "apps" / "db" / "creds.yaml").unlink()
    (root / "apps" / "db").rmdir()
    os.symlink(outside, root / "apps" / "db")  # the index still lists apps/db/creds.yaml
    tree = WorkingTree(root)
    assert tree.files() == ["apps/ok.yaml"]
    assert [(u.path, u.escapes) for u in tree.unsafe_paths()] == [("apps/db", True), ("apps/db/creds.yaml", True)]
    with pytest.raises(PathEscapesRoot):
        tree.read_bytes("apps/db/creds.yaml")
