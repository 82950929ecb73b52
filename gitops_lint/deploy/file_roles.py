"""The one answer to "is this file a deployed manifest, and why?", for every rule and for `explain-file`.

`gitops_lint.model.file_roles` classifies files from the repository alone (templates, fixtures, tool
configs, values files, patches, generator inputs, dot-directories, commented-out kustomizations).
Here the remaining manifests meet the operators: deployed by a kustomization root, an Argo CD or Flux
path or a Skaffold config; else an orphan (GL105) where the deployers are known; else a manifest
that may be applied directly (repositories without an operator, or with a source nothing resolves).
"""

from __future__ import annotations

from gitops_lint.deploy.deployed_files import BOOTSTRAP_KINDS, Deployment
from gitops_lint.model.file_roles import FileRole, Role, file_roles, static_role

OPERATOR_GROUP_SUFFIX = "fluxcd.io"


def explain(repo, path: str) -> FileRole:
    """The role of one file, with the reason (for files the repository did not parse: static only)."""
    role = deployment_roles(repo).get(path)
    if role is None and path not in repo.parsed_files:
        return FileRole(Role.NOT_DEPLOYED, "not a YAML file the repository index reads (another file type, a "
                        "Helm chart template, or excluded by the config): no manifest rule judges it")
    return role or static_role(repo, path)


def judged(repo, path: str) -> bool:
    """Whether rules that judge deployed manifests look at `path`."""
    return explain(repo, path).judged


def deployment_roles(repo) -> dict[str, FileRole]:
    """Path → final role of every parsed file (built once per run)."""
    return repo.derived(_build)


def _build(repo) -> dict[str, FileRole]:
    deployment = Deployment(repo)
    out = {}
    for path, role in file_roles(repo).items():
        out[path] = _decide(repo, deployment, path, role)
    return out


def _decide(repo, deployment: Deployment, path: str, role: FileRole) -> FileRole:
    if role.role not in (Role.MANIFEST, Role.NOT_DEPLOYED):
        return role
    if role.reason == "a kustomization":
        included = path.rsplit("/", 1)[0] if "/" in path else ""
        deployed = deployment.deployed_kustomizations
        if deployed is not None and included not in deployed:
            if included in repo.included_kustomizations:
                return FileRole(Role.NOT_DEPLOYED, "a kustomization that only undeployed kustomizations include")
            return FileRole(Role.NOT_DEPLOYED, "a kustomization root that no Argo CD Application, Flux "
                            "Kustomization or Skaffold config deploys", orphan=True, root=True)
        if included in repo.included_kustomizations:
            return FileRole(Role.DEPLOYED, "a kustomization that another kustomization includes")
        return FileRole(Role.DEPLOYED, "a kustomization root (built on its own)")
    if role.role == Role.NOT_DEPLOYED and not role.orphan:
        by = deployment.deployed_by(path)  # a dot-directory or commented-out kustomization an operator syncs
        return FileRole(Role.DEPLOYED, f"deployed by {by}") if by else role
    by = deployment.deployed_by(path)
    if by is not None:
        return FileRole(Role.DEPLOYED, f"deployed by {by}")
    if role.orphan:
        return role
    reader = deployment.undeployed_reader(path)
    if reader is not None:
        return FileRole(Role.NOT_DEPLOYED, f"read only by {reader}, which nothing deploys")
    if _operator_objects_only(repo, path):
        return FileRole(Role.MANIFEST, "operator objects (Argo CD/Flux) applied directly, as a bootstrap")
    if not deployment.has_operator:
        return FileRole(Role.MANIFEST, "no Argo CD or Flux object here: a manifest that may be applied directly")
    if not deployment.complete:
        return FileRole(Role.MANIFEST, "some operator source cannot be resolved: it may deploy this manifest")
    return FileRole(Role.NOT_DEPLOYED, "no kustomization, Argo CD Application or Flux Kustomization deploys it",
                    orphan=True)


def _operator_objects_only(repo, path: str) -> bool:
    parsed = repo.parsed(path)
    docs = [d for d in parsed.documents if isinstance(d.data, dict)] if parsed is not None else []
    return bool(docs) and all(
        (d.group, d.kind) in BOOTSTRAP_KINDS or (d.group or "").endswith(OPERATOR_GROUP_SUFFIX) for d in docs
    )
