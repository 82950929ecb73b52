"""What `check --fix` changes for each fixable rule, as keys to add or scalars to replace in a document.

A fixer looks at the YAML document that holds a finding (ruamel round-trip data) and returns
`Change`s; `gitops_lint.lint.autofix` merges them per document and turns them into text edits.
Adding a missing field is the rule's fix; overwriting a value someone wrote (`prune: false`) reverses
a choice, so such a change is always unsafe (applied only with `--unsafe-fixes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from gitops_lint.core.datapath import dig
from gitops_lint.core.findings import Finding

ARGO_KINDS = ("Application", "ApplicationSet")
RETRY_LIMIT = 5  # attempts: what Argo CD itself uses when `retry` is unset

# Deprecated apiVersions whose successor has the same schema for these kinds (the Kubernetes
# deprecation guide lists no field change), so a rename of `apiVersion` is the whole migration.
PURE_RENAMES: dict[tuple[str, str], str] = {
    **{("rbac.authorization.k8s.io/v1beta1", k): "rbac.authorization.k8s.io/v1"
       for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
    **{("rbac.authorization.k8s.io/v1alpha1", k): "rbac.authorization.k8s.io/v1"
       for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): "scheduling.k8s.io/v1",
    ("scheduling.k8s.io/v1alpha1", "PriorityClass"): "scheduling.k8s.io/v1",
    ("coordination.k8s.io/v1beta1", "Lease"): "coordination.k8s.io/v1",
    ("apiregistration.k8s.io/v1beta1", "APIService"): "apiregistration.k8s.io/v1",
    ("authentication.k8s.io/v1beta1", "TokenReview"): "authentication.k8s.io/v1",
    ("batch/v1beta1", "CronJob"): "batch/v1",
    ("node.k8s.io/v1beta1", "RuntimeClass"): "node.k8s.io/v1",
    **{("storage.k8s.io/v1beta1", k): "storage.k8s.io/v1"
       for k in ("StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "CSIStorageCapacity")},
}


@dataclass(frozen=True)
class FixContext:
    """What a fixer may know beyond the document: the commit a git URL's default branch is at, if known."""

    known_commit: Callable[[str], str | None] = lambda url: None


@dataclass(frozen=True)
class Change:
    """Keys to add under the mapping at `base` (missing ones only), or scalars to overwrite."""

    base: tuple[str, ...]
    add: dict = field(default_factory=dict)
    replace: dict[tuple[str, ...], object] = field(default_factory=dict)  # relative path -> new value
    safe: bool = True


def _argo_base(doc: CommentedMap) -> tuple[str, ...] | None:
    if doc.get("kind") not in ARGO_KINDS or not str(doc.get("apiVersion", "")).startswith("argoproj.io/"):
        return None
    return ("spec", "template", "spec") if doc["kind"] == "ApplicationSet" else ("spec",)


def node_at(doc: CommentedMap | CommentedSeq, path: tuple) -> CommentedMap | None:
    """The mapping at `path` (keys and list indexes) in a round-trip document, if there is one."""
    node = dig(doc, path)
    return node if isinstance(node, CommentedMap) else None


def _flag(doc: CommentedMap, flag: str, also_missing: tuple[str, ...] = ()) -> list[Change]:
    """`flag: true` under `automated` (replacing an explicit value is unsafe), plus the flags of
    `also_missing` that are absent (one finding names them all when they share the cause)."""
    base = _argo_base(doc)
    if base is None:
        return []
    automated = node_at(doc, (*base, "syncPolicy", "automated"))
    if automated is not None and flag in automated and automated[flag] is not True:
        return [Change(base, replace={("syncPolicy", "automated", flag): True}, safe=False)]
    flags = {flag: True} | {f: True for f in also_missing if automated is None or f not in automated}
    return [Change(base, add={"syncPolicy": {"automated": flags}})]


def automated_sync(doc: CommentedMap, finding: Finding, ctx: FixContext) -> list[Change]:
    """GL401: `syncPolicy.automated` with prune and selfHeal."""
    base = _argo_base(doc)
    return [Change(base, add={"syncPolicy": {"automated": {"prune": True, "selfHeal": True}}})] if base else []


def retry(doc: CommentedMap, finding: Finding, ctx: FixContext) -> list[Change]:
    """GL404: a positive `syncPolicy.retry.limit` where the retry block has none (safe), or in place of
    an explicit `-1`/`0` (unsafe: someone wrote it)."""
    base = _argo_base(doc)
    retry_block = node_at(doc, (*base, "syncPolicy", "retry")) if base else None
    if base is None or retry_block is None:
        return []
    if "limit" in retry_block:
        return [Change(base, replace={("syncPolicy", "retry", "limit"): RETRY_LIMIT}, safe=False)]
    return [Change(base, add={"syncPolicy": {"retry": {"limit": RETRY_LIMIT}}})]


def flux_prune(doc: CommentedMap, finding: Finding, ctx: FixContext) -> list[Change]:
    """GL501: `spec.prune: true` on a Flux Kustomization."""
    if doc.get("kind") != "Kustomization" or not str(doc.get("apiVersion", "")).startswith(
            "kustomize.toolkit.fluxcd.io/"):
        return []
    spec = node_at(doc, ("spec",))
    if spec is not None and "prune" in spec and spec["prune"] is not True:
        return [Change(("spec",), replace={("prune",): True}, safe=False)]
    return [Change(("spec",), add={"prune": True})]


def deprecated_api(doc: CommentedMap, finding: Finding, ctx: FixContext) -> list[Change]:
    """GL306: the successor apiVersion, where it is a pure rename."""
    new = PURE_RENAMES.get((str(doc.get("apiVersion", "")), str(doc.get("kind", ""))))
    return [Change((), replace={("apiVersion",): new})] if new else []


def pin_revision(doc: CommentedMap, finding: Finding, ctx: FixContext) -> list[Change]:
    """GL409: a floating git `targetRevision` (HEAD or none) pinned to the commit its branch is at now,
    only where that commit is known locally (the repoURL is a remote of this repository)."""
    base = _argo_base(doc)
    spec = node_at(doc, base) if base else None
    if base is None or spec is None:
        return []
    paths = [("source",)] + [("sources", i) for i in range(len(spec.get("sources") or []))]
    changes = []
    for path in paths:
        source = node_at(spec, path)
        if source is None or "chart" in source:
            continue
        commit = ctx.known_commit(str(source.get("repoURL") or ""))
        revision = source.get("targetRevision", "HEAD")
        if not commit or not isinstance(revision, str) or revision.strip() not in ("", "HEAD"):
            continue
        if "targetRevision" in source:
            changes.append(Change((*base, *path), replace={("targetRevision",): commit}, safe=False))
        else:
            changes.append(Change((*base, *path), add={"targetRevision": commit}, safe=False))
    return changes


FIXERS: dict[str, Callable[[CommentedMap, Finding, FixContext], list[Change]]] = {
    "GL306": deprecated_api,
    "GL401": automated_sync,
    "GL402": lambda doc, finding, ctx: _flag(doc, "selfHeal", also_missing=("prune",)),
    "GL403": lambda doc, finding, ctx: _flag(doc, "prune"),
    "GL404": retry,
    "GL409": pin_revision,
    "GL501": flux_prune,
}

def rule_is_safe(rule: str, card: object) -> bool:
    """Whether the rule's fix may run under plain `--fix` (its card's `fix_safety`; none: not fixable)."""
    declared = getattr(card, "fix_safety", None)
    return isinstance(declared, dict) and declared.get("safe") is True
