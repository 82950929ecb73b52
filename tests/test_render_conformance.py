"""Conformance with `kubectl kustomize` on every kustomization of the fixtures and the shared corpus.

Skipped where kubectl is absent (and the corpus part where ../shared/corpus is absent). Where
kustomize fails, ours must fail too. `python benchmarks/render_conformance.py` prints the counts per class.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import render_conformance as rc  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")

DIRS = rc.kustomization_dirs(rc.FIXTURES) + (rc.kustomization_dirs(rc.CORPUS) if rc.CORPUS else [])


def _id(path: Path) -> str:
    for top in (rc.FIXTURES, rc.CORPUS):
        if top is not None and path.is_relative_to(top):
            return f"{top.name}/{path.relative_to(top).as_posix()}"
    return str(path)


@pytest.mark.parametrize("directory", DIRS, ids=_id)
def test_same_as_kubectl_kustomize(directory: Path):
    status, detail = rc.compare(directory)
    assert status in ("same", "both-fail"), f"{status}: {detail}"
