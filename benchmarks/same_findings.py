"""Snapshot what `check` and `diff` report, to prove that a refactoring changed no finding.

    python benchmarks/same_findings.py snapshot OUT.json     # before the change
    python benchmarks/same_findings.py compare OUT.json      # after it: exit 1 on any difference

Targets: every repository under `examples/`, every fixture repository under `tests/fixtures/`, every
repository in `../shared/corpus/` (where present), with `check --format json`; and a handful of diff
scenarios (git repositories built in a temporary folder from `examples/k8s-manifests`, one edit each)
with `diff --format json`. Run from the project root with the project installed; in a git worktree
away from `../shared/corpus`, set GITOPS_LINT_CORPUS to the corpus directory.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the corpus beside the checkout, or (a git worktree elsewhere) wherever GITOPS_LINT_CORPUS says
CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS") or ROOT.parent / "shared" / "corpus")
CLI = [sys.executable, "-m", "gitops_lint.cli"]
# more `check` options, e.g. SAME_FINDINGS_CHECK_ARGS="--no-cache" or "--cache-dir /tmp/c"
CHECK_ARGS = shlex.split(os.environ.get("SAME_FINDINGS_CHECK_ARGS", ""))

# (name, path under examples/k8s-manifests, old text, new text): None as old text writes a new file,
# None for both removes the directory.
DIFF_EDITS = [
    ("scale-to-zero", "apps/order-service/overlays/production/replicas.yaml", "replicas: 3", "replicas: 0"),
    ("base-image", "apps/order-service/base/deployment.yaml", "order-service:1.8.2", "order-service:1.9.0"),
    ("selector", "apps/order-service/base/deployment.yaml", "      app: order-service", "      app: orders"),
    ("new-secret", "apps/order-service/base/extra-secret.yaml", None,
     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: extra\nstringData:\n  password: hunter2-canary\n"),
    ("remove-app", "apps/payment-service", None, None),
]

def check_targets() -> list[Path]:
    """Directories `check` runs on: examples, fixture repositories, corpus repositories."""
    targets = [p for p in sorted((ROOT / "examples").iterdir()) if p.is_dir()]
    for group in sorted((ROOT / "tests" / "fixtures").iterdir()):
        if group.is_dir() and group.name not in {"render", "render_patches"}:
            targets += [p for p in sorted(group.iterdir()) if p.is_dir()]
    if CORPUS.is_dir():
        targets += [p for p in sorted(CORPUS.iterdir()) if p.is_dir()]
    return targets


def run_json(args: list[str], cwd: Path | None = None) -> object:
    """Run the CLI and return its JSON output (or the exit code and stderr when it has none)."""
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    try:
        return {"exit": proc.returncode, "out": json.loads(proc.stdout)}
    except json.JSONDecodeError:
        return {"exit": proc.returncode, "stderr": proc.stderr[-2000:]}


def git(repo: Path, *args: str) -> None:
    """Run git with a fixed identity and date, so commit ids are the same on every run."""
    stamp = "2026-01-01T00:00:00Z"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                   check=True, capture_output=True, env=env)


def diff_scenario(name: str, rel: str, old: str | None, new: str | None, work: Path) -> object:
    """Build a git repository from the example, apply one edit on top, return `diff` JSON."""
    repo = work / name
    shutil.copytree(ROOT / "examples" / "k8s-manifests", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    target = repo / rel
    if old is None and new is None:
        shutil.rmtree(target)
    elif old is None:
        target.write_text(new or "")
    else:
        target.write_text(target.read_text().replace(old, new or "", 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", name)
    return run_json(["diff", ".", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "-j", "1"],
                    cwd=repo)


def snapshot() -> dict:
    """Every target's JSON output, keyed by target name."""
    out: dict[str, object] = {}
    for target in check_targets():
        key = "check:" + (f"shared/corpus/{target.name}" if CORPUS in target.parents else str(target.relative_to(ROOT)))
        out[key] = run_json(["check", str(target), "--format", "json", "--fail-on", "never", "-j", "1", *CHECK_ARGS])
    with tempfile.TemporaryDirectory() as tmp:
        for name, rel, old, new in DIFF_EDITS:
            out["diff:" + name] = diff_scenario(name, rel, old, new, Path(tmp))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"snapshot", "compare"}:
        print(__doc__, file=sys.stderr)
        return 2
    now = snapshot()
    path = Path(argv[1])
    if argv[0] == "snapshot":
        path.write_text(json.dumps(now, indent=1, sort_keys=True))
        print(f"{len(now)} targets written to {path}")
        return 0
    before = json.loads(path.read_text())
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        print(f"DIFFERENT: {key}")
    print(f"{len(now) - len(differ)} of {len(before.keys() | now.keys())} targets identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
