"""kustomize's built-in transformer configuration: the default field specs of each transformer
(labels, annotations, images, replicas, namespace, name prefix/suffix), the nameReference table
(which fields hold the name of which kind) and the varReference fields where `$(VAR)` is substituted.

Data tables restated from kustomize v5.5; `default_config()` assembles them for a build.
"""

from __future__ import annotations

import functools

from gitops_lint.render import fieldspec as fs
from gitops_lint.render.namereference import BackRef


def _kinds(path: str, kinds: str, create: bool = True, **gvk: str) -> list[fs.FieldSpec]:
    return [fs.make(path, k, create=create, **gvk) for k in kinds.split()]


# metadataLabelsFieldSpecs
_TEMPLATE_LABELS = [
    fs.make("metadata/labels", create=True),
    fs.make("spec/template/metadata/labels", "ReplicationController", version="v1", create=True),
    *_kinds("spec/template/metadata/labels", "Deployment ReplicaSet DaemonSet"),
    fs.make("spec/template/metadata/labels", "StatefulSet", group="apps", create=True),
    fs.make("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", group="apps", create=True),
    fs.make("spec/template/metadata/labels", "Job", group="batch", create=True),
    fs.make("spec/jobTemplate/metadata/labels", "CronJob", group="batch", create=True),
    fs.make("spec/jobTemplate/spec/template/metadata/labels", "CronJob", group="batch", create=True),
]

_AFFINITY = [
    f"spec/template/spec/affinity/{a}/{p}/labelSelector/matchLabels"
    for a in ("podAffinity", "podAntiAffinity")
    for p in (
        "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm",
        "requiredDuringSchedulingIgnoredDuringExecution",
    )
] + ["spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"]

_SELECTORS = [
    fs.make("spec/selector", "Service", version="v1", create=True),
    fs.make("spec/selector", "ReplicationController", version="v1", create=True),
    fs.make("spec/selector/matchLabels", "Deployment", create=True),
    *[fs.make(p, "Deployment", group="apps") for p in _AFFINITY],
    fs.make("spec/selector/matchLabels", "ReplicaSet", create=True),
    fs.make("spec/selector/matchLabels", "DaemonSet", create=True),
    fs.make("spec/selector/matchLabels", "StatefulSet", group="apps", create=True),
    fs.make("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", group="apps", create=True),
    *[fs.make(p, "StatefulSet", group="apps") for p in _AFFINITY],
    fs.make("spec/selector/matchLabels", "Job", group="batch"),
    fs.make("spec/jobTemplate/spec/selector/matchLabels", "CronJob", group="batch"),
    fs.make("spec/selector/matchLabels", "PodDisruptionBudget", group="policy"),
    fs.make("spec/podSelector/matchLabels", "NetworkPolicy", group="networking.k8s.io"),
    fs.make("spec/ingress/from/podSelector/matchLabels", "NetworkPolicy", group="networking.k8s.io"),
    fs.make("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", group="networking.k8s.io"),
]

_ANNOTATIONS = [
    fs.make("metadata/annotations", create=True),
    fs.make("spec/template/metadata/annotations", "ReplicationController", version="v1", create=True),
    *_kinds("spec/template/metadata/annotations", "Deployment ReplicaSet DaemonSet"),
    fs.make("spec/template/metadata/annotations", "StatefulSet", group="apps", create=True),
    fs.make("spec/template/metadata/annotations", "Job", group="batch", create=True),
    fs.make("spec/jobTemplate/metadata/annotations", "CronJob", group="batch", create=True),
    fs.make("spec/jobTemplate/spec/template/metadata/annotations", "CronJob", group="batch", create=True),
]

_IMAGES = [
    fs.make("spec/containers[]/image"),
    fs.make("spec/initContainers[]/image"),
    fs.make("spec/template/spec/containers[]/image"),
    fs.make("spec/template/spec/initContainers[]/image"),
]

_REPLICAS = _kinds("spec/replicas", "Deployment ReplicationController ReplicaSet StatefulSet")

_NAMESPACE = [
    fs.make("metadata/namespace", create=True),
    fs.make("metadata/name", "Namespace", create=True),
    fs.make("subjects[]/namespace", "RoleBinding"),
    fs.make("subjects[]/namespace", "ClusterRoleBinding"),
    fs.make("spec/service/namespace", "APIService", group="apiregistration.k8s.io", create=True),
    fs.make(
        "spec/conversion/webhook/clientConfig/service/namespace",
        "CustomResourceDefinition",
        group="apiextensions.k8s.io",
    ),
]


def default_config() -> dict[str, list]:
    """kustomize's default transformer configuration. The dict is fresh; the lists are shared and
    must never be mutated in place (merging builds new lists)."""
    return dict(_default_config())


@functools.lru_cache(maxsize=1)
def _default_config() -> dict[str, list]:
    return {
        "commonLabels": [*_TEMPLATE_LABELS[:1], *_SELECTORS, *_TEMPLATE_LABELS[1:]],
        "templateLabels": list(_TEMPLATE_LABELS),
        "commonAnnotations": list(_ANNOTATIONS),
        "namePrefix": [fs.make("metadata/name")],
        "nameSuffix": [fs.make("metadata/name")],
        "namespace": list(_NAMESPACE),
        "images": list(_IMAGES),
        "replicas": list(_REPLICAS),
        "varReference": [],
        "nameReference": default_name_references(),
    }


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


_CONTAINER_FIELDS = ("args", "command", "env/value", "volumeMounts/mountPath")


def _var_pod_specs(kind: str, pod: str, volumes: str) -> list:
    specs = [
        fs.make(f"{pod}/{containers}/{field}", kind)
        for containers in ("containers", "initContainers")
        for field in _CONTAINER_FIELDS
    ]
    return [*specs, fs.make(f"{volumes}/volumes/nfs/server", kind)]


def default_var_references() -> list:
    """kustomize's built-in varReference field specs (where `$(VAR)` is substituted)."""
    return [
        # kustomize's CronJob nfs path lacks the pod template's /spec; restated as it is
        *_var_pod_specs("CronJob", "spec/jobTemplate/spec/template/spec", "spec/jobTemplate/spec/template"),
        *_var_pod_specs("DaemonSet", "spec/template/spec", "spec/template/spec"),
        *_var_pod_specs("Deployment", "spec/template/spec", "spec/template/spec"),
        fs.make("spec/template/metadata/annotations", "Deployment"),
        fs.make("spec/rules/host", "Ingress"),
        fs.make("spec/tls/hosts", "Ingress"),
        fs.make("spec/tls/secretName", "Ingress"),
        *_var_pod_specs("Job", "spec/template/spec", "spec/template/spec"),
        *_var_pod_specs("Pod", "spec", "spec"),
        *_var_pod_specs("ReplicaSet", "spec/template/spec", "spec/template/spec"),
        fs.make("spec/ports/port", "Service"),
        fs.make("spec/ports/targetPort", "Service"),
        *_var_pod_specs("StatefulSet", "spec/template/spec", "spec/template/spec")[:-1],
        fs.make("spec/volumeClaimTemplates/spec/nfs/server", "StatefulSet"),
        fs.make("spec/nfs/server", "PersistentVolume"),
        fs.make("metadata/labels"),
        fs.make("metadata/annotations"),
    ]
