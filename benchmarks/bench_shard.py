"""Benchmark `check --shard K/N` + `merge` on the synthetic monorepo and check the merged report.

    python benchmarks/bench_shard.py [--apps 1000] [--shards 1,2,3,4] [--out DIR]

For each N: runs the N shards one after the other (as N CI runners would run them at once),
prints each shard's wall time, merges their JSON reports and says whether the merged report equals
the unsharded run's. Uncached (--no-cache) and -j 1 throughout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

CLI = [sys.executable, "-m", "gitops_lint.cli"]


def run(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return time.perf_counter() - start, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--shards", default="1,2,3,4")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gitops-lint-bench")
    args = parser.parse_args()
    repo = args.out / f"synthetic-{args.apps}"
    if not repo.exists():
        generate(repo, args.apps, ["development", "staging", "production"])
    common = ["--format", "json", "--fail-on", "never", "-j", "1", "--no-cache"]
    wall, whole = run(["check", str(repo), *common])
    print(f"unsharded: {wall:.2f} s, {len(json.loads(whole)['findings'])} findings")
    work = Path(tempfile.mkdtemp(prefix="gitops-lint-shards-"))
    for n in (int(x) for x in args.shards.split(",")):
        times, files = [], []
        for k in range(1, n + 1):
            wall, text = run(["check", str(repo), "--shard", f"{k}/{n}", *common])
            times.append(wall)
            files.append(work / f"{k}-of-{n}.json")
            files[-1].write_text(text)
        _, merged = run(["merge", *map(str, files), "--format", "json", "--fail-on", "never"])
        same = json.loads(merged) == json.loads(whole)
        print(f"N={n}: shards {', '.join(f'{t:.2f}' for t in times)} s (slowest {max(times):.2f} s); "
              f"merged report {'equals' if same else 'DIFFERS FROM'} the unsharded one")


if __name__ == "__main__":
    main()
