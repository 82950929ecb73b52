"""Helpers that several packages share (each written once in core/)."""

from __future__ import annotations

from gitops_lint.core.git_identity import git_remotes, head_branch
from gitops_lint.core.graph import cycle_path, cyclic_components
from gitops_lint.core.source import parent_dirs, source_relative


def test_parent_dirs_innermost_first_without_the_root():
    assert list(parent_dirs("apps/web/overlays/prod")) == ["apps/web/overlays/prod", "apps/web/overlays", "apps/web", "apps"]
    assert list(parent_dirs("")) == []


def test_parent_dirs_with_the_root_last():
    assert list(parent_dirs("apps/web", with_root=True)) == ["apps/web", "apps", ""]
    assert list(parent_dirs("", with_root=True)) == [""]


def test_source_relative_paths_as_argo_flux_and_operators_write_them():
    assert [source_relative(p) for p in ("./apps/", "/apps", " apps//web ", ".", "", "/")] == [
        "apps", "apps", "apps/web", "", "", ""
    ]
    assert source_relative("../elsewhere") is None
    assert source_relative(42) is None


def test_cyclic_components_only_cycles_and_self_loops():
    edges = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": set(), "e": {"e"}}
    found = sorted(sorted(c) for c in cyclic_components(edges))
    assert found == [["a", "b"], ["e"]]
    assert cycle_path(edges, "a", {"a", "b"}) == ["a", "b"]


def test_git_identity_of_a_worktree_checkout(tmp_path):
    """A worktree's `.git` is a file: HEAD is its own, the remotes are the main repository's."""
    main = tmp_path / "main" / ".git"
    (main / "worktrees" / "wt").mkdir(parents=True)
    (main / "config").write_text('[remote "origin"]\n\turl = git@github.com:acme/deploy.git\n')
    (main / "HEAD").write_text("ref: refs/heads/main\n")
    wt_git = main / "worktrees" / "wt"
    (wt_git / "HEAD").write_text("ref: refs/heads/feature\n")
    (wt_git / "commondir").write_text("../..\n")
    tree = tmp_path / "wt"
    (tree / "apps").mkdir(parents=True)
    (tree / ".git").write_text(f"gitdir: {wt_git}\n")
    assert head_branch(tree / "apps") == "feature"
    assert git_remotes(tree / "apps") == ({"github.com/acme/deploy"}, "apps")
    assert head_branch(tmp_path / "main") == "main"
