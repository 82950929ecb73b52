"""Benchmark `check --shard K/N` + `merge` on the synthetic monorepo and check the merged report.

    python benchmarks/bench_shard.py [--repo DIR | --apps 1000] [--shards 1,2,3,4] [--out DIR]

A shard checks its share of the kustomization roots (units of roots that share files, balanced by
size) and files, plus in shard 1 the repository-wide rules. For each N: prints how the units split
(roots and characters per shard), runs the N shards one after the other (as N CI runners would run
them at once), prints each shard's wall time, merges their JSON reports and says whether the merged
report equals the unsharded run's. Uncached (--no-cache) and -j 1 throughout.
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


def split(repo: Path, n: int) -> list[tuple[int, int]]:
    """(roots, characters of the files they read) of each of the n shards."""
    from gitops_lint.core.config import resolve_config
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.model.partition import assign, units
    from gitops_lint.model.repository import Repository

    found, _hubs = units(Repository.build(WorkingTree(repo), resolve_config(repo, None), jobs=1))
    shard = assign(found, n)
    loads = [(0, 0)] * n
    for unit in found:
        roots, size = loads[shard[unit.name] - 1]
        loads[shard[unit.name] - 1] = (roots + len(unit.roots), size + unit.size)
    return loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, help="an existing repository (default: generate one)")
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--shards", default="1,2,3,4")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gitops-lint-bench")
    args = parser.parse_args()
    repo = args.repo or args.out / f"synthetic-{args.apps}"
    if not repo.exists():
        generate(repo, args.apps, ["development", "staging", "production"])
    shares = {n: split(repo, n) for n in (int(x) for x in args.shards.split(","))}
    common = ["--format", "json", "--fail-on", "never", "-j", "1", "--no-cache"]
    wall, whole = run(["check", str(repo), *common])
    print(f"unsharded: {wall:.2f} s, {len(json.loads(whole)['findings'])} findings")
    work = Path(tempfile.mkdtemp(prefix="gitops-lint-shards-"))
    for n, loads in shares.items():
        mean = sum(size for _, size in loads) / n
        print(f"N={n}: roots {', '.join(str(r) for r, _ in loads)}; characters "
              f"{', '.join(str(c) for _, c in loads)} (max/mean {max(c for _, c in loads) / mean:.2f})")
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
