"""Name references: after prefixes, suffixes and hashes change names, follow them into referrers.

Restates kustomize's built-in nameReference configuration and its nameref filter: a referrer field
holding an old name of a referral (same kind, same namespace unless cluster-scoped) gets the
referral's final name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import fieldspec as fs
from .errors import RenderError
from .resource import ResId, Resource, is_cluster_scoped


@dataclass
class BackRef:
    """A referral kind and the fields (in other kinds) that hold its name."""

    group: str
    version: str
    kind: str
    referrers: list[fs.FieldSpec] = field(default_factory=list)

    def selects(self, rid: ResId) -> bool:
        return (
            (not self.kind or self.kind == rid.kind)
            and (not self.group or self.group == rid.group)
            and (not self.version or self.version == rid.version)
        )


_POD_PATHS = {
    "Pod": "spec/",
    "PodTemplate": "template/spec/",
    "CronJob": "spec/jobTemplate/spec/template/spec/",
}
_WORKLOADS = ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"]


def _pod(kind: str) -> str:
    return _POD_PATHS.get(kind, "spec/template/spec/")


def _pod_specs(suffixes: list[str], kinds: list[str]) -> list[fs.FieldSpec]:
    return [fs.make(_pod(k) + s, k, version="v1" if k == "Pod" else "") for k in kinds for s in suffixes]


_ALL_PODS = ["Pod", "PodTemplate", *_WORKLOADS, "CronJob"]
_SA_PODS = ["Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"]


def default_name_references() -> list[BackRef]:
    """kustomize's default nameReference table (built fresh; callers may extend it)."""
    cm = [
        "volumes/configMap/name",
        "containers/env/valueFrom/configMapKeyRef/name",
        "initContainers/env/valueFrom/configMapKeyRef/name",
        "containers/envFrom/configMapRef/name",
        "initContainers/envFrom/configMapRef/name",
        "volumes/projected/sources/configMap/name",
    ]
    secret = [
        "volumes/secret/secretName",
        "containers/env/valueFrom/secretKeyRef/name",
        "initContainers/env/valueFrom/secretKeyRef/name",
        "containers/envFrom/secretRef/name",
        "initContainers/envFrom/secretRef/name",
        "imagePullSecrets/name",
        "volumes/projected/sources/secret/name",
    ]
    ingress = [
        ("spec/rules/http/paths/backend/serviceName", "Ingress", ""),
        ("spec/backend/serviceName", "Ingress", ""),
        ("spec/rules/http/paths/backend/service/name", "Ingress", ""),
        ("spec/defaultBackend/service/name", "Ingress", ""),
        ("spec/service/name", "APIService", "apiregistration.k8s.io"),
        ("webhooks/clientConfig/service", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io"),
        ("webhooks/clientConfig/service", "MutatingWebhookConfiguration", "admissionregistration.k8s.io"),
        ("spec/rules/backendRefs/name", "HTTPRoute", ""),
    ]
    role_names = [fs.make("rules/resourceNames", "Role"), fs.make("rules/resourceNames", "ClusterRole")]
    hpa = [fs.make("spec/scaleTargetRef/name", "HorizontalPodAutoscaler")]
    anno = "metadata/annotations/"
    return [
        *[
            BackRef("", "", k, list(hpa))
            for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
        ],
        BackRef(
            "",
            "v1",
            "ConfigMap",
            [
                *_pod_specs(cm, _ALL_PODS),
                fs.make("spec/configSource/configMap", "Node"),
                *role_names,
                fs.make(anno + "nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"),
            ],
        ),
        BackRef(
            "",
            "v1",
            "Secret",
            [
                *_pod_specs(secret, _ALL_PODS),
                fs.make("spec/tls/secretName", "Ingress"),
                fs.make(anno + "ingress.kubernetes.io\\/auth-secret", "Ingress"),
                fs.make(anno + "nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
                fs.make(anno + "nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
                fs.make("imagePullSecrets/name", "ServiceAccount"),
                *[
                    fs.make("parameters/" + p, "StorageClass")
                    for p in ("secretName", "adminSecretName", "userSecretName", "secretRef")
                ],
                *role_names,
                fs.make(
                    "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
                    "Service",
                    group="serving.knative.dev",
                    version="v1",
                ),
                fs.make("spec/azureFile/secretName", "PersistentVolume"),
            ],
        ),
        BackRef(
            "",
            "v1",
            "Service",
            [fs.make("spec/serviceName", "StatefulSet", group="apps")]
            + [fs.make(p, k, group=g) for p, k, g in ingress],
        ),
        BackRef(
            "rbac.authorization.k8s.io",
            "",
            "Role",
            [fs.make("roleRef/name", "RoleBinding", group="rbac.authorization.k8s.io")],
        ),
        BackRef(
            "rbac.authorization.k8s.io",
            "",
            "ClusterRole",
            [
                fs.make("roleRef/name", "RoleBinding", group="rbac.authorization.k8s.io"),
                fs.make("roleRef/name", "ClusterRoleBinding", group="rbac.authorization.k8s.io"),
            ],
        ),
        BackRef(
            "",
            "v1",
            "ServiceAccount",
            [
                fs.make("subjects", "RoleBinding", group="rbac.authorization.k8s.io"),
                fs.make("subjects", "ClusterRoleBinding", group="rbac.authorization.k8s.io"),
                *[fs.make(_pod(k) + "serviceAccountName", k) for k in _SA_PODS],
            ],
        ),
        BackRef(
            "",
            "v1",
            "PersistentVolumeClaim",
            [fs.make(_pod(k) + "volumes/persistentVolumeClaim/claimName", k) for k in _SA_PODS],
        ),
        BackRef(
            "",
            "v1",
            "PersistentVolume",
            [
                fs.make("spec/volumeName", "PersistentVolumeClaim"),
                fs.make("rules/resourceNames", "ClusterRole"),
            ],
        ),
        BackRef(
            "storage.k8s.io",
            "v1",
            "StorageClass",
            [
                fs.make("spec/storageClassName", "PersistentVolume"),
                fs.make("spec/storageClassName", "PersistentVolumeClaim"),
                fs.make("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
            ],
        ),
        BackRef(
            "scheduling.k8s.io",
            "v1",
            "PriorityClass",
            [fs.make(_pod(k) + "priorityClassName", k) for k in _SA_PODS],
        ),
        BackRef("networking.k8s.io/v1", "v1", "IngressClass", [fs.make("spec/ingressClassName", "Ingress")]),
    ]


def parse_backrefs(entries: object) -> list[BackRef]:
    """`nameReference:` entries of a configurations file."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            raise RenderError(f"invalid nameReference entry {entry!r}")
        specs = [fs.from_dict(x) for x in entry.get("fieldSpecs") or []]
        out.append(
            BackRef(
                str(entry.get("group") or ""),
                str(entry.get("version") or ""),
                str(entry.get("kind") or ""),
                specs,
            )
        )
    return out


def merge_backrefs(base: list[BackRef], extra: list[BackRef]) -> list[BackRef]:
    """Merge referrer specs into the entry for the same referral GVK, else append (kustomize's MergeAll)."""
    out = [BackRef(b.group, b.version, b.kind, list(b.referrers)) for b in base]
    for e in extra:
        for b in out:
            if (b.group, b.version, b.kind) == (e.group, e.version, e.kind):
                b.referrers = fs.merge(b.referrers, e.referrers)
                break
        else:
            out.append(BackRef(e.group, e.version, e.kind, list(e.referrers)))
    return out


def fix_name_references(resources: list[Resource], backrefs: list[BackRef]) -> None:
    """Update every referrer field that names a renamed referral (kustomize's FixBackReferences)."""
    for referrer in resources:
        org = referrer.org_id
        candidates = None
        for backref in backrefs:
            for spec in backref.referrers:
                if not spec.selects(org.group, org.version, org.kind):
                    continue
                if candidates is None:
                    candidates = _could_be_referenced(resources, referrer)
                _Fixer(referrer, backref, spec, candidates).run()


def _could_be_referenced(resources: list[Resource], referrer: Resource) -> list[Resource]:
    rid = referrer.cur_id
    if is_cluster_scoped(rid.kind):
        return list(resources)
    binding_ns = set()
    if rid.kind in ("RoleBinding", "ClusterRoleBinding"):
        for s in referrer.data.get("subjects") or []:
            if isinstance(s, dict) and isinstance(s.get("namespace"), str):
                binding_ns.add(s["namespace"])
    out = []
    for r in resources:
        cid = r.cur_id
        if is_cluster_scoped(cid.kind) or cid.ns_equals(rid) or cid.namespace in binding_ns:
            out.append(r)
    return out


def _same_ending(a: list[str], b: list[str]) -> bool:
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return not b
    return b[len(b) - len(a) :] == a


class _Fixer:
    def __init__(self, referrer: Resource, backref: BackRef, spec: fs.FieldSpec, candidates: list[Resource]):
        self.referrer = referrer
        self.backref = backref
        self.spec = spec
        self.candidates = candidates

    def run(self) -> None:
        fs.walk(self.referrer.data, self.spec, self._visit)

    def _visit(self, container, key) -> None:
        value = container[key]
        if value is None:
            return
        if isinstance(value, str):
            self._scalar(container, key)
        elif isinstance(value, dict):
            self._mapping(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    self._mapping(item)
                elif isinstance(item, str):
                    self._scalar(value, i)
        elif not isinstance(value, (int, float, bool)):
            raise RenderError("name reference field must be a scalar, sequence or map")

    def _scalar(self, container, key) -> None:
        old = container[key]
        referral = self._select(old, self.candidates, same_ns=False)
        if referral is not None and referral.name != old:
            container[key] = referral.name

    def _mapping(self, node: dict) -> None:
        if "name" not in node:
            raise RenderError(f"path config error; no 'name' field in node at {self.spec.path}")
        kind = node.get("kind")
        if isinstance(kind, str) and kind != self.backref.kind and self.spec.path == "subjects":
            return
        old = node["name"]
        candidates = self.candidates
        ns = node.get("namespace")
        if ns is not None:
            by_org = [r for r in candidates if r.org_id.effective_namespace == ns]
            candidates = by_org or [r for r in candidates if r.cur_id.effective_namespace == ns]
        referral = self._select(old, candidates, same_ns=True)
        if referral is None:
            return
        if referral.name == old and not referral.namespace:
            return
        node["name"] = referral.name
        if referral.namespace:
            node["namespace"] = referral.namespace

    def _select(self, old, candidates: list[Resource], same_ns: bool) -> Resource | None:
        kind_filter = None
        if self.spec.path.endswith("roleRef/name"):
            role_ref = self.referrer.data.get("roleRef")
            kind_filter = role_ref.get("kind") if isinstance(role_ref, dict) else None
        rid = self.referrer.cur_id
        out = []
        for r in candidates:
            ids = r.all_ids()
            if not any(i.name == old for i in ids) and old != r.org_id.name:
                continue
            if not any(self.backref.selects(i) for i in ids):
                continue
            if kind_filter is not None and not any(i.kind == kind_filter for i in ids):
                continue
            if not is_cluster_scoped(rid.kind):
                cid = r.cur_id
                if not (is_cluster_scoped(cid.kind) or cid.kind == "ServiceAccount" or cid.ns_equals(rid)):
                    continue
            out.append(r)
        if len(out) == 1:
            return out[0]
        out = [
            r
            for r in out
            if (
                not r.prefixes
                or not self.referrer.prefixes
                or _same_ending(r.prefixes, self.referrer.prefixes)
            )
            and (
                not r.suffixes
                or not self.referrer.suffixes
                or _same_ending(r.suffixes, self.referrer.suffixes)
            )
        ]
        if len(out) == 1:
            return out[0]
        if not out:
            return None
        first = out[0]
        if all(r.name == first.name and (not same_ns or r.namespace == first.namespace) for r in out):
            return first
        ids = ", ".join(str(r.cur_id) for r in out)
        raise RenderError(
            f"found multiple possible referrals for {self.referrer.cur_id} at {self.spec.path}: {ids}"
        )
