"""Per-feature render fixtures: expected output generated once with `kubectl kustomize` and committed.

Each directory under tests/fixtures/render holding a kustomization has either `expected.yaml` (our
render must equal it as parsed documents, in the same order) or `expected-error.txt` (kustomize
failed there, so we must fail too). The tree root is the top-level case folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_lint.core.loader import parse_text
from gitops_lint.core.source import WorkingTree
from gitops_lint.render import RenderCache, RenderError, render

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "render"


def _cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.rglob("kustomization.yaml"))


def _docs(text: str) -> list:
    return [d.data for d in parse_text("<stream>", text).documents]


_trees: dict[Path, WorkingTree] = {}
_cache = RenderCache()


def _render(case: Path):
    rel = case.relative_to(FIXTURES)
    root = FIXTURES / rel.parts[0]
    tree = _trees.setdefault(root, WorkingTree(root, use_git=False))
    sub = Path(*rel.parts[1:]).as_posix() if len(rel.parts) > 1 else ""
    return render(tree, sub, cache=_cache)


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_fixture_matches_kustomize(case: Path):
    expected = case / "expected.yaml"
    if expected.exists():
        result = _render(case)
        assert _docs(result.to_yaml()) == _docs(expected.read_text())
        assert result.to_yaml() == expected.read_text()  # byte for byte, as `build` prints it
    else:
        assert (case / "expected-error.txt").exists(), "fixture without expected output"
        with pytest.raises(RenderError):
            _render(case)
