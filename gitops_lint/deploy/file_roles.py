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
    deployed_by: dict[str, FileRole] = {}  # "deployed by X" → its role: a handful of readers deploy most files
    return {path: _decide(repo, deployment, path, role, deployed_by) for path, role in file_roles(repo).items()}


_UNDEPLOYED_INCLUDE = FileRole(Role.NOT_DEPLOYED, "a kustomization that only undeployed kustomizations include")
_UNDEPLOYED_ROOT = FileRole(Role.NOT_DEPLOYED, "a kustomization root that no Argo CD Application, Flux "
                            "Kustomization or Skaffold config deploys", orphan=True, root=True)
_INCLUDED = FileRole(Role.DEPLOYED, "a kustomization that another kustomization includes")
_ROOT = FileRole(Role.DEPLOYED, "a kustomization root (built on its own)")
_BOOTSTRAP = FileRole(Role.MANIFEST, "operator objects (Argo CD/Flux) applied directly, as a bootstrap")
_NO_OPERATOR = FileRole(Role.MANIFEST, "no Argo CD or Flux object here: a manifest that may be applied directly")
_INCOMPLETE = FileRole(Role.MANIFEST, "some operator source cannot be resolved: it may deploy this manifest")
_ORPHAN = FileRole(Role.NOT_DEPLOYED, "no kustomization, Argo CD Application or Flux Kustomization deploys it",
                   orphan=True)


def _decide(repo, deployment: Deployment, path: str, role: FileRole, deployed_by: dict[str, FileRole]) -> FileRole:
    if role.role not in (Role.MANIFEST, Role.NOT_DEPLOYED):
        return role
    if role.reason == "a kustomization":
        included = path.rsplit("/", 1)[0] if "/" in path else ""
        deployed = deployment.deployed_kustomizations
        if deployed is not None and included not in deployed:
            return _UNDEPLOYED_INCLUDE if included in repo.included_kustomizations else _UNDEPLOYED_ROOT
        return _INCLUDED if included in repo.included_kustomizations else _ROOT
    by = deployment.deployed_by(path)
    if by is not None:
        return _deployed(by, deployed_by)
    if role.role == Role.NOT_DEPLOYED or role.orphan:
        return role  # a dot-directory, a commented-out kustomization, a file its kustomization leaves out
    reader = deployment.undeployed_reader(path)
    if reader is not None:
        return FileRole(Role.NOT_DEPLOYED, f"read only by {reader}, which nothing deploys")
    if _operator_objects_only(repo, path):
        return _BOOTSTRAP
    if not deployment.has_operator:
        return _NO_OPERATOR
    if not deployment.complete:
        return _INCOMPLETE
    return _ORPHAN


def _deployed(by: str, known: dict[str, FileRole]) -> FileRole:
    """The role of a file `by` deploys (one shared instance per reader within a build)."""
    role = known.get(by)
    if role is None:
        role = known[by] = FileRole(Role.DEPLOYED, f"deployed by {by}")
    return role


def _operator_objects_only(repo, path: str) -> bool:
    parsed = repo.parsed(path)
    found = False
    for doc in parsed.documents if parsed is not None else ():
        if isinstance(doc.data, dict):
            if not _operator_object(doc.data):
                return False
            found = True
    return found


def _operator_object(data: dict) -> bool:
    """An Argo CD Application/AppProject/ApplicationSet or a Flux object (fields read as `Document` does)."""
    api, kind = data.get("apiVersion"), data.get("kind")
    group = api.rpartition("/")[0] if isinstance(api, str) else ""
    return (group, kind if isinstance(kind, str) else "") in BOOTSTRAP_KINDS or group.endswith(OPERATOR_GROUP_SUFFIX)
