"""Benchmark schema validation: resources/s per validator backend, beside the kubernetes-validate CLI.

    python benchmarks/bench_schemas.py [--count 18000] [--cli-count 500] [--duplicates 0.0]

N synthetic resources shaped like the rendered output of the synthetic monorepo (Deployments,
Services, ConfigMaps, ServiceAccounts, HPAs, Ingresses, Argo CD Applications, Flux Kustomizations),
each unique unless --duplicates asks for a share of repeats. Every backend validates the same
objects through `gitops_lint.schemas.validate_objects` (content hashing, lookup, compiled-validator
cache, errors for invalid objects), from a cold store. fastjsonschema is measured on the raw
verdict only (it is not a product backend: draft 2020-12 is not supported and compiling one
Kubernetes kind takes ~0.6 s). The CLI (`python -m kubernetes_validate --strict`) runs on the
first --cli-count resources written to files. Numbers only: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gitops_lint.schemas import SchemaStore, validate_objects  # noqa: E402
from gitops_lint.schemas.validators import BACKENDS, jsonschema_rs  # noqa: E402


def _deployment(app: str, i: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": app, "namespace": f"env-{i % 3}", "labels": {"app.kubernetes.io/name": app}},
        "spec": {
            "replicas": 1 + i % 3,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {
                    "serviceAccountName": app,
                    "containers": [
                        {
                            "name": app,
                            "image": f"registry.example.com/{app}:1.{i % 10}.0",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                            "envFrom": [{"configMapRef": {"name": f"{app}-config"}}],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"memory": "256Mi"},
                            },
                            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                        }
                    ],
                },
            },
        },
    }


def _others(app: str, i: int) -> list[dict]:
    meta = {"name": app, "namespace": f"env-{i % 3}"}
    return [
        {"apiVersion": "v1", "kind": "Service", "metadata": meta,
         "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": "http"}]}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {**meta, "name": f"{app}-config"},
         "data": {"LOG_LEVEL": "info", "INDEX": str(i)}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                  "minReplicas": 1, "maxReplicas": 5,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
         "spec": {"rules": [{"host": f"{app}.example.com", "http": {"paths": [
             {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]}},
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": app, "namespace": "argocd"},
         "spec": {"project": "apps", "source": {"repoURL": "https://git.example.com/gitops.git", "path": f"apps/{app}",
                                                "targetRevision": "main"},
                  "destination": {"server": "https://kubernetes.default.svc", "namespace": meta["namespace"]},
                  "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}}},
        {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
         "metadata": {"name": app, "namespace": "flux-system"},
         "spec": {"interval": "10m", "path": f"./apps/{app}", "prune": True,
                  "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}},
    ]  # fmt: skip


def synthetic(count: int, duplicates: float = 0.0, seed: int = 7) -> list[dict]:
    """`count` resources; a `duplicates` share of them repeats earlier ones exactly."""
    unique_count = max(1, round(count * (1 - duplicates)))
    unique: list[dict] = []
    i = 0
    while len(unique) < unique_count:
        app = f"app-{i:05d}"
        unique.extend([_deployment(app, i), *_others(app, i)])
        i += 1
    unique = unique[:unique_count]
    rng = random.Random(seed)
    repeats = [json.loads(json.dumps(rng.choice(unique))) for _ in range(count - len(unique))]
    return unique + repeats


def bench_backend(objects: list[dict], backend: str) -> tuple[float, int, SchemaStore]:
    store = SchemaStore(backend=backend)
    start = time.perf_counter()
    results = validate_objects(objects, store)
    elapsed = time.perf_counter() - start
    return elapsed, sum(r.status == "invalid" for r in results), store


def bench_fastjsonschema(objects: list[dict]) -> tuple[float, float] | None:
    try:
        import fastjsonschema
    except ImportError:
        return None
    store = SchemaStore(backend="jsonschema")
    definitions = store.kubernetes.definitions
    start = time.perf_counter()
    compiled: dict = {}
    for obj in objects:
        key = (obj["apiVersion"], obj["kind"])
        if key not in compiled:
            found = store.lookup(*key)
            compiled[key] = (
                fastjsonschema.compile(found[0], handlers={"https": lambda uri: definitions})
                if found
                else None
            )
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    for obj in objects:
        check = compiled[(obj["apiVersion"], obj["kind"])]
        if check is not None:
            with contextlib.suppress(fastjsonschema.JsonSchemaException):
                check(obj)
    return compile_s, time.perf_counter() - start


def bench_cli(objects: list[dict]) -> float | None:
    """Wall time of `python -m kubernetes_validate --strict` on the objects, 100 per file."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for n in range(0, len(objects), 100):
            path = Path(tmp) / f"batch-{n:06d}.yaml"
            path.write_text("---\n".join(json.dumps(o) + "\n" for o in objects[n : n + 100]))
            files.append(str(path))
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", "--no-warn", *files],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            print(f"kubernetes-validate failed: {proc.stderr.strip()[:300]}", file=sys.stderr)
            return None
        return elapsed


def rendered_objects(root: Path) -> tuple[list[dict], float]:
    """Every deployed kustomization root of a repository, rendered with the built-in renderer."""
    from gitops_lint.api import resolve_config
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.model.repository import Repository

    start = time.perf_counter()
    repo = Repository.build(WorkingTree(root), resolve_config(root, None))
    renders = list(repo.rendered.deployed_roots())
    objects = [o.data for r in renders if r.ok for o in r.objects]
    return objects, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=18000)
    parser.add_argument(
        "--cli-count", type=int, default=500, help="resources for the kubernetes-validate CLI (0: skip)"
    )
    parser.add_argument("--duplicates", type=float, default=0.0, help="share of exact repeats (0..1)")
    parser.add_argument("--repo", type=Path, help="validate this repository's rendered output instead")
    args = parser.parse_args()
    if args.repo:
        objects, took = rendered_objects(args.repo)
        print(f"{len(objects)} rendered resources from {args.repo} (loading and rendering took {took:.1f} s)")
    else:
        objects = synthetic(args.count, args.duplicates)
        print(f"{len(objects)} resources, {args.duplicates:.0%} duplicates")
    for backend in BACKENDS:
        if backend == "jsonschema-rs" and jsonschema_rs is None:
            print(f"{backend:>22}: not installed")
            continue
        elapsed, invalid, store = bench_backend(objects, backend)
        print(
            f"{backend:>22}: {elapsed:6.2f} s  {len(objects) / elapsed:9,.0f} resources/s  "
            f"(validated {store.stats.validated}, reused {store.stats.reused}, invalid {invalid})"
        )
    fast = bench_fastjsonschema(objects)
    if fast is not None:
        compile_s, run_s = fast
        print(
            f"{'fastjsonschema (raw)':>22}: {compile_s + run_s:6.2f} s  {len(objects) / run_s:9,.0f} resources/s "
            f"after {compile_s:.1f} s compiling"
        )
    if args.cli_count:
        sample = objects[: args.cli_count]
        elapsed = bench_cli(sample)
        if elapsed is not None:
            print(
                f"{'kubernetes-validate CLI':>22}: {elapsed:6.2f} s  {len(sample) / elapsed:9,.0f} resources/s  ({len(sample)} resources)"
            )


if __name__ == "__main__":
    main()
