"""AppProject permissions (Argo CD semantics) and the resource kinds an application's path deploys.

- sourceRepos: glob where `*` stays within a `/` segment and `**` crosses them; `!pattern` denies.
  A source is allowed when some allow rule matches and no deny rule rejects it.
- destinations: server/name/namespace globs (`*` matches anything), `!` negation as above. A
  destination given only by cluster `name` cannot be compared with a `server` pattern (and vice
  versa) without the cluster secrets, so such comparisons are "unknown" and never reported.
- cluster-scoped kinds need an entry in clusterResourceWhitelist; namespaced kinds are allowed unless
  namespaceResourceWhitelist is set and lacks them; either blacklist denies.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from functools import lru_cache

from gitops_lint.argo.appset import files_under

IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
IN_CLUSTER_NAME = "in-cluster"

CLUSTER_SCOPED = {
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("policy", "PodSecurityPolicy"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("cert-manager.io", "ClusterIssuer"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("external-secrets.io", "ClusterExternalSecret"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("kyverno.io", "ClusterPolicy"),
    ("constraints.gatekeeper.sh", "*"),
    ("templates.gatekeeper.sh", "ConstraintTemplate"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("policy.networking.k8s.io", "AdminNetworkPolicy"),
    ("policy.networking.k8s.io", "BaselineAdminNetworkPolicy"),
    ("resource.k8s.io", "DeviceClass"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("karpenter.sh", "NodePool"),
    ("karpenter.k8s.aws", "EC2NodeClass"),
}


@lru_cache(maxsize=1024)
def _segment_glob(pattern: str) -> re.Pattern:
    """gobwas/glob with `/` as separator: `*` within a segment, `**` across, `?`, `[...]`, `{a,b}`."""
    out, i, depth = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
            continue
        if c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
        i += 1
    try:
        return re.compile("^" + "".join(out) + ("" if not depth else ")" * depth) + "$")
    except re.error:
        return re.compile("^.*$")  # a pattern we cannot read never causes a finding


def _glob(pattern: str, value: str, segments: bool = False) -> bool:
    if pattern == "*":
        return True
    if segments:
        return bool(_segment_glob(pattern).match(value))
    return fnmatch.fnmatchcase(value, pattern)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str:
    """A string field; anything else (a hand-written object may hold any type) counts as unset."""
    return value if isinstance(value, str) else ""


def _negated(pattern) -> bool:
    return isinstance(pattern, str) and pattern.startswith("!")


def source_permitted(project: dict, repo_url: str, normalize) -> bool:
    """Argo CD's IsSourcePermitted (URLs compared in normalised form)."""
    src = normalize(repo_url)
    allowed = False
    for raw in _list(project.get("sourceRepos")):
        if not isinstance(raw, str):
            continue
        if _negated(raw):
            if _glob(normalize(raw[1:]), src, True):
                return False
            allowed = True  # as in Argo CD: a deny rule that does not match counts as a match
        elif raw == "*" or _glob(normalize(raw), src, True):
            allowed = True
    return allowed


def destination_permitted(project: dict, dest: dict) -> bool | None:
    """Argo CD's destination check: True, False, or None when a name/server mismatch makes it unknowable."""
    server, name = _text(dest.get("server")), _text(dest.get("name"))
    if server == IN_CLUSTER_SERVER and not name:
        name = IN_CLUSTER_NAME
    if name == IN_CLUSTER_NAME and not server:
        server = IN_CLUSTER_SERVER
    namespace = _text(dest.get("namespace"))
    matched, unknown = False, False
    for item in _list(project.get("destinations")):
        if not isinstance(item, dict):
            continue
        cluster = _cluster_match(item, server, name)
        ns_pattern = _text(item.get("namespace"))
        ns = _deny_aware(ns_pattern, namespace)
        if cluster is True and ns:
            matched = True
        elif _denies(item, cluster, ns):
            return False
        elif cluster is None and ns:
            unknown = True
    if matched:
        return True
    return None if unknown else False


def _deny_aware(pattern: str, value: str) -> bool:
    if _negated(pattern):
        return not _glob(pattern[1:], value)
    return _glob(pattern, value)


def _cluster_match(item: dict, server: str, name: str) -> bool | None:
    results = []
    item_server, item_name = _text(item.get("server")), _text(item.get("name"))
    if item_server:
        results.append(_deny_aware(item_server, server) if server else (True if item_server == "*" else None))
    if item_name:
        results.append(_deny_aware(item_name, name) if name else (True if item_name == "*" else None))
    if not results:
        return False
    if True in results:
        return True
    return None if None in results else False


def _denies(item: dict, cluster: bool | None, ns_ok: bool) -> bool:
    """A failed deny rule (`!pattern`) rejects the destination outright."""
    if not ns_ok and _negated(item.get("namespace")):
        return True
    return cluster is False and (_negated(item.get("server")) or _negated(item.get("name")))


def _in_list(entries, group: str, kind: str) -> bool:
    for e in _list(entries):
        if (
            isinstance(e, dict)
            and _glob(str(e.get("group", "")), group)
            and _glob(str(e.get("kind", "")), kind)
        ):
            return True
    return False


def kind_permitted(project: dict, group: str, kind: str, cluster_scoped: bool) -> str | None:
    """None when allowed, else which list refuses it."""
    if cluster_scoped:
        if _in_list(project.get("clusterResourceBlacklist"), group, kind):
            return "clusterResourceBlacklist"
        if not _in_list(project.get("clusterResourceWhitelist"), group, kind):
            return "clusterResourceWhitelist"
        return None
    if _in_list(project.get("namespaceResourceBlacklist"), group, kind):
        return "namespaceResourceBlacklist"
    whitelist = project.get("namespaceResourceWhitelist")
    if whitelist and not _in_list(whitelist, group, kind):
        return "namespaceResourceWhitelist"
    return None


