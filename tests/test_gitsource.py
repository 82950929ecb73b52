"""GitTree: a revision read from git objects, with symlinks resolved inside the tree."""

from __future__ import annotations

import os

import pytest
from gitfixture import commit, git, init, state, write

from gitops_lint.core.gitsource import (
    GitTree,
    content_id,
    default_base,
    locate,
    resolve_rev,
    worktree_changes,
)
from gitops_lint.core.source import SourceError, WorkingTree


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    init(
        root,
        {
            "apps/web/kustomization.yaml": "resources: [deployment.yaml]\n",
            "apps/web/deployment.yaml": "kind: Deployment\n",
            "apps/api/config.yaml": "a: 1\n",
            "README.md": "hello\n",
        },
    )
    os.symlink("deployment.yaml", root / "apps/web/link.yaml")  # inside: resolved
    os.symlink("../../README.md", root / "apps/web/readme-link.md")  # inside the repo, outside apps/web
    os.symlink("../../../outside.yaml", root / "apps/web/escape.yaml")  # leaves the repo
    os.symlink("/etc/passwd", root / "apps/web/absolute.yaml")
    os.symlink("loop-b", root / "apps/loop-a")
    os.symlink("loop-a", root / "apps/loop-b")
    os.symlink("web", root / "apps/web-dir")  # a directory link: skipped, as WorkingTree does
    commit(root, "links")
    return root


def test_lists_and_reads_a_revision(repo):
    with GitTree(repo, "HEAD") as tree:
        assert "apps/web/deployment.yaml" in tree.files()
        assert tree.read_text("apps/web/link.yaml") == "kind: Deployment\n"
        assert tree.read_bytes("apps/web/readme-link.md") == b"hello\n"
        assert tree.is_dir("apps/web") and tree.listdir("apps") == ["api", "web"]
        assert "apps/web-dir" not in tree.files()
        unsafe = {u.path: u.escapes for u in tree.unsafe_paths()}
        assert unsafe == {
            "apps/web/escape.yaml": True,
            "apps/web/absolute.yaml": True,
            "apps/loop-a": False,
            "apps/loop-b": False,
        }
        many = tree.read_many(["README.md", "apps/api/config.yaml", "missing"])
        assert many == {"README.md": b"hello\n", "apps/api/config.yaml": b"a: 1\n"}


def test_same_files_and_ids_as_the_checkout(repo):
    with GitTree(repo, "HEAD") as tree:
        work = WorkingTree(repo)
        assert tree.files() == work.files()
        assert {u.path for u in tree.unsafe_paths()} == {u.path for u in work.unsafe_paths()}
        for path in tree.files():
            assert content_id(tree, path) == content_id(work, path), path


def test_prefix_confines_the_tree(repo):
    with GitTree(repo, "HEAD", prefix="apps/web") as tree:
        assert "deployment.yaml" in tree.files() and "link.yaml" in tree.files()
        unsafe = {u.path for u in tree.unsafe_paths() if u.escapes}
        assert "readme-link.md" in unsafe  # inside the repository but outside the linted directory
        with pytest.raises(ValueError):
            tree.read_bytes("../api/config.yaml")


def test_an_older_revision_is_read_without_checkout(repo):
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    write(repo, {"apps/web/deployment.yaml": "kind: Deployment\nchanged: true\n"})
    before = state(repo)
    with GitTree(repo, first) as tree:
        assert tree.read_text("apps/web/deployment.yaml") == "kind: Deployment\n"
        assert "apps/web/link.yaml" not in tree.files()
    assert worktree_changes(repo, first) >= {"apps/web/deployment.yaml"}
    assert state(repo) == before


def test_unknown_revision_and_non_git_directory(repo, tmp_path):
    with pytest.raises(SourceError, match="unknown revision"):
        GitTree(repo, "no-such-branch")
    with pytest.raises(SourceError, match="invalid revision"):
        resolve_rev(repo, "--output=x")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(SourceError, match="not inside a git repository"):
        locate(plain)


def test_default_base_is_the_merge_base_with_main(repo):
    main_tip = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"new.yaml": "x: 1\n"})
    commit(repo, "feature work")
    assert default_base(repo) == main_tip
    loc = locate(repo / "apps")
    assert loc.prefix == "apps" and loc.toplevel == repo.resolve()


def test_a_symlinked_file_follows_its_target_in_the_working_tree_diff(repo):
    from gitops_lint.diff.pipeline import diff_path

    write(repo, {"apps/web/deployment.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})
    commit(repo, "manifest")
    write(
        repo,
        {"apps/web/deployment.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n"},
    )
    result = diff_path(repo, base="HEAD")
    assert "apps/web/link.yaml" in result.changed_files and "apps/web/deployment.yaml" in result.changed_files


def test_working_tree_over_base_lists_what_working_tree_lists(repo):
    from gitops_lint.core.gitsource import WorkingTreeOverBase

    write(
        repo,
        {
            "apps/web/deployment.yaml": "kind: Deployment\nchanged: 1\n",
            "apps/new/x.yaml": "a: 1\n",
            "apps/api/config.yaml": None,
        },
    )
    os.symlink("../../../elsewhere", repo / "apps/new/escape.yaml")  # untracked and unsafe
    (repo / "README.md").unlink()  # the target of a tracked link disappears
    (repo / ".gitignore").write_text("ignored.yaml\n")
    (repo / "ignored.yaml").write_text("x: 1\n")
    with GitTree(repo, "HEAD") as base:
        fast = WorkingTreeOverBase(repo, base, worktree_changes(repo, base.commit))
        slow = WorkingTree(repo)
        assert fast.files() == slow.files()
        assert sorted(u.path for u in fast.unsafe_paths()) == sorted(u.path for u in slow.unsafe_paths())


def test_a_missing_object_in_a_large_read_is_an_error_not_a_hang(tmp_path):
    # A partial or damaged clone lacks one blob. The request (3,000 ids) is larger than the pipe to
    # cat-file, and its answers larger than the pipe back: both sides of the exchange are blocked when
    # the missing object is reported, and the tree must still stop cleanly and stay usable.
    root = tmp_path / "repo"
    init(root, {f"apps/app-{i:04d}.yaml": f"replicas: {i}\n" for i in range(3000)})
    oid = git(root, "rev-parse", "HEAD:apps/app-0001.yaml").strip()
    (root / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    with GitTree(root, "HEAD") as tree:
        paths = sorted(tree.files())
        with pytest.raises(SourceError, match=oid):
            tree.read_many(paths)
        rest = tree.read_many(paths[2:])
        assert len(rest) == 2998 and rest["apps/app-2999.yaml"] == b"replicas: 2999\n"
