"""Workload rules, judged per environment on rendered output (GL701–GL705)."""

from __future__ import annotations

from collections.abc import Iterator

from gitops_lint.core.findings import Violation
from gitops_lint.deploy.file_roles import judged
from gitops_lint.flux.substitution import substituted
from gitops_lint.model.workloads import BATCH_KINDS, Workload, split_image, workloads

SCALED_KINDS = ("Deployment", "StatefulSet", "Rollout")


def _mapping(value) -> dict:
    """`value` when it is a mapping, else an empty one (hand-written manifests may hold anything)."""
    return value if isinstance(value, dict) else {}


def _violation(w: Workload, path: tuple, message: str, key: str, environment: str | None = None) -> Violation:
    file, position = w.locate(path)
    return Violation(file, message, position, resource=w.ref, environment=environment, key=key)


def image_mutable_tag(ctx) -> Iterator[Violation]:
    """GL701: images with no tag, a mutable tag, or (option) no digest."""
    mutable = {t.lower() for t in ctx.options.get("mutable_tags", ["latest"])}
    require_digest = bool(ctx.options.get("require_digest", False))
    for w in workloads(ctx.repo, lambda path: judged(ctx.repo, path)):
        for path, container, _init in w.containers():
            image = container.get("image")
            if not isinstance(image, str) or not image or "${" in image:
                continue
            _, tag, digest = split_image(image)
            problem = None
            if digest is None and tag is None:
                problem = "has no tag (it means `latest`)"
            elif digest is None and tag.lower() in mutable:
                problem = f"uses the mutable tag `{tag}`"
            elif digest is None and require_digest:
                problem = "is not pinned by digest"
            if problem:
                name = container.get("name", "?")
                yield _violation(w, (*path, "image"), f"{w.ref} container {name}: image {image} {problem}; "
                                 "pin an immutable version", f"{name}:{image}", w.environment)


def prod_single_replica(ctx) -> Iterator[Violation]:
    """GL702: a production Deployment/StatefulSet/Rollout with fewer than 2 replicas and no autoscaler."""
    minimum = int(ctx.options.get("min_replicas", 2))
    for render in ctx.repo.rendered.deployed_roots(lambda path: judged(ctx.repo, path)):
        if not render.ok or not ctx.is_production(render.environment):
            continue
        scaled = _autoscaled(o.data for o in render.objects)
        for obj in render.objects:
            data = obj.data
            if data.get("kind") not in SCALED_KINDS:
                continue
            w = Workload(data, render.environment, ctx.repo.rendered.locator(obj))
            if (w.kind, w.name) in scaled or w.get("spec", "workloadRef") is not None:
                continue
            replicas = substituted(w.get("spec", "replicas", default=1))  # `${REPLICAS:=1}` is 1 under Flux
            if isinstance(replicas, int) and replicas < minimum:
                yield _violation(w, ("spec", "replicas"), f"{w.ref} runs {replicas} replica(s) in production and "
                                 f"no autoscaler; run at least {minimum} or add an HPA", "replicas",
                                 render.environment)


def _autoscaled(objects) -> set[tuple[str, str]]:
    """(kind, name) of workloads targeted by an HPA or a KEDA ScaledObject."""
    out = set()
    for data in objects:
        if data.get("kind") in ("HorizontalPodAutoscaler", "ScaledObject"):
            target = _mapping(_mapping(data.get("spec")).get("scaleTargetRef"))
            kind, name = target.get("kind", "Deployment"), target.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                out.add((kind, name))
    return out


def critical_without_progressive_delivery(ctx) -> Iterator[Violation]:
    """GL703: a critical workload in production rolled out without canary or blue-green."""
    names = set(ctx.options.get("critical_names", []))
    markers = [m.split("=", 1) for m in ctx.options.get("critical_markers", [])]
    canaries = _flagger_targets(ctx.repo)
    for render in ctx.repo.rendered.deployed_roots(lambda path: judged(ctx.repo, path)):
        if not render.ok or not ctx.is_production(render.environment):
            continue
        for obj in render.objects:
            w = Workload(obj.data, render.environment, ctx.repo.rendered.locator(obj))
            if w.kind not in ("Deployment", "StatefulSet", "Rollout") or not _critical(w, names, markers):
                continue
            if w.kind == "Rollout" and any(k in _mapping(w.get("spec", "strategy")) for k in ("canary", "blueGreen")):
                continue
            if w.name in canaries or _rollout_refers_to(render.objects, w):
                continue
            yield _violation(w, ("kind",), f"{w.ref} is marked critical but reaches production without a canary "
                             "or blue-green rollout; use an Argo Rollout or a Flagger Canary", "progressive",
                             render.environment)


def _critical(w: Workload, names: set[str], markers: list[list[str]]) -> bool:
    if w.name in names:
        return True
    for field_name in ("labels", "annotations"):
        values = w.get("metadata", field_name) or {}
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            for marker in markers:
                wanted_key, wanted_value = marker[0], marker[1] if len(marker) > 1 else None
                key_matches = key == wanted_key or key.endswith("/" + wanted_key)
                if key_matches and (wanted_value is None or str(value).lower() == wanted_value.lower()):
                    return True
    return False


def _flagger_targets(repo) -> set[str]:
    """Names of workloads a Flagger Canary targets anywhere in the repository."""
    return {
        str(d.get("spec", "targetRef", "name"))
        for d in repo.objects("flagger.app/Canary")
        if d.get("spec", "targetRef", "name")
    }


def _rollout_refers_to(objects, w: Workload) -> bool:
    for obj in objects:
        data = obj.data
        ref = _mapping(data.get("spec")).get("workloadRef") if data.get("kind") == "Rollout" else None
        if isinstance(ref, dict) and ref.get("name") == w.name and ref.get("kind", "Deployment") == w.kind:
            return True
    return False


def _env_independent(ctx, check) -> Iterator[Violation]:
    """Run a per-container check on every workload, reporting each source line once."""
    seen: set[tuple] = set()
    for w in workloads(ctx.repo, lambda path: judged(ctx.repo, path)):
        for v in check(w):
            marker = (v.path, v.position, v.key)
            if marker not in seen:
                seen.add(marker)
                yield v


def workload_no_resources(ctx) -> Iterator[Violation]:
    """GL704: containers without CPU and memory requests."""
    wanted = ctx.options.get("requests", ["cpu", "memory"])

    def check(w: Workload):
        for path, container, _init in w.containers():
            requests = _mapping(container.get("resources")).get("requests") or {}
            missing = [r for r in wanted if not isinstance(requests, dict) or r not in requests]
            if missing:
                name = container.get("name", "?")
                yield _violation(w, path, f"{w.ref} container {name} has no {' or '.join(missing)} request; "
                                 "the scheduler cannot place it reliably", f"{name}:{','.join(missing)}")

    yield from _env_independent(ctx, check)


def workload_no_probes(ctx) -> Iterator[Violation]:
    """GL705: long-running containers without a readiness probe."""

    def check(w: Workload):
        if w.kind in BATCH_KINDS:
            return
        for path, container, _init in w.containers(include_init=False):
            if "readinessProbe" not in container:
                name = str(container.get("name", "?"))
                yield _violation(w, path, f"{w.ref} container {name} has no readinessProbe; traffic reaches it "
                                 "before it is ready", name)

    yield from _env_independent(ctx, check)
