"""Workload rules, judged per environment on rendered output (GL701–GL705)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cache, partial
from typing import TYPE_CHECKING

from gitops_lint.checks.services import ServiceIndex, service_index
from gitops_lint.core.datapath import as_dict, as_list
from gitops_lint.core.findings import Violation
from gitops_lint.deploy.file_roles import judged
from gitops_lint.deploy.skaffold import dev_loop_images
from gitops_lint.flux.substitution import substituted
from gitops_lint.helm.values import SECRET_MARKER
from gitops_lint.model.workloads import BATCH_KINDS, POD_SPEC_PATHS, Workload, split_image, workloads

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

SCALED_KINDS = ("Deployment", "StatefulSet", "Rollout")


def _violation(w: Workload, path: tuple, message: str, key: str, environment: str | None = None) -> Violation:
    file, position = w.locate(path)
    return Violation(file, message, position, resource=w.ref, environment=environment, key=key)


def image_mutable_tag(ctx: CheckContext) -> Iterator[Violation]:
    """GL701: images with no tag, a mutable tag, or (option) no digest."""
    mutable = {t.lower() for t in ctx.option("mutable_tags")}
    require_digest = ctx.option("require_digest")

    def check(w: Workload):
        for path, container, _init in w.containers():
            image = container.get("image")
            if not isinstance(image, str) or not image or "${" in image or SECRET_MARKER in image:
                continue  # unknown until Flux substitutes it, or set from a Secret (hidden from every rule)
            name, tag, digest = split_image(image)
            if tag is None and digest is None and name in ctx.repo.derived(dev_loop_images):
                continue  # Skaffold and Tilt tag what they build when they deploy (looked up once, if ever)
            problem = None
            if digest is None and tag is None:
                problem = "has no tag (it means `latest`)"
            elif digest is None and tag is not None and tag.lower() in mutable:
                problem = f"uses the mutable tag `{tag}`"
            elif digest is None and require_digest:
                problem = "is not pinned by digest"
            if problem:
                name = container.get("name", "?")
                yield _violation(w, (*path, "image"), f"{w.ref} container {name}: image {image} {problem}; "
                                 "pin an immutable version", f"{name}:{image}", w.environment)

    yield from _one_per_line(_env_independent(ctx, check))


def _one_per_line(violations) -> Iterator[Violation]:
    """One finding per line and image: a kustomization `images:` entry (`newTag: latest`) that sets the tag
    of many containers is one line to change, so one finding listing the containers."""
    groups: dict[tuple, list[Violation]] = {}
    for v in violations:
        groups.setdefault((v.path, v.position, v.key.split(":", 1)[-1]), []).append(v)
    for found in groups.values():
        first = found[0]
        if len(found) > 1:
            subjects = [v.message.split(": image ", 1)[0] for v in found]
            shown = "; ".join(subjects[:3]) + (f"; and {len(subjects) - 3} more" if len(subjects) > 3 else "")
            rest = first.message.split(": image ", 1)[-1]
            first = replace(first, message=f"image {rest} (set here for {len(found)} containers: {shown})",
                            resource=None, key=first.key.split(":", 1)[-1],
                            environment=first.environment if all(v.environment == first.environment
                                                                 for v in found) else None)
        yield first


def prod_single_replica(ctx: CheckContext) -> Iterator[Violation]:
    """GL702: a production Deployment/StatefulSet/Rollout with fewer than 2 replicas and no autoscaler."""
    minimum = ctx.option("min_replicas")
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
            target = as_dict(as_dict(data.get("spec")).get("scaleTargetRef"))
            kind, name = target.get("kind", "Deployment"), target.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                out.add((kind, name))
    return out


def critical_without_progressive_delivery(ctx: CheckContext) -> Iterator[Violation]:
    """GL703: a critical workload in production rolled out without canary or blue-green."""
    names = set(ctx.option("critical_names"))
    markers = [m.split("=", 1) for m in ctx.option("critical_markers")]
    canaries = _flagger_targets(ctx.repo)
    for render in ctx.repo.rendered.deployed_roots(lambda path: judged(ctx.repo, path)):
        if not render.ok or not ctx.is_production(render.environment):
            continue
        for obj in render.objects:
            w = Workload(obj.data, render.environment, ctx.repo.rendered.locator(obj))
            if w.kind not in ("Deployment", "StatefulSet", "Rollout") or not _critical(w, names, markers):
                continue
            if w.kind == "Rollout" and any(k in as_dict(w.get("spec", "strategy")) for k in ("canary", "blueGreen")):
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
        ref = as_dict(data.get("spec")).get("workloadRef") if data.get("kind") == "Rollout" else None
        if isinstance(ref, dict) and ref.get("name") == w.name and ref.get("kind", "Deployment") == w.kind:
            return True
    return False


def _env_independent(ctx: CheckContext, check) -> Iterator[Violation]:
    """Run a per-container check on every workload, reporting each source line once; when the line
    reaches several environments (a base rendered by overlays), they are listed in the message."""
    seen: dict[tuple, tuple[Violation, set[str]]] = {}
    for w in judged_workloads(ctx.repo):
        for v in check(w):
            first, environments = seen.setdefault((v.path, v.position, v.key), (v, set()))
            if w.environment:
                environments.add(w.environment)
    for v, environments in seen.values():
        if len(environments) > 1:
            production = ctx.card.production_severity if any(map(ctx.is_production, environments)) else None
            v = replace(v, message=f"{v.message} (environments: {', '.join(sorted(environments))})",
                        environment=None, severity=production or v.severity)
        elif environments:
            v = replace(v, environment=next(iter(environments)))
        yield v


def judged_workloads(repo) -> list[Workload]:
    """`workloads` in what the rules judge (`deploy.file_roles.judged`) of the active share, listed once
    per run and share: GL701, GL704 and GL705 each go through all of them."""
    lists = repo.derived(_workload_lists)
    share = repo.active_share
    if share not in lists:
        lists[share] = list(workloads(repo, lambda path: judged(repo, path)))
    return lists[share]


def _workload_lists(repo) -> dict:
    """Active share (None: the whole repository) → its judged workloads (filled by `judged_workloads`)."""
    return {}


def workload_no_resources(ctx: CheckContext) -> Iterator[Violation]:
    """GL704: containers without CPU and memory requests."""
    wanted = ctx.option("requests")

    def check(w: Workload):
        for path, container, _init in w.containers():
            requests = as_dict(container.get("resources")).get("requests") or {}
            missing = [r for r in wanted if not isinstance(requests, dict) or r not in requests]
            if missing:
                name = container.get("name", "?")
                yield _violation(w, path, f"{w.ref} container {name} has no {' or '.join(missing)} request; "
                                 "the scheduler cannot place it reliably", f"{name}:{','.join(missing)}")

    yield from _env_independent(ctx, check)


def workload_no_probes(ctx: CheckContext) -> Iterator[Violation]:
    """GL705: containers that serve traffic (behind a Service) without a readiness probe.

    Workers, schedulers and agents that no Service selects take no traffic, so a readiness probe
    gates nothing for them; they are not reported.
    """
    services = cache(partial(service_index, ctx.repo))  # built once, for the first container without a probe

    def check(w: Workload):
        if w.kind in BATCH_KINDS or all("readinessProbe" in c for _p, c, _i in w.containers(include_init=False)):
            return  # nothing to report, whatever Service selects it
        for path, container, _init in _serving_containers(w, services()):
            if "readinessProbe" not in container:
                name = str(container.get("name", "?"))
                yield _violation(w, path, f"{w.ref} container {name} serves traffic through a Service but has "
                                 "no readinessProbe; traffic reaches it before it is ready", name)

    yield from _env_independent(ctx, check)


def _serving_containers(w: Workload, services: ServiceIndex) -> Iterator[tuple[tuple, dict, bool]]:
    """Containers of `w` that a Service sends traffic to.

    A Service selects the pod template's labels (in the same namespace, or either unnamespaced), or
    the workload is a StatefulSet with a governing `serviceName`. Then a container serves when a
    Service's targetPort names or numbers one of its ports, else when it declares a containerPort,
    else when it is the pod's only container.
    """
    labels = as_dict(w.get(*POD_SPEC_PATHS[w.kind][:-1], "metadata", "labels")) if w.kind in POD_SPEC_PATHS else {}
    namespace = as_dict(w.get("metadata")).get("namespace")
    targets: list = []
    selected = w.kind == "StatefulSet" and bool(w.get("spec", "serviceName"))
    for ns, selector, ports in services.candidates(labels):
        if (ns == namespace or not ns or not namespace) and all(labels.get(k) == v for k, v in selector.items()):
            selected = True
            targets += ports
    if not selected:
        return
    containers = list(w.containers(include_init=False))
    by_target = [c for c in containers if _exposes(c[1], targets)]
    with_ports = [c for c in containers if as_dict(c[1]).get("ports")]
    yield from by_target or with_ports or (containers if len(containers) == 1 else [])


def _exposes(container: dict, targets: list) -> bool:
    """Whether a Service targetPort (number or name) is one of the container's ports."""
    ports = as_list(container.get("ports"))
    own = {as_dict(p).get("containerPort") for p in ports} | {as_dict(p).get("name") for p in ports}
    return any(t in own for t in targets if t is not None)
