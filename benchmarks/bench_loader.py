"""Compare YAML parsing paths on a synthetic repository (the measurement behind the loader's design).

    python benchmarks/bench_loader.py [--apps 200]

Paths: ruamel round-trip load (pure Python, keeps comments), ruamel `typ='safe'` load with
ruamel.yaml.clib, ruamel's libyaml compose (node positions, Python tag resolution), and our
loader (libyaml compose with deferred scalar resolution, plus positions and checks).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from gitops_lint.core.loader import load_yaml  # noqa: E402


def _timed(label: str, texts: list[tuple[str, bytes]], parse) -> None:
    start = time.perf_counter()
    for path, raw in texts:
        parse(path, raw)
    wall = time.perf_counter() - start
    print(f"{label:<44} {wall:6.2f} s  {len(texts) / wall:8.0f} files/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.apps, ["development", "staging", "production"])
        texts = [(str(p), p.read_bytes()) for p in sorted(root.rglob("*.yaml"))]
    print(f"{len(texts)} YAML files")
    rt, safe = YAML(typ="rt"), YAML(typ="safe", pure=False)
    _timed("ruamel round-trip load (pure Python)", texts, lambda p, b: list(rt.load_all(io.BytesIO(b))))
    _timed("ruamel safe load (ruamel.yaml.clib)", texts, lambda p, b: list(safe.load_all(io.BytesIO(b))))
    _timed("ruamel compose (clib, Python resolver)", texts, lambda p, b: list(safe.compose_all(io.BytesIO(b))))
    _timed("gitops_lint.core.loader (clib, deferred resolve)", texts, load_yaml)


if __name__ == "__main__":
    main()
