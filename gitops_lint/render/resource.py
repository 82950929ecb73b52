"""The renderer's working unit: one Kubernetes object plus kustomize's bookkeeping about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitops_lint.core.findings import Position

# (apiVersion, kind) pairs kustomize v5.5 treats as cluster-scoped: its built-in OpenAPI data is
# Kubernetes 1.21's, looked up by exact group/version/kind (measured with `kubectl kustomize`).
# Anything else -- newer API versions, alpha versions, CRDs -- is namespaced for kustomize.
_CLUSTER_KINDS = {
    "v1": "Namespace Node PersistentVolume ComponentStatus",
    "admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1beta1": (
        "MutatingWebhookConfiguration ValidatingWebhookConfiguration"
    ),
    "apiextensions.k8s.io/v1 apiextensions.k8s.io/v1beta1": "CustomResourceDefinition",
    "apiregistration.k8s.io/v1 apiregistration.k8s.io/v1beta1": "APIService",
    "certificates.k8s.io/v1 certificates.k8s.io/v1beta1": "CertificateSigningRequest",
    "flowcontrol.apiserver.k8s.io/v1beta1": "FlowSchema PriorityLevelConfiguration",
    "networking.k8s.io/v1 networking.k8s.io/v1beta1": "IngressClass",
    "node.k8s.io/v1 node.k8s.io/v1beta1": "RuntimeClass",
    "policy/v1beta1": "PodSecurityPolicy",
    "rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1beta1": "ClusterRole ClusterRoleBinding",
    "scheduling.k8s.io/v1 scheduling.k8s.io/v1beta1": "PriorityClass",
    "storage.k8s.io/v1 storage.k8s.io/v1beta1": "CSIDriver CSINode StorageClass VolumeAttachment",
}
CLUSTER_SCOPED_GVK = frozenset(
    (api_version, kind)
    for versions, kinds in _CLUSTER_KINDS.items()
    for api_version in versions.split()
    for kind in kinds.split()
)
CLUSTER_SCOPED = frozenset(kind for _, kind in CLUSTER_SCOPED_GVK)


def split_api_version(api_version: Any) -> tuple[str, str]:
    """`apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1")."""
    if not isinstance(api_version, str):
        return "", ""
    group, _, version = api_version.rpartition("/")
    return group, version


def is_cluster_scoped(kind: str, api_version: str | None = None) -> bool:
    """Cluster-scoped for kustomize: exact apiVersion/kind when the apiVersion is given, else by kind."""
    if api_version is None:
        return kind in CLUSTER_SCOPED
    return (api_version, kind) in CLUSTER_SCOPED_GVK


def gvk_cluster_scoped(group: str, version: str, kind: str) -> bool:
    return (f"{group}/{version}" if group else version, kind) in CLUSTER_SCOPED_GVK


@dataclass(frozen=True)
class ResId:
    """kustomize's resource id: group, version, kind, name, namespace."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str

    @property
    def cluster_scoped(self) -> bool:
        return gvk_cluster_scoped(self.group, self.version, self.kind)

    @property
    def effective_namespace(self) -> str:
        if self.cluster_scoped:
            return "_non_namespaceable_"
        return self.namespace or "default"

    def ns_equals(self, other: ResId) -> bool:
        return self.effective_namespace == other.effective_namespace

    def equals(self, other: ResId) -> bool:
        """kustomize's ResId.Equals: same GVK, same name, same effective namespace."""
        return (
            self.kind == other.kind
            and self.group == other.group
            and self.version == other.version
            and self.name == other.name
            and self.ns_equals(other)
        )

    def gvk_string(self) -> str:
        return ".".join([self.kind or "[noKind]", self.version or "[noVer]", self.group or "[noGrp]"])

    def __str__(self) -> str:
        return f"{self.gvk_string()}/{self.name}.{self.namespace or '[noNs]'}"


def res_id(data: dict) -> ResId:
    group, version = split_api_version(data.get("apiVersion"))
    meta = data.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name, ns = meta.get("name"), meta.get("namespace")
    return ResId(
        group,
        version,
        kind if isinstance(kind := data.get("kind"), str) else "",
        name if isinstance(name, str) else ("" if name is None else str(name)),
        ns if isinstance(ns, str) else ("" if ns is None else str(ns)),
    )


def copy_data(value: Any) -> Any:
    """A fast deep copy of plain YAML data (dicts, lists, scalars)."""
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    return value


@dataclass(eq=False)
class Resource:
    """An object being rendered, its identities over time and where its fields came from."""

    data: dict
    source: str
    position: Position
    org_id: ResId
    prev_ids: list[ResId] = field(default_factory=list)
    field_origins: dict[str, tuple[str, Position]] = field(default_factory=dict)
    needs_hash: bool = False
    behavior: str = ""
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    links: list[list] = field(default_factory=list)  # see links.py
    annotation_text: dict[str, str] | None = None  # see output_values.py

    @classmethod
    def new(cls, data: dict, source: str, position: Position, annotation_text: dict | None = None) -> Resource:
        return cls(data, source, position, res_id(data), annotation_text=annotation_text)

    def copy(self) -> Resource:
        return Resource(
            copy_data(self.data),
            self.source,
            self.position,
            self.org_id,
            list(self.prev_ids),
            dict(self.field_origins),
            self.needs_hash,
            self.behavior,
            list(self.prefixes),
            list(self.suffixes),
            [[value, list(paths)] for value, paths in self.links],
            self.annotation_text,
        )

    @property
    def cur_id(self) -> ResId:
        return res_id(self.data)

    @property
    def kind(self) -> str:
        kind = self.data.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def meta(self) -> dict:
        meta = self.data.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
            self.data["metadata"] = meta
        return meta

    @property
    def name(self) -> str:
        return self.cur_id.name

    @property
    def namespace(self) -> str:
        return self.cur_id.namespace

    def all_ids(self) -> list[ResId]:
        """Previous ids and the current one (kustomize's GetMatchingResourcesByAnyId)."""
        return [*self.prev_ids, self.cur_id]

    def store_previous_id(self) -> None:
        self.prev_ids.append(self.cur_id)

    def set_origin(self, field_path: str, path: str, position: Position) -> None:
        self.field_origins[field_path] = (path, position)
