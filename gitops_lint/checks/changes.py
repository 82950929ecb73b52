"""Change policies (GL801–GL804): dangerous edits, seen only by comparing the base and head renders.

These checks read `ctx.diff` (a `gitops_lint.diff.pipeline.DiffResult`) of the ChangeContext the engine
gives cards tagged `diff`, which only `gitops-lint diff` runs (`check` skips them; a card using these
checks without the tag sees no diff and yields nothing). Findings point at the head file and line
when the object still exists there, else at the base file that declared it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator

from gitops_lint.core.datapath import MISSING, dig
from gitops_lint.core.findings import Position, Violation
from gitops_lint.flux.substitution import substituted
from gitops_lint.lint.engine import ChangeContext, ChangeSet

WORKLOADS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "Rollout")
DANGEROUS_PRUNE = ("Namespace", "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume")
_HASH_SUFFIX = re.compile(r"^(.*)-[a-z0-9]{10}$")


def _changes(ctx: ChangeContext, *actions: str) -> Iterator:
    diff = getattr(ctx, "diff", None)  # a plain CheckContext: a card missing the `diff` tag
    if diff is None:
        return
    for change in diff.changes:
        if not actions or change.action in actions:
            yield change


def _get(data, *path):
    return dig(data, path, MISSING)


def _where(change, *field) -> tuple[str, Position]:
    """Head file and line of a field when the object exists in head, else the base declaration."""
    resource = change.head if change.head is not None and change.head.path else change.base
    path, position = resource.location(*field)
    return path or change.root, position


def _violation(change, message: str, key: str, *field) -> Violation:
    path, position = _where(change, *field)
    return Violation(
        path,
        message,
        position,
        resource=change.ref,
        environment=change.environment,
        key=f"{change.root}:{change.ref}:{key}",
    )


# -- GL801 ----------------------------------------------------------------------------------------
def _immutable_fields(kind: str, base: dict) -> list[tuple]:
    fields: list[tuple] = []
    if kind in WORKLOADS:
        fields.append(("spec", "selector"))
    if kind == "StatefulSet":
        fields += [("spec", "volumeClaimTemplates"), ("spec", "serviceName"), ("spec", "podManagementPolicy")]
    if kind == "Job":
        fields += [("spec", "template"), ("spec", "selector")]
    if kind == "Service" and _get(base, "spec", "clusterIP") not in (MISSING, "", None):
        fields.append(("spec", "clusterIP"))
    if kind in ("ConfigMap", "Secret") and _get(base, "immutable") is True:
        fields += [("data",), ("binaryData",), ("stringData",), ("immutable",)]
    return fields


def _pvc_spec(data: dict):
    spec = _get(data, "spec")
    if not isinstance(spec, dict):
        return spec
    spec = json.loads(json.dumps(spec, default=str))
    requests = _get(spec, "resources", "requests")
    if isinstance(requests, dict):
        requests.pop("storage", None)
    return spec


_QUANTITY = re.compile(r"^([0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_UNITS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


def _bytes(quantity) -> float | None:
    match = _QUANTITY.match(str(quantity).strip()) if quantity is not MISSING else None
    if not match:
        return None
    try:
        return float(match.group(1)) * _UNITS[match.group(2)]
    except ValueError:
        return None


def _shrinks(before, after) -> bool:
    """A PVC's storage request may grow (where the class allows expansion), never shrink."""
    a, b = _bytes(before), _bytes(after)
    return a is not None and b is not None and b < a


def immutable_field(ctx: ChangeContext) -> Iterable[Violation]:
    """GL801: a modified object changes a field the API server will not update in place."""
    for change in _changes(ctx, "modified"):
        base, head = change.base.data, change.head.data
        kind = change.key[1]
        fields = [f for f in _immutable_fields(kind, base) if _get(base, *f) != _get(head, *f)]
        if kind == "PersistentVolumeClaim" and _pvc_spec(base) != _pvc_spec(head):
            fields.append(("spec",))
        storage = ("spec", "resources", "requests", "storage")
        if kind == "PersistentVolumeClaim" and _shrinks(_get(base, *storage), _get(head, *storage)):
            fields.append(storage)
        for field in fields:
            name = ".".join(field)
            yield _violation(
                change,
                f"{change.ref}: `{name}` is immutable, so this sync will fail (and so will reverting it); "
                "recreate the object under a new name or delete it first",
                name,
                *field,
            )


