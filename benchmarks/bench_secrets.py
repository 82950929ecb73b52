"""Benchmark the GL602 secrets scan (detect-secrets over every tracked text file).

    python benchmarks/bench_secrets.py [REPO] [--apps 1000] [--jobs 1,2] [--plant 20] [--dense]

Without REPO a synthetic monorepo is generated with `benchmarks/generate.py` (1,000 apps ≈ 17,000
files) into a temp directory, and `--plant` fake credentials (AWS-key-shaped values, keyword
assignments, a private-key header) are added to some ConfigMaps and a few non-YAML files so that
the scan has something to find. Then, for each job count, a fresh Repository is built (parse not
timed) and `scan_repository` is timed: reading non-YAML files, the process pool, detect-secrets and
the Kubernetes-aware filtering. Prints wall time and files/s. Numbers only: nothing asserts on timings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from gitops_lint.api import resolve_config  # noqa: E402
from gitops_lint.core.source import WorkingTree  # noqa: E402
from gitops_lint.lint.cards import builtin_card  # noqa: E402
from gitops_lint.model.repository import Repository  # noqa: E402
from gitops_lint.secrets.scan import scan_repository  # noqa: E402

FAKE_AWS = "AKIA" + "IOSFODNN7" + "BENCH00"  # AWS-key shaped, not a key


def plant(repo: Path, count: int) -> None:
    """Add `count` fake credentials: ConfigMap values, .env files and a shell script."""
    configmaps = sorted(repo.glob("apps/*/base/configmap.yaml"))[:count]
    for i, path in enumerate(configmaps):
        extra = f"  AWS_ACCESS_KEY_ID: {FAKE_AWS}\n" if i % 2 == 0 else f"  db_password: bench-pass-{i}x\n"
        path.write_text(path.read_text() + extra)
    for i in range(max(1, count // 4)):
        (repo / f"scripts/bench-{i}.env").parent.mkdir(parents=True, exist_ok=True)
        (repo / f"scripts/bench-{i}.env").write_text(f"API_KEY=bench-api-key-{i}-value\nREGION=eu\n")
    (repo / "scripts/deploy.sh").write_text("#!/bin/sh\nexport password='bench-not-real'\necho deploy\n")


DENSE = (
    "  tlsSecretName: web-tls\n  existingSecret: web-admin\n  passwordKey: admin-password\n"
    "  vaultPassword: vault:secret/data/web#password\n  sessionSecret: ${SESSION_SECRET}\n"
)


def densify(repo: Path) -> None:
    """Worst case for detect-secrets: five secret-sounding (but safe) lines in every ConfigMap."""
    for path in repo.glob("apps/*/**/configmap*.yaml"):
        path.write_text(path.read_text() + DENSE)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("repo", type=Path, nargs="?")
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--plant", type=int, default=20)
    parser.add_argument("--dense", action="store_true", help="add 5 keyword lines to every ConfigMap")
    parser.add_argument("--high-entropy", action="store_true", help="also run the high-entropy detectors")
    args = parser.parse_args()
    repo = args.repo
    if repo is None:
        repo = Path(tempfile.mkdtemp(prefix="gitops-lint-secrets-")) / f"synthetic-{args.apps}"
        generate(repo, args.apps, ["development", "staging", "production"])
        plant(repo, args.plant)
        if args.dense:
            densify(repo)
    tree = WorkingTree(repo, use_git=False)
    config = resolve_config(repo, None)
    print(f"repo: {repo}")
    gl602 = builtin_card("GL602")
    for jobs in (int(j) for j in args.jobs.split(",")):
        repository = Repository.build(tree, config, jobs=2)
        files = len(repository.files)
        start, cpu = time.perf_counter(), time.process_time()
        found = list(scan_repository(repository, gl602.options_for({"jobs": jobs, "high_entropy": args.high_entropy})))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"jobs={jobs}: {files} files scanned in {wall:.2f} s wall ({files / wall:,.0f} files/s; "
            f"{cpu:.2f} s CPU in this process), {len(found)} findings"
        )


if __name__ == "__main__":
    main()
