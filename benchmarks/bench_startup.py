"""Start-up cost: `gitops-lint build` of one small overlay against `kubectl kustomize` of it, and
`gitops-lint --version`, each the median of several interleaved runs (separate processes).

    python benchmarks/bench_startup.py [--runs 15]

The overlay (a base with a Deployment and a Service, an overlay with a name prefix, a label, an image
tag, a patch and a ConfigMap generator) is written to a temporary git repository. Bytecode is cached
in a temporary PYTHONPYCACHEPREFIX, as an installed package has it, and a first run of each command
is discarded. Targets: build no slower than kubectl, --version under 0.15 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FILES = {
    "apps/web/base/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef: {name: web-config}
""",
    "apps/web/base/service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
""",
    "apps/web/base/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n",
    "apps/web/overlays/prod/kustomization.yaml": """resources:
- ../../base
namePrefix: prod-
labels:
- pairs: {env: prod}
images:
- name: nginx
  newTag: "1.27.1"
patches:
- path: replicas.yaml
configMapGenerator:
- name: web-config
  literals: [MODE=prod]
""",
    "apps/web/overlays/prod/replicas.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
""",
}


def _gitops_lint() -> list[str]:
    script = Path(sys.executable).with_name("gitops-lint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gitops_lint.cli"]


def _time(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[:500]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    kubectl = shutil.which("kubectl")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        repo = Path(tmp) / "repo"
        for rel, text in FILES.items():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        overlay = "apps/web/overlays/prod"
        commands = {
            "gitops-lint build": [*_gitops_lint(), "build", overlay],
            "gitops-lint --version": [*_gitops_lint(), "--version"],
        }
        if kubectl:
            commands["kubectl kustomize"] = [kubectl, "kustomize", overlay]
        times: dict[str, list[float]] = {name: [] for name in commands}
        for cmd in commands.values():  # warm-up: bytecode written, binaries in the page cache
            _time(cmd, repo, env)
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(_time(cmd, repo, env))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, value in medians.items():
        print(f"{name:24} median {value * 1000:6.0f} ms  (min {min(times[name]) * 1000:.0f}, "
              f"max {max(times[name]) * 1000:.0f}, {args.runs} runs)")
    version_ok = medians["gitops-lint --version"] < 0.15
    print(f"--version under 150 ms: {'yes' if version_ok else 'no'}")
    if kubectl:
        ratio = medians["gitops-lint build"] / medians["kubectl kustomize"]
        print(f"build / kubectl: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