# -- GL802 ----------------------------------------------------------------------------------------
def _prune_disabled_by_annotation(data: dict) -> bool:
    annotations = _get(data, "metadata", "annotations")
    if not isinstance(annotations, dict):
        return False
    sync = str(annotations.get("argocd.argoproj.io/sync-options", ""))
    return (
        "Prune=false" in sync
        or "Delete=false" in sync
        or annotations.get("kustomize.toolkit.fluxcd.io/prune") == "disabled"
        or annotations.get("helm.sh/resource-policy") == "keep"
    )


def _prune_policy(diff: ChangeSet | None, root: str) -> bool | None:
    """True/False when an Argo CD Application or Flux Kustomization deploying `root` says so, else None."""
    side = diff.base_side if diff is not None else None
    if side is None:
        return None
    policies = [p.prune for p in side.all_pointers if p.target == root]
    if any(p is True for p in policies):
        return True
    if policies and all(p is False for p in policies):
        return False
    return None


def prune_dangerous(ctx: ChangeContext) -> Iterable[Violation]:
    """GL802: the change removes a Namespace, CRD, PVC or PV that pruning would delete with its data."""
    report_unknown = ctx.option("report_unknown_prune")
    for change in _changes(ctx, "removed"):
        kind = change.key[1]
        if kind not in DANGEROUS_PRUNE or _prune_disabled_by_annotation(change.base.data):
            continue
        prune = _prune_policy(ctx.diff, change.root)
        if prune is False or (prune is None and not report_unknown):
            continue
        how = "is pruned" if prune else "will be deleted if the operator prunes"
        yield _violation(
            change,
            f"{change.ref} is removed from `{change.root or '.'}` and {how}, taking its contents with it; "
            "keep it, or disable pruning for it (e.g. `argocd.argoproj.io/sync-options: Prune=false`) first",
            "removed",
        )


# -- GL803 ----------------------------------------------------------------------------------------
def _body(data: dict) -> str:
    data = json.loads(json.dumps(data, default=str))
    meta = data.get("metadata")
    if isinstance(meta, dict):
        meta.pop("name", None)
        meta.pop("namespace", None)
    return json.dumps(data, sort_keys=True, indent=0, default=str)


def _generated_rename(old: str, new: str) -> bool:
    """kustomize's content-hash suffix (`name-7t9bk2f5m8`) changes with the content: not a rename."""
    a, b = _HASH_SUFFIX.match(old), _HASH_SUFFIX.match(new)
    return bool(a and b and a.group(1) == b.group(1))


def rename(ctx: ChangeContext) -> Iterable[Violation]:
    """GL803: a resource removed and a near-identical one added in the same root."""
    threshold = float(ctx.option("similarity"))
    max_pairs = ctx.option("max_pairs")
    removed_by_root: dict[tuple, list] = {}
    for change in _changes(ctx, "removed"):
        removed_by_root.setdefault((change.root, change.key[0].split("/")[0], change.key[1]), []).append(
            change
        )
    pairs = 0
    for added in _changes(ctx, "added"):
        candidates = removed_by_root.get((added.root, added.key[0].split("/")[0], added.key[1]), [])
        body = None
        for removed in candidates:
            if pairs >= max_pairs or _generated_rename(removed.key[3], added.key[3]):
                continue
            pairs += 1
            body = body or _body(added.head.data)
            matcher = difflib.SequenceMatcher(None, _body(removed.base.data), body, autojunk=False)
            if matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold:
                yield _violation(
                    added,
                    f"{removed.ref} is removed and {added.ref} added with nearly the same content: this is a "
                    "delete and a create, not a rename; keep the old name or plan the replacement",
                    f"rename-from:{removed.ref}",
                    "metadata",
                    "name",
                )
                break


# -- GL804 ----------------------------------------------------------------------------------------
def _replicas(data: dict) -> int | None:
    value = substituted(_get(data, "spec", "replicas"))  # a Flux `${VAR:=default}` is its default
    if value is MISSING or value is None:
        return 1
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def prod_scale_to_zero(ctx: ChangeContext) -> Iterable[Violation]:
    """GL804: a production workload's replicas go from non-zero to 0."""
    for change in _changes(ctx, "modified"):
        if change.key[1] not in SCALABLE or not ctx.is_production(change.environment):
            continue
        before, after = _replicas(change.base.data), _replicas(change.head.data)
        if after == 0 and before not in (0, None):
            yield _violation(
                change,
                f"{change.ref} in production goes from {before} replica(s) to 0, taking the service down; "
                "if that is intended, say so with a suppression and a reason",
                "replicas-zero",
                "spec",
                "replicas",
            )
