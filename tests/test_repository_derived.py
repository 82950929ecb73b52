"""`Repository.derived(build)`: per-run indexes keyed by the build function itself."""

from __future__ import annotations

from gitops_lint.core.config import Config
from gitops_lint.core.source import WorkingTree
from gitops_lint.model.repository import Repository
from tests.conftest import write_repo


def _repo(root) -> Repository:
    write_repo(root, {"apps/web/deployment.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    return Repository.build(WorkingTree(root), Config(), jobs=1)


def _file_count(repo: Repository) -> dict[str, int]:
    return {"files": len(repo.files)}


def _kinds(repo: Repository) -> list[str]:
    return sorted(d.kind for d in repo.documents if d.kind)


def test_derived_builds_once_per_function_and_repository(tmp_path):
    repo = _repo(tmp_path / "one")
    first = repo.derived(_file_count)
    first["files"] = -1  # the same object comes back: not rebuilt
    assert repo.derived(_file_count) is first
    assert repo.derived(_file_count)["files"] == -1
    assert repo.derived(_kinds) == ["ConfigMap"]  # another function: its own entry
    other = _repo(tmp_path / "two")
    assert other.derived(_file_count) == {"files": 1}  # another repository: its own index


def test_derived_counts_builds(tmp_path):
    repo = _repo(tmp_path / "repo")
    calls: list[Repository] = []

    def build(r: Repository) -> int:
        calls.append(r)
        return len(calls)

    assert [repo.derived(build) for _ in range(3)] == [1, 1, 1]
    assert calls == [repo]


def test_reachable_kustomizations_in_order_and_across_starting_points(tmp_path):
    k = "resources:\n" + "".join(f"  - {r}\n" for r in ("../b", "../c"))
    write_repo(tmp_path, {
        "a/kustomization.yaml": k,  # a includes b and c; b includes c; c includes a (a cycle); d includes b
        "b/kustomization.yaml": "resources:\n  - ../c\n",
        "c/kustomization.yaml": "resources:\n  - ../a\n",
        "d/kustomization.yaml": "resources:\n  - ../b\n  - ../missing\n",
    })
    repo = Repository.build(WorkingTree(tmp_path), Config(), jobs=1)
    assert repo.reachable_kustomizations("a") == ["a", "b", "c"]
    assert repo.reachable_kustomizations("d") == ["d", "b", "c", "a"]
    seen = {"b", "c", "a"}  # already collected, with everything they include
    assert repo.reachable_kustomizations("d", seen) == ["d"] and seen == {"a", "b", "c", "d"}
    assert repo.top_level_roots == ["d"]
