"""Which files something actually deploys: kustomization roots, Argo CD source paths, Flux paths.

Used by GL105 (orphan manifests). Argo CD and Flux objects are read through the shared indexes
(`argo_model`, `flux_model`), which decide whether a source is this repository and expand templates
and ArtifactGenerators. Where they cannot tell, a path that exists here still counts (erring towards
"deployed" keeps orphan findings precise); a source whose directory cannot be told at all marks the
picture incomplete. A Flux path without a kustomization file deploys every manifest below it,
recursively. Argo CD Applications inside Helm chart templates (app of apps) are read from their text.
Skaffold configs' rawYaml/kubectl manifest globs also count (a common way to apply plain manifests
beside a kustomization).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from gitops_lint.argo.model import argo_index
from gitops_lint.core.source import base_name, parent_dirs, parent_of, source_relative
from gitops_lint.deploy.skaffold import skaffold_kustomize_paths, skaffold_manifest_globs
from gitops_lint.flux.artifact_roots import ARTIFACT_KINDS, artifact_root
from gitops_lint.flux.model import BOOTSTRAP, KUSTOMIZATION, flux_index
from gitops_lint.model.file_roles import skipped_root, unapplied_files
from gitops_lint.model.repository import helm_template_dirs

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}")  # Go/Helm templates and Flux substitutions
_APP_KIND = re.compile(r"^\s*kind:\s*['\"]?Application(Set)?['\"]?\s*$", re.MULTILINE)
_PATH_LINE = re.compile(r"^\s*path:\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class OperatorPath:
    """A directory an operator deploys from, and whether it descends into subdirectories."""

    dir: str
    recursive: bool
    by: str  # e.g. "Application/web" for messages
    resolved: bool = True  # False: a source whose directory cannot be told (a template nothing expands)


def _unresolved(by: str) -> OperatorPath:
    return OperatorPath("", False, by, resolved=False)


def _templated(repo, pattern: str, by: str) -> Iterator[OperatorPath]:
    """Directories matching a path whose templated parts (`{{…}}`, `${…}`) are read as `*`."""
    dirs = _glob_dirs(repo, _TEMPLATE.sub("*", pattern))
    yield from (OperatorPath(d, True, by) for d in dirs) if dirs else [_unresolved(by)]


def _glob_dirs(repo, pattern: str) -> list[str]:
    pattern = re.sub(r"^(?:\./|/)+", "", pattern.strip()).rstrip("/")
    if not pattern.strip("*/"):
        return []  # a fully templated path: every directory would match, which says nothing
    return [d for d in _all_dirs(repo) if fnmatch.fnmatchcase(d, pattern)]


def _all_dirs(repo) -> list[str]:
    return sorted(d for d in repo.tree._dirs() if d)


# -- Argo CD --------------------------------------------------------------------------------------
def _argo_paths(repo) -> Iterator[OperatorPath]:
    """Source paths of Applications and ApplicationSet templates, through the shared Argo CD index.

    Where the index cannot tell that a source is this repository, or cannot expand a template, the
    path is still taken when it exists here (templated parts matched as globs): for orphan detection,
    erring towards "deployed" keeps findings precise.
    """
    index = argo_index(repo)
    for app in index.apps:
        for source in app.sources:
            if source.chart or source.path is None:
                continue
            local = index.local_paths(app, source)
            if local:
                for d in local:
                    yield OperatorPath(d, source.recurse, app.label)
            elif _TEMPLATE.search(source.path):
                yield from _templated(repo, source.path, app.label)
            else:
                clean = source_relative(source.path)
                if clean is not None:
                    yield OperatorPath(clean, source.recurse, app.label)


# -- Flux -----------------------------------------------------------------------------------------
def _flux_paths(repo) -> Iterator[OperatorPath]:
    """Kustomization paths as the shared Flux index resolves them (sources, branches, ArtifactGenerators).

    Where the index cannot tell (another repository's source, a `${VAR}` path), a path that exists here
    still counts, erring towards "deployed"; another source's root never stands for this repository's.
    """
    index = flux_index(repo)
    for ks in index.of_kind(KUSTOMIZATION):
        resolution = index.resolve(ks)
        if resolution.checkable:
            yield from (OperatorPath(d, True, ks.label) for d in resolution.dirs)
            continue  # a path that does not exist deploys nothing (GL502 reports it)
        path = ks.spec.get("path")
        path = path if isinstance(path, str) else "./"
        ref = ks.spec.get("sourceRef")
        kind = (ref.get("kind") if isinstance(ref, dict) else None) or "GitRepository"
        clean = source_relative(path)
        if _TEMPLATE.search(path):
            yield from _templated(repo, path, ks.label)  # substituted by a parent Kustomization's postBuild
        elif kind == "ExternalArtifact":
            yield _unresolved(ks.label)  # content copied from sources the index cannot see
        elif clean:
            yield OperatorPath(clean, True, ks.label)
    yield from _flux_instance_paths(repo, index)


def _flux_instance_paths(repo, index) -> Iterator[OperatorPath]:
    """`spec.sync.path` of Flux Operator FluxInstances: the source `flux-system` they create, read from this
    repository's tree (an OCI/Bucket artifact from the root the children's paths reveal)."""
    for doc in repo.objects("fluxcd.controlplane.io/FluxInstance"):
        sync = doc.get("spec", "sync")
        if not isinstance(sync, dict) or not isinstance(sync.get("path"), str):
            continue
        kind = sync.get("kind") if isinstance(sync.get("kind"), str) else "GitRepository"
        clean = source_relative(sync["path"])
        if clean is None:
            continue
        root = artifact_root(index, kind, BOOTSTRAP, BOOTSTRAP) if kind in ARTIFACT_KINDS else ""
        directory = posixpath.join(root, clean) if root and clean != "." else (root or clean)
        if repo.tree.is_dir(directory):
            yield OperatorPath(directory, True, f"FluxInstance/{doc.name}")


# -- Applications inside Helm chart templates (app of apps) ---------------------------------------------
def _chart_template_paths(repo) -> Iterator[OperatorPath]:
    """`path:` values of Argo CD Applications written as Helm templates (never parsed as YAML)."""
    for template_dir in helm_template_dirs(repo.files):
        for f in (f for f in repo.files if f.startswith(template_dir + "/")):
            text = repo.text(f)
            if not text or not _APP_KIND.search(text):
                continue
            for match in _PATH_LINE.finditer(text):
                value = match.group(1).strip("'\"")
                if _TEMPLATE.search(value):
                    yield from _templated(repo, value, f)
                elif (clean := source_relative(value)) is not None:
                    yield OperatorPath(clean, True, f)


# -- what counts as a manifest ------------------------------------------------------------------
BOOTSTRAP_KINDS = {
    ("argoproj.io", "Application"),
    ("argoproj.io", "AppProject"),
    ("argoproj.io", "ApplicationSet"),
}
CONFIG_GROUPS = (
    "kustomize.config.k8s.io",
    "config.kubernetes.io",
    "kpt.dev",
    "fn.kpt.dev",
    "skaffold",
    "kind.x-k8s.io",
    "ctlptl.dev",
    "builtin",
)


def is_manifest(doc, ignored_groups: tuple[str, ...]) -> bool:
    """A Kubernetes object (not an operator bootstrap object, kustomize config or plugin config)."""
    data = doc.data
    if not isinstance(data, dict) or not doc.kind or not doc.api_version or not doc.name:
        return False
    group = doc.group or doc.api_version
    if (doc.group, doc.kind) in BOOTSTRAP_KINDS or group.endswith("fluxcd.io"):
        return False
    if any(group == g or group.startswith(g) or doc.api_version.startswith(g) for g in ignored_groups):
        return False
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    functions = ("config.kubernetes.io/function", "config.k8s.io/function")  # KRM function configuration
    return not (isinstance(annotations, dict) and any(k in annotations for k in functions))


# -- the deployed set -------------------------------------------------------------------------------
class Deployment:
    """Answers "does anything deploy this file?" for one repository."""

    def __init__(self, repo):
        self.repo = repo
        self._directory_readers: dict[str, str | None] = {}  # directory → what deploys files by their place there

    @cached_property
    def _chart_paths(self) -> list[OperatorPath]:
        return list(_chart_template_paths(self.repo))

    @cached_property
    def _all_paths(self) -> list[OperatorPath]:
        return [*_argo_paths(self.repo), *_flux_paths(self.repo), *self._chart_paths]

    @cached_property
    def operator_paths(self) -> list[OperatorPath]:
        """Directories Argo CD and Flux deploy from that exist in this repository."""
        return [p for p in self._all_paths if p.resolved and self.repo.tree.is_dir(p.dir)]

    @cached_property
    def has_operator(self) -> bool:
        """Whether any Argo CD or Flux object in the repository deploys from Git."""
        unapplied = unapplied_files(self.repo)  # fixtures, templates, commented-out apps deploy nothing
        objects = self.repo.objects(
            "argoproj.io/Application",
            "argoproj.io/ApplicationSet",
            "kustomize.toolkit.fluxcd.io/Kustomization",
        )
        return any(o.path not in unapplied for o in objects) or bool(self._chart_paths)

    @cached_property
    def complete(self) -> bool:
        """False when some operator source's directory cannot be told: then anything may be deployed."""
        return all(p.resolved for p in self._all_paths)

    @cached_property
    def _live_kustomizations(self) -> list:
        """Kustomizations that can deploy something: not fixtures, templates, tool configs, nor in a
        dot-directory or commented out of their parent."""
        deployed = self.deployed_kustomizations
        return [
            k for d, k in self.repo.kustomizations.items()
            if not skipped_root(self.repo, d) and (deployed is None or d in deployed)
        ]

    @cached_property
    def deployed_kustomizations(self) -> set[str] | None:
        """Kustomization directories an operator (or Skaffold) builds, with everything they include; None
        when that cannot be told (no operator here, or a source nothing resolves): then every one counts."""
        if not self.has_operator or not self.complete:
            return None
        kustomizations = self.repo.kustomizations
        starts: set[str] = set(skaffold_kustomize_paths(self.repo))
        # `flux bootstrap --path=X` writes X/flux-system and syncs X (its gotk-sync.yaml is often not committed)
        bootstrap = {parent_of(d) for d in kustomizations if base_name(d) == "flux-system"}
        for directory in [p.dir for p in self.operator_paths] + sorted(bootstrap):
            if directory in kustomizations:
                starts.add(directory)
                continue
            prefix = directory + "/" if directory else ""
            for d in kustomizations:  # Flux generates a kustomization listing the top-most ones below
                if d.startswith(prefix) and not _has_kustomization_between(d, directory, kustomizations):
                    starts.add(d)
        deployed: set[str] = set()
        for start in sorted(starts):
            self.repo.reachable_kustomizations(start, deployed)
        # a root is left out only where the operators look (below a deployed kustomization or an operator's
        # path); elsewhere it may be applied by other means (kubectl apply -k), as before
        enclosing = deployed | {p.dir for p in self.operator_paths} | bootstrap
        for d in sorted(kustomizations):
            if d not in deployed and d not in self.repo.included_kustomizations and not _below(d, enclosing):
                self.repo.reachable_kustomizations(d, deployed)
        return deployed

    def undeployed_reader(self, path: str) -> str | None:
        """A kustomization that reads `path` although nothing deploys it (None when none does)."""
        return self._undeployed_reads.get(path)

    @cached_property
    def _undeployed_reads(self) -> dict[str, str]:
        deployed = self.deployed_kustomizations
        reads: dict[str, str] = {}
        if deployed is None:
            return reads
        for d, k in sorted(self.repo.kustomizations.items()):
            if d in deployed or skipped_root(self.repo, d):
                continue
            reads.setdefault(k.path, k.path)
            for f in self.repo.files_read_by(d):
                reads.setdefault(f, k.path)
        return reads

    @cached_property
    def _read_files(self) -> set[str]:
        """Every file some kustomization reads directly (their own files, resources, patches…)."""
        read: set[str] = set()
        dirs = self.repo.tree._dirs()  # directory → names in it: `tree.is_file`, without a call per reference
        for k in self._live_kustomizations:
            read.add(k.path)
            for r in k.references:
                if r.target is not None and r.target not in dirs:
                    parent, _, name = r.target.rpartition("/")
                    if name in dirs.get(parent, ()):
                        read.add(r.target)
        return read

    @cached_property
    def _read_dirs(self) -> set[str]:
        """Plain directories (no kustomization) listed as resources: everything below is read."""
        return {
            r.target
            for k in self._live_kustomizations
            for r in k.references
            if r.target is not None
            and r.target not in self.repo.kustomizations
            and self.repo.tree.is_dir(r.target)
        }

    @cached_property
    def _operator_dirs(self) -> dict[str, bool]:
        dirs: dict[str, bool] = {}
        for p in self.operator_paths:
            if p.dir not in self.repo.kustomizations:
                dirs[p.dir] = dirs.get(p.dir, False) or p.recursive
        return dirs

    @cached_property
    def _skaffold_globs(self) -> list[str]:
        return skaffold_manifest_globs(self.repo)

    def deploys(self, path: str) -> bool:
        """Whether a kustomization reads `path`, an operator path takes it in or Skaffold applies it."""
        return self.deployed_by(path) is not None

    def deployed_by(self, path: str) -> str | None:
        """What reads `path` (a kustomization, an operator's path, a Skaffold config), or None."""
        if path in self._read_files:
            return "a kustomization"
        globs = self._skaffold_globs
        if globs and any(fnmatch.fnmatchcase(path, g) for g in globs):
            return "a Skaffold config"
        directory = parent_of(path)
        if directory not in self._directory_readers:
            self._directory_readers[directory] = self._directory_reader(directory)
        return self._directory_readers[directory]

    def _directory_reader(self, directory: str) -> str | None:
        current, direct = directory, True
        while True:
            if current in self._read_dirs:
                return "a kustomization (its directory is listed as a resource)"
            if current in self._operator_dirs and (direct or self._operator_dirs[current]):
                return self._operator_labels.get(current, "an operator")
            if current in self.repo.kustomizations:
                return None  # in or below a kustomization directory, only what it reads is deployed
            if not current:
                return None
            current, direct = parent_of(current), False

    @cached_property
    def _operator_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for p in self.operator_paths:
            labels.setdefault(p.dir, p.by)
        return labels


def _has_kustomization_between(directory: str, top: str, kustomizations) -> bool:
    current = parent_of(directory)
    while current and current != top:
        if current in kustomizations:
            return True
        current = parent_of(current)
    return False


def _below(directory: str, dirs: set[str]) -> bool:
    return bool(directory) and any(d in dirs for d in parent_dirs(parent_of(directory), with_root=True))
