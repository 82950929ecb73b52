"""Count findings per rule on every corpus repository, to compare precision work before and after.

    python benchmarks/corpus_counts.py snapshot OUT.json          # run check on every corpus repo
    python benchmarks/corpus_counts.py table OUT.json             # rule | repo | count
    python benchmarks/corpus_counts.py compare BEFORE.json AFTER.json [RULE ...]
                                                                   # rule | repo | before | after

Each repository is checked with `check REPO --format json --fail-on never -j 1`; the snapshot keeps
the findings (rule, path, line, message) and anything the run printed on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpus from the project root (a worktree may sit one level deeper); GITOPS_LINT_CORPUS overrides.
CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS") or next(
    (p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
    ROOT.parent / "shared" / "corpus"))
CLI = [sys.executable, "-m", "gitops_lint.cli"]


def corpus_repos() -> list[Path]:
    """Corpus repository folders, sorted by name (none when the corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return [p for p in sorted(CORPUS.iterdir()) if p.is_dir()]


def check_repo(repo: Path) -> dict:
    """Run `check` on one repository and keep its findings and stderr."""
    proc = subprocess.run([*CLI, "check", str(repo), "--format", "json", "--fail-on", "never", "-j", "1"],
                          capture_output=True, text=True, check=False, env={**os.environ, "NO_COLOR": "1"})
    try:
        findings = json.loads(proc.stdout)["findings"]
    except (json.JSONDecodeError, KeyError):
        findings = []
    kept = [{k: f.get(k) for k in ("rule", "severity", "path", "line", "message")} for f in findings]
    return {"exit": proc.returncode, "stderr": proc.stderr[-4000:], "findings": kept}


def counts(snapshot: dict) -> Counter:
    """(rule, repo) -> number of findings."""
    out: Counter = Counter()
    for repo, result in snapshot.items():
        for finding in result["findings"]:
            out[(finding["rule"], repo)] += 1
    return out


def main(argv: list[str]) -> int:
    """Entry point: snapshot, table or compare."""
    if len(argv) >= 2 and argv[0] == "snapshot":
        snapshot = {repo.name: check_repo(repo) for repo in corpus_repos()}
        Path(argv[1]).write_text(json.dumps(snapshot, indent=1), encoding="utf-8")
        for name, result in snapshot.items():
            if result["stderr"].strip():
                print(f"stderr from {name}: {result['stderr'][:300]}", file=sys.stderr)
        return 0
    if len(argv) >= 2 and argv[0] == "table":
        table = counts(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
        print("rule | repo | count")
        for (rule, repo), n in sorted(table.items()):
            print(f"{rule} | {repo} | {n}")
        return 0
    if len(argv) >= 3 and argv[0] == "compare":
        before = counts(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
        after = counts(json.loads(Path(argv[2]).read_text(encoding="utf-8")))
        rules = set(argv[3:])
        print("rule | repo | before | after")
        for key in sorted(set(before) | set(after)):
            if (not rules or key[0] in rules) and before[key] != after[key]:
                print(f"{key[0]} | {key[1]} | {before[key]} | {after[key]}")
        print(f"total | all | {sum(before.values())} | {sum(after.values())}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
