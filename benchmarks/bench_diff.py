"""Benchmark `gitops-lint diff` on the synthetic 1,000-app monorepo and print the numbers.

    python benchmarks/bench_diff.py [--apps 1000] [--helm 20] [--flux-helm 0] [--only SCENARIO] [--out DIR]
                                    [--fresh]

The repository also holds an in-repo chart, --helm Argo CD Applications and --flux-helm Flux
HelmReleases deploying it (generate.py).
Scenarios (each a commit on its own branch of the benchmark's own repository, diffed against main):
  one-base     a change to one app's base (3 environments re-rendered)        target <= 3 s
  component    a change to the component every app's base uses (all roots)   target <= 20 s
  helm-values  a values change of one Argo CD Helm release (with --helm > 0)  target <= 2 s
  flux-values  a values change of one Flux HelmRelease (with --flux-helm > 0)
Each is timed twice: `--head <branch>` (CI: both sides from git objects) and the working tree
(local use: head read from disk). Wall time and the CPU time of the run (with its workers) are
reported, the fastest of --repeat runs; nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import commit, generate  # noqa: E402

SCENARIOS = {
    "one-base": ("apps/svc-0000/base/deployment.yaml", "memory: 128Mi", "memory: 192Mi"),
    "component": ("components/common/kustomization.yaml", "owner: platform", "owner: platform-team"),
    "helm-values": ("argocd/helm/web-000.yaml", "replicas: 2\n        port: 8000", "replicas: 5\n        port: 8000"),
    "flux-values": ("flux/releases/web-000.yaml", "replicas: 2\n", "replicas: 5\n"),
}


def git(repo: Path, *args: str) -> str:
    env_args = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    return subprocess.run(
        ["git", "-C", str(repo), *env_args, *args], check=True, capture_output=True, text=True
    ).stdout


def scenarios(helm: int, flux_helm: int) -> list[str]:
    skip = {"helm-values"} if not helm else set()
    return [name for name in SCENARIOS if name not in skip and (flux_helm or name != "flux-values")]


def prepare(repo: Path, apps: int, helm: int, flux_helm: int, fresh: bool) -> None:
    if fresh and repo.exists():
        subprocess.run(["rm", "-rf", str(repo)], check=True)
    if not (repo / ".git").is_dir():
        generate(repo, apps, ["development", "staging", "production"], helm, flux_helm)
        commit(repo)
    git(repo, "checkout", "-q", "-f", "main")
    for name in scenarios(helm, flux_helm):
        path, old, new = SCENARIOS[name]
        branch = f"bench-{name}"
        if git(repo, "branch", "--list", branch).strip():
            continue
        git(repo, "checkout", "-q", "-b", branch, "main")
        target = repo / path
        target.write_text(target.read_text().replace(old, new))
        git(repo, "commit", "-q", "-am", name)
        git(repo, "checkout", "-q", "main")


def measure(repo: Path, args: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gitops_lint.cli",
            "diff",
            str(repo),
            "--format",
            "json",
            "--fail-on",
            "never",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"diff failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(proc.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "roots": len(data["roots"]), "changes": len(data["changes"])}


def best(repo: Path, args: list[str], repeat: int) -> dict:
    return min((measure(repo, args) for _ in range(max(1, repeat))), key=lambda m: m["wall"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--helm", type=int, default=20, help="Argo CD Applications of an in-repo chart")
    parser.add_argument("--flux-helm", type=int, default=0, help="Flux HelmReleases of the in-repo chart")
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), help="run only this scenario")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gitops-lint-bench")
    parser.add_argument("--fresh", action="store_true", help="regenerate the synthetic repo")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is shown")
    args = parser.parse_args()
    repo = args.out / (f"diff-{args.apps}" + (f"-helm{args.helm}" if args.helm else "")
                       + (f"-flux{args.flux_helm}" if args.flux_helm else ""))
    prepare(repo, args.apps, args.helm, args.flux_helm, args.fresh)
    print(f"{'scenario':<11} {'head':<12} {'roots':>6} {'changes':>8} {'wall s':>7} {'cpu s':>6}")
    for name in [n for n in scenarios(args.helm, args.flux_helm) if not args.only or n in args.only]:
        branch = f"bench-{name}"
        git(repo, "checkout", "-q", "main")
        ci = best(repo, ["--base", "main", "--head", branch], args.repeat)
        git(repo, "checkout", "-q", branch)  # the benchmark's own repo: head = working tree at the branch
        local = best(repo, ["--base", "main"], args.repeat)
        git(repo, "checkout", "-q", "main")
        for label, m in (("git object", ci), ("working tree", local)):
            print(
                f"{name:<11} {label:<12} {m['roots']:>6} {m['changes']:>8} {m['wall']:>7.2f} {m['cpu']:>6.2f}"
            )


if __name__ == "__main__":
    main()