def crd_scopes(repo) -> dict[tuple[str, str], bool]:
    """(group, kind) → cluster-scoped, for CustomResourceDefinitions defined in the repo."""
    scopes = {}
    for doc in repo.objects("CustomResourceDefinition"):
        group, kind = doc.get("spec", "group"), doc.get("spec", "names", "kind")
        if isinstance(group, str) and isinstance(kind, str):
            scopes[(group, kind)] = doc.get("spec", "scope") == "Cluster"
    return scopes


def is_cluster_scoped(group: str, kind: str, crds: dict) -> bool | None:
    """Scope of a kind: from the repo's CRDs, the built-in list, else None (unknown custom resource)."""
    if (group, kind) in crds:
        return crds[(group, kind)]
    if (group, kind) in CLUSTER_SCOPED or (group, "*") in CLUSTER_SCOPED:
        return True
    if "." not in group or group.endswith(".k8s.io"):
        return False  # Kubernetes' own API groups: everything else there is namespaced
    return None


def refusal(project: dict, group: str, kind: str, cluster: bool | None) -> tuple[str, str] | None:
    """(scope, refusing list) when the project refuses the kind; an unknown scope must fail both ways."""
    if cluster is None:
        as_cluster = kind_permitted(project, group, kind, True)
        as_namespaced = kind_permitted(project, group, kind, False)
        if as_cluster and as_namespaced:
            return "custom", f"{as_namespaced} and {as_cluster}"
        return None
    refused = kind_permitted(project, group, kind, cluster)
    return ("cluster-scoped" if cluster else "namespaced", refused) if refused else None


def restricts_kinds(project: dict) -> bool:
    """Whether the project's resource lists can refuse any kind at all (else kinds need not be computed)."""
    if any(
        project.get(k)
        for k in ("namespaceResourceWhitelist", "namespaceResourceBlacklist", "clusterResourceBlacklist")
    ):
        return True
    return not _in_list(project.get("clusterResourceWhitelist"), "*", "*")


def path_kinds(
    repo, directory: str, recurse: bool = False, render: bool = True
) -> list[tuple[str, str, str]]:
    """(group, kind, file) of the resources a source directory deploys.

    A kustomization root is rendered (with `render`) when the renderer can build it; otherwise (and for plain
    directories) the kinds come from the manifests themselves: the resource files of the
    kustomization closure (patches excluded) plus the ConfigMaps/Secrets its generators make, or a
    plain directory's own YAML files (recursively with `directory.recurse`). Helm charts yield nothing.
    """
    if directory in repo.kustomizations:
        rendered = _rendered_kinds(repo, directory) if render else None
        return rendered if rendered is not None else _static_kinds(repo, directory)
    if repo.tree.is_file(posixpath.join(directory, "Chart.yaml")):
        return []
    return _document_kinds(repo, _yaml_files(repo, directory, recurse))


def path_namespaces(repo, directory: str, recurse: bool = False) -> list[tuple[str, str, str | None]] | None:
    """(group, kind, metadata.namespace) of each object a source directory deploys; None when unknown
    (a Helm chart, or a kustomization that does not build)."""
    if directory in repo.kustomizations:
        result = repo.rendered.root(directory)
        datas = [o.data for o in result.objects] if result.ok else None
    elif repo.tree.is_file(posixpath.join(directory, "Chart.yaml")):
        datas = None
    else:
        parsed = [repo.parsed(f) for f in _yaml_files(repo, directory, recurse)]
        datas = [d.data for p in parsed if p for d in p.documents if d.kind and d.api_version]
    if datas is None:
        return None
    out = []
    for data in datas:
        api, meta = data.get("apiVersion"), data.get("metadata")
        namespace = meta.get("namespace") if isinstance(meta, dict) else None
        out.append((str(api).rpartition("/")[0], str(data.get("kind")), namespace if isinstance(namespace, str)
                    and namespace else None))
    return out


def _rendered_kinds(repo, directory: str) -> list[tuple[str, str, str]] | None:
    result = repo.rendered.root(directory)
    if not result.ok:
        return None
    out = []
    for obj in result.objects:
        api, kind = obj.data.get("apiVersion"), obj.data.get("kind")
        if isinstance(api, str) and isinstance(kind, str):
            out.append((api.rpartition("/")[0], kind, obj.source))
    return out


def _static_kinds(repo, directory: str) -> list[tuple[str, str, str]]:
    files: list[str] = []
    out: list[tuple[str, str, str]] = []
    for kdir in repo.reachable_kustomizations(directory):
        k = repo.kustomizations[kdir]
        for r in k.refs("resources", "bases", "crds"):
            if r.target is None or r.target in repo.kustomizations:
                continue
            files.extend([r.target] if repo.tree.is_file(r.target) else _yaml_files(repo, r.target, True))
        for generator, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            if k.data.get(generator):
                out.append(("", kind, k.path))
    return out + _document_kinds(repo, files)


def _document_kinds(repo, files: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for path in dict.fromkeys(files):
        parsed = repo.parsed(path)
        for doc in parsed.documents if parsed else []:
            if doc.kind and doc.api_version and doc.group != "kustomize.config.k8s.io":
                out.append((doc.group, doc.kind, doc.path))
    return out


def _yaml_files(repo, directory: str, recurse: bool) -> list[str]:
    prefix = directory + "/" if directory else ""
    return [
        f
        for f in files_under(repo, directory)
        if f.endswith((".yaml", ".yml")) and (recurse or "/" not in f[len(prefix) :])
    ]
