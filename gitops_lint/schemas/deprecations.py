"""Deprecated and removed Kubernetes API versions (from the upstream deprecation guide).

Each entry names the apiVersion (and kinds, where only some kinds of that version went away),
the minor version that deprecated it, the one that removed it, and what to use instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitops_lint.schemas.kubernetes import format_version, parse_version

ANY_KIND = "*"


@dataclass(frozen=True)
class DeprecatedApi:
    api_version: str
    kinds: tuple[str, ...]  # (ANY_KIND,) for every kind of the version
    deprecated_in: tuple[int, int]
    removed_in: tuple[int, int] | None
    replacement: str  # an apiVersion, or a sentence where there is none

    def covers(self, api_version: str, kind: str) -> bool:
        return api_version == self.api_version and (ANY_KIND in self.kinds or kind in self.kinds)


def _e(api_version: str, kinds: str, deprecated: str, removed: str | None, replacement: str) -> DeprecatedApi:
    return DeprecatedApi(
        api_version,
        tuple(kinds.split()),
        _table_version(deprecated),
        _table_version(removed) if removed else None,
        replacement,
    )


def _table_version(text: str) -> tuple[int, int]:
    """A version written in the table below (always well formed)."""
    version = parse_version(text)
    if version is None:
        raise ValueError(f"bad version {text!r} in the deprecation table")
    return version


_WORKLOADS = "Deployment DaemonSet ReplicaSet StatefulSet ControllerRevision"
_PSP = "migrate to Pod Security Admission (no replacement API exists)"

TABLE: tuple[DeprecatedApi, ...] = (
    _e("extensions/v1beta1", _WORKLOADS, "1.8", "1.16", "apps/v1"),
    _e("extensions/v1beta1", "NetworkPolicy", "1.9", "1.16", "networking.k8s.io/v1"),
    _e("extensions/v1beta1", "PodSecurityPolicy", "1.10", "1.16", _PSP),
    _e("extensions/v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1"),
    _e("apps/v1beta1", ANY_KIND, "1.9", "1.16", "apps/v1"),
    _e("apps/v1beta2", ANY_KIND, "1.9", "1.16", "apps/v1"),
    _e("networking.k8s.io/v1beta1", "Ingress IngressClass", "1.19", "1.22", "networking.k8s.io/v1"),
    _e("rbac.authorization.k8s.io/v1beta1", ANY_KIND, "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    _e("rbac.authorization.k8s.io/v1alpha1", ANY_KIND, "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    _e("apiextensions.k8s.io/v1beta1", ANY_KIND, "1.16", "1.22", "apiextensions.k8s.io/v1"),
    _e("apiregistration.k8s.io/v1beta1", ANY_KIND, "1.19", "1.22", "apiregistration.k8s.io/v1"),
    _e(
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
        "1.16",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    _e("authentication.k8s.io/v1beta1", "TokenReview", "1.19", "1.22", "authentication.k8s.io/v1"),
    _e(
        "authorization.k8s.io/v1beta1",
        "SubjectAccessReview LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview",
        "1.19",
        "1.22",
        "authorization.k8s.io/v1",
    ),
    _e("certificates.k8s.io/v1beta1", "CertificateSigningRequest", "1.19", "1.22", "certificates.k8s.io/v1"),
    _e("coordination.k8s.io/v1beta1", "Lease", "1.19", "1.22", "coordination.k8s.io/v1"),
    _e("scheduling.k8s.io/v1beta1", "PriorityClass", "1.14", "1.22", "scheduling.k8s.io/v1"),
    _e(
        "storage.k8s.io/v1beta1",
        "CSIDriver CSINode StorageClass VolumeAttachment",
        "1.19",
        "1.22",
        "storage.k8s.io/v1",
    ),
    _e("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
    _e("policy/v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1"),
    _e("policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25", _PSP),
    _e("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25", "autoscaling/v2"),
    _e("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2"),
    _e("discovery.k8s.io/v1beta1", "EndpointSlice", "1.21", "1.25", "discovery.k8s.io/v1"),
    _e("events.k8s.io/v1beta1", "Event", "1.19", "1.25", "events.k8s.io/v1"),
    _e("node.k8s.io/v1beta1", "RuntimeClass", "1.20", "1.25", "node.k8s.io/v1"),
    _e("flowcontrol.apiserver.k8s.io/v1beta1", ANY_KIND, "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    _e("flowcontrol.apiserver.k8s.io/v1beta2", ANY_KIND, "1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    _e("flowcontrol.apiserver.k8s.io/v1beta3", ANY_KIND, "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    _e("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1"),
)


@dataclass(frozen=True)
class ApiStatus:
    """What the target Kubernetes version says about an apiVersion/kind."""

    entry: DeprecatedApi
    removed: bool  # True: gone in the target version; False: deprecated there

    def message(self, kind: str, target: tuple[int, int]) -> str:
        e = self.entry
        use = e.replacement if " " in e.replacement else f"use {e.replacement}"
        if self.removed and e.removed_in is not None:
            return (
                f"{e.api_version} {kind} was removed in Kubernetes {format_version(e.removed_in)} "
                f"(target {format_version(target)}); {use}"
            )
        removal = f", removal in {format_version(e.removed_in)}" if e.removed_in else ""
        return f"{e.api_version} {kind} is deprecated since Kubernetes {format_version(e.deprecated_in)}{removal}; {use}"


def api_status(api_version: str, kind: str, target: tuple[int, int]) -> ApiStatus | None:
    """Removed or deprecated status of `api_version`/`kind` in the `target` version; None when current."""
    for entry in TABLE:
        if not entry.covers(api_version, kind):
            continue
        if entry.removed_in is not None and target >= entry.removed_in:
            return ApiStatus(entry, removed=True)
        if target >= entry.deprecated_in:
            return ApiStatus(entry, removed=False)
        return None
    return None
