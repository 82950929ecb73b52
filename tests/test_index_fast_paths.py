"""The fast paths of the repository-wide indexes answer exactly what the generic code answered."""

from __future__ import annotations

import posixpath

import pytest

from gitops_lint.core.config import Config
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.core.source import (
    PathEscapesRoot,
    WorkingTree,
    base_name,
    dirs_holding,
    normalize,
    parent_dirs,
    parent_of,
)
from gitops_lint.lint.cards import builtin_card
from gitops_lint.lint.engine import CheckContext
from gitops_lint.model.file_roles import unapplied_files
from gitops_lint.model.partition import FileShare
from gitops_lint.model.repository import Repository
from tests.conftest import write_repo

PATHS = ["", "a", "a/b", "a/b/c.yaml", "/", "/a", "//a", "/a/b", "a/", "a//b", "a/b/", "a///b/c", "//", ".", "./a",
         "../a", "a/./b", "Chart.yaml", "x/Chart.yaml", "xChart.yaml", "x/yChart.yaml"]


@pytest.mark.parametrize("path", PATHS)
def test_path_helpers_equal_posixpath_for_every_form(path):
    assert parent_of(path) == posixpath.dirname(path)
    assert base_name(path) == posixpath.basename(path)
    assert (parent_of(path), base_name(path)) == posixpath.split(path)


def _generic_parent_dirs(path: str, with_root: bool = False) -> list[str]:
    out = []
    while path and path not in out:  # a leading `/` would loop forever: `/` is its own dirname
        out.append(path)
        path = posixpath.dirname(path)
    return out + ([""] if with_root else [])


@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith("/")])
def test_parent_dirs_walks_as_dirname_does(path):
    assert list(parent_dirs(path)) == _generic_parent_dirs(path)
    assert list(parent_dirs(path, with_root=True)) == _generic_parent_dirs(path, True)


def test_dirs_holding_matches_the_basename_test():
    expected = {posixpath.dirname(f) for f in PATHS if posixpath.basename(f) == "Chart.yaml"}
    assert dirs_holding(PATHS, "Chart.yaml") == expected == {"", "x"}


@pytest.mark.parametrize("data", [
    {"apiVersion": "apps/v1", "kind": "Deployment"}, {"apiVersion": "v1", "kind": "ConfigMap"},
    {"apiVersion": 3, "kind": None}, {"apiVersion": "a/b/v1"}, {}, [], "text", None, ["apiVersion"],
])
def test_document_identity_reads_as_the_path_walk(data):
    doc = Document("f.yaml", 0, data, Position(), 1)
    api, kind = doc.get("apiVersion"), doc.get("kind")
    assert doc.api_version == (api if isinstance(api, str) else "")
    assert doc.kind == (kind if isinstance(kind, str) else "")
    assert doc.group == (doc.api_version.rpartition("/")[0] if "/" in doc.api_version else "")


def _cm(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


def _repo(root) -> Repository:
    files = {
        "apps/a/kustomization.yaml": "resources:\n  - cm.yaml\n  - ../shared\n",
        "apps/a/cm.yaml": _cm("a"),
        "apps/shared/kustomization.yaml": "resources:\n  - cm.yaml\npatches:\n  - path: patch.yaml\n",
        "apps/shared/cm.yaml": _cm("shared"),
        "apps/shared/patch.yaml": _cm("shared"),
        "apps/b/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "apps/b/cm.yaml": _cm("b"),
    }
    return Repository.build(WorkingTree(write_repo(root, files), use_git=False), Config(), jobs=1)


def test_files_read_by_is_computed_once_and_hands_out_new_sets(tmp_path):
    repo = _repo(tmp_path / "repo")
    reads = repo.files_read_by("apps/a")
    assert reads == {"apps/a/kustomization.yaml", "apps/a/cm.yaml", "apps/shared/kustomization.yaml",
                     "apps/shared/cm.yaml", "apps/shared/patch.yaml"}
    reads.add("changed by a caller")
    assert "changed by a caller" not in repo.files_read_by("apps/a")
    assert repo.files_read_by("nowhere") == set()


def test_unapplied_files_built_once(tmp_path):
    repo = _repo(tmp_path / "repo")
    unapplied = unapplied_files(repo)
    assert unapplied_files(repo) is unapplied
    assert "apps/shared/patch.yaml" in unapplied and "apps/a/cm.yaml" not in unapplied


def test_a_file_cards_documents_are_the_shares_in_repository_order(tmp_path):
    repo = _repo(tmp_path / "repo")
    card = builtin_card("GL602")
    assert card.scope == "file"
    ctx = CheckContext(repo, card, card.options_for({}))
    everything = ctx.documents()
    assert [d.path for d in everything] == sorted(d.path for d in everything)
    repo.share = FileShare(frozenset(), False, frozenset({"apps/b/cm.yaml", "apps/a/cm.yaml"}))
    with repo.restricted():
        assert [d.path for d in ctx.documents()] == ["apps/a/cm.yaml", "apps/b/cm.yaml"]
    assert ctx.documents() == everything


@pytest.mark.parametrize("path,base", [
    ("a/b", ""), ("b", "a"), ("./b", "a"), ("../b", "a/c"), ("b/", "a"), ("b//c", "a"), ("", "a"), ("", ""),
    (".", ""), ("..", "a"), ("a/./b", ""), (".hidden/x", "a"), ("b", "a/"), ("...", "a"), ("b/..", "a"),
])
def test_normalize_fast_path_equals_normpath(path, base):
    joined = posixpath.normpath(posixpath.join(base, path)) if (base or path) else ""
    assert normalize(path, base) == ("" if joined == "." else joined)


@pytest.mark.parametrize("path,base", [("../x", ""), ("a/../../x", ""), ("..", ""), ("x", "..")])
def test_normalize_still_refuses_to_climb_out(path, base):
    with pytest.raises(PathEscapesRoot):
        normalize(path, base)
