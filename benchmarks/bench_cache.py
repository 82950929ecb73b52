"""Benchmark the persistent cache of `check` on the synthetic monorepo and print the numbers.

    python benchmarks/bench_cache.py [--apps 1000] [--out DIR]

Runs `gitops-lint check` in child processes: uncached (--no-cache), cold cache (empty cache dir),
warm with nothing changed, `check FILE` after a one-file change (an image tag bumped), and the warm re-run after it.
The one-file edit is undone at the end. Numbers only: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def timed(repo: Path, args: list[str]) -> float:
    """Wall time of one `check` run in `repo`."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "gitops_lint.cli", "check", *args, "--format", "json",
                           "--fail-on", "never", "-j", "1"], cwd=repo, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"check failed ({proc.returncode}): {proc.stderr[-2000:]!r}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gitops-lint-bench")
    args = parser.parse_args()
    repo = args.out / f"synthetic-{args.apps}"
    if not repo.exists():
        generate(repo, args.apps, ["development", "staging", "production"])
    cache = Path(tempfile.mkdtemp(prefix="gitops-lint-cache-"))
    target = "apps/svc-0003/base/deployment.yaml"
    original = (repo / target).read_text()
    try:
        rows = [("uncached (--no-cache)", timed(repo, [".", "--no-cache"]))]
        shutil.rmtree(cache)
        rows.append(("cold cache (empty dir)", timed(repo, [".", "--cache-dir", str(cache)])))
        rows.append(("warm, nothing changed", timed(repo, [".", "--cache-dir", str(cache)])))
        edited = original.replace(":1.3.0", ":1.3.1")  # an image bump: the usual one-file change
        if edited == original:
            raise SystemExit(f"{target}: no image tag 1.3.0 to bump")
        (repo / target).write_text(edited)
        rows.append((f"warm, check {target} after editing it", timed(repo, [target, "--cache-dir", str(cache)])))
        rows.append(("warm, full check after that", timed(repo, [".", "--cache-dir", str(cache)])))
    finally:
        (repo / target).write_text(original)
        shutil.rmtree(cache, ignore_errors=True)
    for label, wall in rows:
        print(f"{wall:7.2f} s  {label}")


if __name__ == "__main__":
    main()
