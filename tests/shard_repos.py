"""Repositories for the sharding tests: the benchmark's generated monorepo, with problems added."""

from __future__ import annotations

from pathlib import Path

from conftest import load_benchmark, write_repo

ENVS = ["development", "staging", "production"]


def generate(out: Path, apps: int) -> Path:
    """benchmarks/generate.py's monorepo with `apps` apps (each a base and one overlay per environment)."""
    load_benchmark("generate").generate(out, apps, ENVS)
    return out


def with_problems(repo: Path, apps: int) -> Path:
    """Findings of every scope, spread over the apps: no resources in a base (one finding listing the
    three environments), a plaintext Secret and a syntax error in app files, loose manifests that no
    kustomization reads, and a suppression."""
    files: dict[str, str] = {}
    for i in range(0, apps, 3):
        base = repo / "apps" / f"svc-{i:04d}" / "base"
        text = (base / "deployment.yaml").read_text()
        files[f"apps/svc-{i:04d}/base/deployment.yaml"] = text.replace(
            "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {memory: 256Mi}\n",
            "")
    for i in range(1, apps, 4):
        base = f"apps/svc-{i:04d}/base"
        files[f"{base}/secret.yaml"] = (
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-{i}\nstringData:\n  password: hunter{i}x\n")
        kustomization = (repo / base / "kustomization.yaml").read_text()
        files[f"{base}/kustomization.yaml"] = kustomization.replace("resources:\n", "resources:\n  - secret.yaml\n")
        files[f"apps/svc-{i:04d}/notes.yaml"] = "key: [unclosed\n"
    for i in range(5):
        files[f"loose/worker-{i}.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker-{i}\nspec:\n  selector:\n"
            f"    matchLabels: {{app: worker-{i}}}\n  template:\n    metadata:\n      labels: {{app: worker-{i}}}\n"
            f"    spec:\n      containers:\n        - name: w\n          image: worker:latest"
            f"{'  # gitops-lint: disable=GL701 -- a test worker' if i == 0 else ''}\n")
    return write_repo(repo, files)
