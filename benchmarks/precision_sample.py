"""Draw a reproducible sample of findings per rule from real repositories, for a precision review.

    python benchmarks/precision_sample.py [CORPUS_DIR] [--per-rule 8] [--seed 1] [--context 3] [--out FILE]

For each repository directory under CORPUS_DIR (default `../shared/corpus`) this runs
`gitops-lint check --format json --fail-on never`, then prints a table of findings per rule and
repository, and for every rule a seeded random sample (at most --per-rule findings, spread over the
repositories) with the lines around each finding, so a reviewer can judge each one as that
repository's maintainer would. The judgement itself is human work: record it in
`benchmarks/PRECISION.md`.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def findings_of(repo: Path) -> list[dict]:
    """The findings `check` reports on one repository (an empty list if it produced no JSON)."""
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_lint.cli", "check", str(repo), "--format", "json", "--fail-on", "never"],
        capture_output=True, text=True, check=False,
    )
    if proc.stderr.strip():
        print(f"# stderr from {repo.name}: {proc.stderr.strip()[:300]}", file=sys.stderr)
    try:
        return json.loads(proc.stdout)["findings"]
    except (json.JSONDecodeError, KeyError):
        print(f"# {repo.name}: no JSON output (exit {proc.returncode})", file=sys.stderr)
        return []


def context(repo: Path, finding: dict, lines: int) -> str:
    """The lines around a finding, the finding's own line marked with `>`."""
    try:
        text = (repo / finding["path"]).read_text(errors="replace").splitlines()
    except OSError:
        return "    (file not readable)"
    at = finding["line"]
    start, end = max(1, at - lines), min(len(text), at + lines)
    return "\n".join(f"  {'>' if n == at else ' '} {n:5} | {text[n - 1][:140]}" for n in range(start, end + 1))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--per-rule", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--context", type=int, default=3)
    parser.add_argument("--out", help="also write the findings of every repository here (JSON)")
    args = parser.parse_args(argv)
    repos = sorted(p for p in Path(args.corpus).iterdir() if p.is_dir())
    every = {repo.name: findings_of(repo) for repo in repos}
    if args.out:
        Path(args.out).write_text(json.dumps(every, indent=1))
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, found in every.items():
        for f in found:
            table[f["rule"]][name] += 1
    print("| rule | findings | by repository |\n| --- | --- | --- |")
    for rule in sorted(table):
        spread = ", ".join(f"{n.split('__')[-1]} {c}" for n, c in sorted(table[rule].items()))
        print(f"| {rule} | {sum(table[rule].values())} | {spread} |")
    rng = random.Random(args.seed)
    for rule in sorted(table):
        pool = [(name, f) for name, found in every.items() for f in found if f["rule"] == rule]
        sample = rng.sample(pool, min(args.per_rule, len(pool)))
        print(f"\n## {rule}: {len(sample)} of {len(pool)}")
        for name, f in sorted(sample, key=lambda x: (x[0], x[1]["path"], x[1]["line"])):
            env = f" [{f['environment']}]" if f.get("environment") else ""
            print(f"\n- {name}: {f['path']}:{f['line']} {f['severity']}{env}: {f['message']}")
            print(context(Path(args.corpus) / name, f, args.context))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
