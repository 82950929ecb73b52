"""Output order: kustomize's legacy kind order (the default) or FIFO, per `sortOptions`."""

from __future__ import annotations

from functools import cmp_to_key

from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import ResId, Resource

ORDER_FIRST = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
]
ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]


def _type_orders(first: list[str], last: list[str]) -> dict[str, int]:
    orders = {kind: i - len(first) for i, kind in enumerate(first)}
    orders.update({kind: i + 1 for i, kind in enumerate(last)})
    return orders


def sort_resources(resources: list[Resource], sort_options: object) -> list[Resource]:
    """Sort as kustomize does by default (legacy), or keep input order for `order: fifo`."""
    first, last = ORDER_FIRST, ORDER_LAST
    if sort_options is not None:
        if not isinstance(sort_options, dict):
            raise RenderError("sortOptions must be a mapping")
        mode = sort_options.get("order", "legacy")
        if mode == "fifo":
            if sort_options.get("legacySortOptions"):
                raise RenderError("legacySortOptions may only be set with order: legacy")
            return list(resources)
        if mode != "legacy":
            raise RenderError(f"unknown sortOptions order {mode!r} (legacy or fifo)")
        legacy = sort_options.get("legacySortOptions")
        if isinstance(legacy, dict):
            first = [str(k) for k in legacy.get("orderFirst") or []]
            last = [str(k) for k in legacy.get("orderLast") or []]
    orders = _type_orders(first, last)

    def key(res: Resource) -> tuple[int, str, str, ResId]:
        rid = res.cur_id
        gvk = f"{rid.group or '~G'}_{rid.version or '~V'}_{rid.kind or '~K'}"
        return (orders.get(rid.kind, 0), gvk, f"{rid.namespace or '~X'}|{rid.name or '~N'}", rid)

    def cmp(a: tuple[int, str, str, ResId], b: tuple[int, str, str, ResId]) -> int:
        if a[1] != b[1]:  # different group/version/kind
            if a[0] != b[0]:
                return -1 if a[0] < b[0] else 1
            ga, gb = a[3], b[3]
            # kustomize sorts Namespaces of the core group before same-kind objects of other groups
            reverse = ga.kind == gb.kind == "Namespace" and (not ga.group or not gb.group)
            less = a[1] > b[1] if reverse else a[1] < b[1]
            return -1 if less else 1
        return (a[2] > b[2]) - (a[2] < b[2])

    return sorted(resources, key=lambda r: cmp_to_key(cmp)(key(r)))
