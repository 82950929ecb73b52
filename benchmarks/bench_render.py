"""Benchmark the built-in renderer: every overlay of a synthetic monorepo, in one process.

    python benchmarks/bench_render.py REPO [--kubectl N]

REPO is a tree made by `benchmarks/generate.py` (200 apps -> 600 overlays). Renders every
kustomization directory under `*/overlays/*` with one shared RenderCache (base builds reused), and
optionally times `kubectl kustomize` on the first N overlays (one process each) for comparison.
Numbers only: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gitops_lint.core.loader import load_yaml  # noqa: E402
from gitops_lint.core.source import WorkingTree  # noqa: E402
from gitops_lint.render import RenderCache, render  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repo", type=Path)
    parser.add_argument("--kubectl", type=int, default=0, help="also time kubectl kustomize on N overlays")
    args = parser.parse_args()
    tree = WorkingTree(args.repo, use_git=False)
    overlays = sorted(
        {f.rsplit("/", 1)[0] for f in tree.files() if "/overlays/" in f and f.endswith("kustomization.yaml")}
    )
    start, cpu = time.perf_counter(), time.process_time()
    cache = RenderCache()
    objects = 0
    for d in overlays:
        objects += len(render(tree, d, cache=cache).objects)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    per = 1000 * elapsed / max(len(overlays), 1)
    print(
        f"built-in, parsing included: {len(overlays)} overlays, {objects} objects in {elapsed:.2f} s wall, "
        f"{cpu:.2f} s CPU ({per:.1f} ms/overlay)"
    )
    parsed = {f: load_yaml(f, tree.read_bytes(f)) for f in tree.files() if f.endswith((".yaml", ".yml"))}
    start, cpu = time.perf_counter(), time.process_time()
    cache = RenderCache()
    for d in overlays:
        render(tree, d, cache=cache, parse=parsed.get)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"built-in, files already parsed once (as `check` does): {wall:.2f} s wall, {cpu:.2f} s CPU")
    if args.kubectl:
        sample = overlays[: args.kubectl]
        start = time.perf_counter()
        for d in sample:
            subprocess.run(["kubectl", "kustomize", str(args.repo / d)], capture_output=True, check=True)
        k = time.perf_counter() - start
        per = k / len(sample)
        print(
            f"kubectl kustomize: {len(sample)} overlays in {k:.2f} s ({1000 * per:.1f} ms/overlay); "
            f"projected for {len(overlays)}: {per * len(overlays):.1f} s; speed-up x{per * len(overlays) / elapsed:.0f}"
        )


if __name__ == "__main__":
    main()
