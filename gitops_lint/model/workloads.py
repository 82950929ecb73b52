"""Workloads as rules see them: pod templates and containers of any workload kind, rendered or not.

`workloads(repo)` yields every workload object once per deployed kustomization root (rendered, so
that overlay patches count) and once for manifests no kustomization reads, each with the
environment it lands in and a `locate(path)` that finds the line which set a field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_lint.core.datapath import as_dict, dig
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.model.file_roles import static_role

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository

# where the pod spec lives, per kind
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
BATCH_KINDS = frozenset({"Job", "CronJob"})

Locate = Callable[[tuple], tuple[str, Position]]


@dataclass
class Workload:
    """One workload object in one environment."""

    data: dict
    environment: str | None
    locate: Locate

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def name(self) -> str:
        meta = self.data.get("metadata")
        return str(meta.get("name", "")) if isinstance(meta, dict) else ""

    @property
    def ref(self) -> str:
        meta = as_dict(self.data.get("metadata"))
        ns = meta.get("namespace")
        return f"{self.kind}/{ns + '/' if isinstance(ns, str) and ns else ''}{self.name}"

    def get(self, *path: Any, default: Any = None) -> Any:
        return dig(self.data, path, default)

    def containers(self, include_init: bool = True) -> Iterator[tuple[tuple, dict, bool]]:
        """(path, container, is_init) for each container of the pod template."""
        spec_path = POD_SPEC_PATHS.get(self.kind)
        spec = self.get(*spec_path) if spec_path else None
        if spec_path is None or not isinstance(spec, dict):
            return
        fields = ("containers", "initContainers") if include_init else ("containers",)
        for field_name in fields:
            items = spec.get(field_name)
            if not isinstance(items, list):
                continue
            for i, container in enumerate(items):
                if isinstance(container, dict):
                    yield (*spec_path, field_name, i), container, field_name == "initContainers"


def workloads(repo: Repository, judged: Callable[[str], bool] | None = None) -> Iterator[Workload]:
    """Every workload, rendered per deployed root, plus manifests that no kustomization reads and that
    `judged(path)` accepts (default: the repository-level file roles)."""
    judged = judged or (lambda path: static_role(repo, path).judged)
    read: set[str] = set()
    for render in repo.rendered.deployed_roots(judged):
        read |= repo.files_read_by(render.root)
        if not render.ok:
            continue  # GL205 reports the failed build
        for obj in render.objects:
            if obj.data.get("kind") in POD_SPEC_PATHS:
                yield Workload(obj.data, render.environment, repo.rendered.locator(obj))
    loose = [doc for doc in repo.documents if doc.path not in read and doc.kind in POD_SPEC_PATHS
             and repo.owns_file(doc.path) and judged(doc.path)]
    if loose and repo.active_share is not None:
        # a share: what other roots read is not its own (asked only when it owns a candidate at all)
        read |= {f for d in repo.rendered.deployed_dirs(judged) for f in repo.files_read_by(d)}
    for doc in loose:
        if doc.path not in read:
            yield Workload(doc.data, repo.environment_of(doc.path), source_locator(doc))


def source_locator(doc: Document) -> Locate:
    """Fields of a document located as written (no rendering)."""
    return lambda path: (doc.path, doc.position(tuple(path)))


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/team/app:1.2@sha256:…` → (name, tag, digest)."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag or None, digest or None
