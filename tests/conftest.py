"""Shared fixtures: example repos written to a temp dir, the shared corpus, kubectl availability."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS") or REPO_ROOT.parent / "shared" / "corpus")  # worktrees: set it


def load_benchmark(name: str):
    """The script `benchmarks/<name>.py` as a module (the tests reuse its repository generators)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO_ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_repo(root: Path, files: dict[str, str] | str, config: dict | None = None) -> Path:
    """Write an example (one manifest, or a mapping path -> content) and an optional config."""
    if isinstance(files, str):
        files = {"manifest.yaml": files}
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    if config:
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False  # block style: libyaml rejects `[https://…]` in flow lists
        with (root / ".gitops-lint.yaml").open("w", encoding="utf-8") as fh:
            yaml.dump(config, fh)
    return root


@pytest.fixture
def make_repo(tmp_path):
    """Factory: make_repo(files, config=None) -> Path of a fresh repo directory."""
    counter = iter(range(1000))

    def factory(files, config=None) -> Path:
        return write_repo(tmp_path / f"repo{next(counter)}", files, config)

    return factory


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    return CORPUS


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl not installed")
    return path


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory):
    """`check` keeps a cache in the user's cache directory: tests (and the CLI runs they start) use
    their own, never the developer's."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved
