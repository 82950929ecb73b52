"""Benchmark `gitops-lint check` on synthetic monorepos and print the numbers.

    python benchmarks/run.py [--apps 100,1000] [--args "--select GL1,GL2,GL3,GL4,GL6,GL9"] [--keep]

Each size is generated once under --out (default: a folder in the temp directory) (reused on later runs unless --fresh), then
`gitops-lint check --format json` runs in a child process; we report wall time, files/s,
resources/s and the child's peak RSS. Numbers only: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def measure(repo: Path, extra: list[str]) -> dict:
    """Run `check` on `repo` in a child process; wall time, peak RSS and the summary counts."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_lint.cli", "check", str(repo), "--format", "json", "--fail-on", "never",
         *extra],
        capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"check failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    summary = json.loads(proc.stdout)["summary"]
    return {"wall": wall, "peak_mib": max(peak_kib, before) / 1024, **summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", default="100,1000")
    parser.add_argument("--args", default="", help="extra arguments for `check`")
    parser.add_argument("--fresh", action="store_true", help="regenerate the synthetic repos")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gitops-lint-bench")
    args = parser.parse_args()
    out = args.out
    extra = shlex.split(args.args)
    print(f"{'apps':>6} {'files':>7} {'resources':>9} {'wall s':>7} {'files/s':>8} {'res/s':>8} {'peak MiB':>8}"
          f" findings")
    for apps in (int(a) for a in args.apps.split(",")):
        repo = out / f"synthetic-{apps}"
        if args.fresh and repo.exists():
            shutil.rmtree(repo)
        if not repo.exists():
            generate(repo, apps, ["development", "staging", "production"])
        best = min((measure(repo, extra) for _ in range(args.repeat)), key=lambda r: r["wall"])
        print(f"{apps:>6} {best['files']:>7} {best['documents']:>9} {best['wall']:>7.2f} "
              f"{best['files'] / best['wall']:>8.0f} {best['documents'] / best['wall']:>8.0f} "
              f"{best['peak_mib']:>8.0f} {best['findings']}")


if __name__ == "__main__":
    main()
