"""Flux as the GL5xx rules see it: every Flux object once per build that deploys it (`flux_objects`),
the sources they reference, where a Kustomization's `spec.path` lands in this repository, and the spec
fields parent Kustomizations patch into their children (`flux_patches`). Patch files are partial
objects and never count as objects of their own.

"This repository" for a source: the bootstrap `GitRepository/flux-system` (written by `flux bootstrap`
into `clusters/<name>/flux-system/gotk-sync.yaml`, which repos often do not commit: a reference to it is
always resolved, as the bootstrap creates it), a GitRepository whose URL is in the config's `repo_urls`
(else the git remote) and whose branch is the branch this tree is on (else `main`/`master`), an
OCIRepository whose URL is in `repo_urls`, or an ExternalArtifact that an ArtifactGenerator copies
from such a source. Any other source's content is unknown, and nothing is claimed about its paths.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from gitops_lint.core.git_identity import git_remotes, head_branch, normalize_url
from gitops_lint.core.loader import Document
from gitops_lint.core.source import source_relative
from gitops_lint.flux.artifact_roots import ARTIFACT_KINDS, artifact_root
from gitops_lint.flux.artifacts import artifact_sources, list_items
from gitops_lint.flux.objects import FluxObject, has_placeholder, instances, is_flux, resource_set_names
from gitops_lint.flux.patches import spec_patches
from gitops_lint.model.file_roles import unapplied_files
from gitops_lint.model.repository import Repository

KUSTOMIZATION = "Kustomization"
HELMRELEASE = "HelmRelease"
BOOTSTRAP = "flux-system"
BOOTSTRAP_KINDS = ("GitRepository", "OCIRepository", "Bucket", KUSTOMIZATION)


@dataclass(frozen=True)
class Resolution:
    """Where a Kustomization's path lands: `dirs` in this repo, or `checkable` False when unknown."""

    checkable: bool
    dirs: tuple[str, ...] = ()
    problem: str = ""  # why the path does not exist, when checkable and nothing matched


@dataclass
class FluxIndex:
    """Flux objects, sources and this repo's identity for one repository (built once)."""

    repo: Repository
    objects: list[FluxObject]
    names: dict[str, set[tuple[str, str]]]  # kind -> {(namespace, name)} of every object known
    configured: set[str]
    remotes: set[str]
    prefix: str
    branch: str | None
    generators: list[Document] = field(default_factory=list)
    _deployers: dict[str, list[str]] | None = None
    _deployed: dict[str, set[str]] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[FluxObject]:
        return [o for o in self.objects if o.kind in kinds and is_flux(o.doc)]

    def defines(self, kind: str, namespace: str, name: str) -> bool:
        """Whether an object of that kind and name exists; an unknown namespace on either side matches."""
        if kind in BOOTSTRAP_KINDS and name == BOOTSTRAP and namespace in ("", BOOTSTRAP):
            return True  # created by `flux bootstrap` (gotk-sync.yaml) or a FluxInstance, committed or not
        return any(
            (ns == namespace or not ns or not namespace)
            and (n == name or ("*" in n and fnmatchcase(name, n)))
            for ns, n in self.names.get(kind, ())
        )

    def find(self, kind: str, namespace: str, name: str) -> list[FluxObject]:
        return [
            o
            for o in self.objects
            if o.kind == kind
            and o.name == name
            and (o.namespace == namespace or not o.namespace or not namespace)
        ]

    def find_for(self, referrer: FluxObject, kind: str, namespace: str, name: str) -> list[FluxObject]:
        """Objects a referrer means: those of its own build, else of its environment, else any match."""
        found = self.find(kind, namespace, name)
        same_build = [o for o in found if o.root is not None and o.root == referrer.root]
        same_env = [o for o in found if o.environment == referrer.environment]
        return same_build or same_env or found

    # -- this repository ----------------------------------------------------------------------------
    def is_this_repo(self, url) -> bool:
        if not isinstance(url, str) or not url or has_placeholder(url):
            return False
        norm = normalize_url(url)
        return norm in self.configured if self.configured else norm in self.remotes

    def _same_branch(self, ref) -> bool:
        """Whether a GitRepository ref names the content being linted: no ref, the checked-out branch,
        or the bootstrap source's branch (`main`/`master` when that is unknown). A tag, semver or commit
        is some other revision, and another branch (a tenant's, say) other content."""
        if ref is None or ref == {}:
            return True
        if not isinstance(ref, dict) or set(ref) - {"branch"}:
            return False
        bootstrap = self._bootstrap_branch()
        known = {self.branch, bootstrap} if bootstrap else {self.branch, "main", "master"}
        branch = ref.get("branch")
        return isinstance(branch, str) and branch in known - {None}

    def _bootstrap_branch(self) -> str | None:
        for o in self.find("GitRepository", BOOTSTRAP, BOOTSTRAP):
            branch = o.get("spec", "ref", "branch")
            if isinstance(branch, str):
                return branch
        return None

    def local_source(self, kind: str, namespace: str, name: str) -> str | None:
        """How a source is this repository's content at this revision: "git" when its paths start at the
        git repository's root (identified by the git remote), "tree" when at the linted tree's root
        (the bootstrap source, or a URL in `repo_urls`); None when it is not, or unknown."""
        found = self.find(kind, namespace, name)
        if kind == "GitRepository" and name == BOOTSTRAP and namespace in ("", BOOTSTRAP):
            urls = {normalize_url(u) for o in found if isinstance(u := o.get("spec", "url"), str) and u}
            identity = self.configured or (self.remotes if not self.prefix else set())
            if urls and identity and not urls & identity and not any(map(has_placeholder, urls)):
                return None  # the bootstrap syncs another repository (this one is an apps/tenant repo)
            return "git" if not self.configured and urls & self.remotes else "tree"
        if kind == "GitRepository":
            for o in found:
                if self.is_this_repo(o.get("spec", "url")) and self._same_branch(o.get("spec", "ref")):
                    return "tree" if self.configured else "git"
        configured_oci = kind == "OCIRepository" and self.configured
        if configured_oci and any(
            normalize_url(str(o.get("spec", "url") or "")) in self.configured for o in found
        ):
            return "tree"
        return None

    def tree_path(self, rel: str, basis: str) -> str | None:
        """A path relative to a local source's root, as a path in the linted tree (None: outside it)."""
        if basis != "git" or not self.prefix:
            return rel
        if rel == self.prefix or rel.startswith(self.prefix + "/"):
            return rel[len(self.prefix) + 1 :] if rel != self.prefix else ""
        return None

    # -- Kustomization paths ------------------------------------------------------------------------
    def resolve(self, ks: FluxObject) -> Resolution:
        """Where `spec.path` of a Kustomization lands in this repository."""
        ref = ks.spec.get("sourceRef")
        path = ks.spec.get("path")
        if (
            not isinstance(ref, dict)
            or has_placeholder(path)
            or (path is not None and not isinstance(path, str))
        ):
            return Resolution(False)
        kind, name = ref.get("kind") or "GitRepository", ref.get("name")
        namespace = ref.get("namespace") or ks.namespace
        if not isinstance(name, str) or has_placeholder(name) or has_placeholder(namespace):
            return Resolution(False)
        path = path or "./"
        if kind == "ExternalArtifact":
            return self._artifact_resolution(namespace, name, path)
        basis = self.local_source(kind, namespace, name)
        rel = source_relative(path)
        if rel is not None and _under_include(rel, self.find(kind, namespace, name)):
            return Resolution(False)  # content another repository brings in (`spec.include`)
        if basis is None and kind in ARTIFACT_KINDS and rel is not None:
            root = artifact_root(self, kind, namespace, name)
            if root is not None:
                rel, basis = (posixpath.join(root, rel) if rel else root), "tree"
        rel = self.tree_path(rel, basis) if basis and rel is not None else None
        if rel is None:
            return Resolution(False)
        if rel and not self.repo.tree.is_dir(rel):
            return Resolution(True, (), f"{rel} is not a directory of this repository")
        return Resolution(True, (rel,))

    def _artifact_resolution(self, namespace: str, name: str, path: str) -> Resolution:
        """Map a path inside an ExternalArtifact back through its ArtifactGenerator's copy rules."""
        inner = source_relative(path)
        found = None if inner is None else artifact_sources(self, namespace, name, inner)
        if found is None:
            return Resolution(False)
        producers, candidates = found
        if not candidates:
            return Resolution(True, (), f"no copy rule of {producers[0]} fills {path}")
        tree = self.repo.tree
        hits = tuple(c for c in candidates if c == "" or tree.is_dir(c) or tree.is_file(c))
        if hits:
            return Resolution(True, hits)
        return Resolution(True, (), f"{' or '.join(candidates)} is not a directory of this repository")

    # -- what a Kustomization deploys ---------------------------------------------------------------
    def deployed_files(self, directory: str) -> set[str]:
        """Files Flux applies from a directory: a kustomization's reads, else the YAML files below it
        (Flux generates a kustomization for them; a sub-directory with its own kustomization contributes
        what that one reads)."""
        hit = self._deployed.get(directory)
        if hit is not None:
            return hit
        repo = self.repo
        if directory in repo.kustomizations:
            out = set(repo.files_read_by(directory))
        else:
            prefix = directory + "/" if directory else ""
            out, nested = set(), set()
            for f in repo.files:
                if not f.startswith(prefix):
                    continue
                owner = _nearest(posixpath.dirname(f), directory, repo.kustomizations)
                if owner is not None:
                    nested.add(owner)
                elif f.endswith((".yaml", ".yml", ".json")):
                    out.add(f)
            for d in nested:
                out |= repo.files_read_by(d)
        self._deployed[directory] = out
        return out

    def deployer_environments(self, path: str) -> list[str]:
        """Environments of the Flux Kustomizations (in this repo) whose path deploys a file."""
        if self._deployers is None:
            self._deployers = defaultdict(list)
            for ks in self.of_kind(KUSTOMIZATION):
                env = ks.environment or self.repo.environment_of(ks.doc.path)
                if env is None:
                    continue
                for d in self.resolve(ks).dirs:
                    for f in self.deployed_files(d):
                        if env not in self._deployers[f]:
                            self._deployers[f].append(env)
        return self._deployers.get(path, [])


def _under_include(rel: str, sources: list[FluxObject]) -> bool:
    """Whether a path is (in or above) where a GitRepository's `spec.include` puts another repository."""
    for source in sources:
        for inc in list_items(source.spec.get("include")):
            if not isinstance(inc, dict):
                continue
            repo = inc.get("repository")
            default = repo.get("name") if isinstance(repo, dict) else None
            to = source_relative(inc["toPath"]) if isinstance(inc.get("toPath"), str) else default
            if (
                isinstance(to, str)
                and to
                and (rel == to or rel.startswith(to + "/") or to.startswith(rel + "/"))
            ):
                return True
    return False


def _nearest(parent: str, stop: str, kustomizations) -> str | None:
    """The outermost kustomization directory between `stop` (exclusive) and `parent` (inclusive)."""
    found = None
    while parent != stop and (parent.startswith(stop + "/") if stop else parent):
        if parent in kustomizations:
            found = parent
        parent = posixpath.dirname(parent)
    return found


def flux_index(repo) -> FluxIndex:
    """The Flux index of a repository, built on first use and kept on the Repository object."""
    return repo.derived(_build)


def _build(repo) -> FluxIndex:
    unapplied = unapplied_files(repo)
    docs = [d for d in repo.documents if is_flux(d) and d.kind and d.path not in unapplied]
    objects = list(instances(repo, docs))
    names: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for o in objects:
        names[o.kind].add((o.namespace, o.name))
    generators = [d for d in docs if d.kind == "ArtifactGenerator"]
    for gen in generators:
        for art in list_items(gen.get("spec", "artifacts")):
            if isinstance(art, dict) and isinstance(art.get("name"), str):
                names["ExternalArtifact"].add((gen.namespace, art["name"]))
    for doc in repo.objects("ResourceSet"):
        for kind, namespace, name in resource_set_names(doc):
            names[kind].add((namespace, name))
    root = getattr(repo.tree, "root", None)
    remotes, prefix = git_remotes(Path(root)) if root is not None else (set(), "")
    index = FluxIndex(
        repo=repo,
        objects=objects,
        names=dict(names),
        configured={normalize_url(u) for u in repo.config.repo_urls},
        remotes=remotes,
        prefix=prefix,
        branch=head_branch(Path(root)) if root is not None else None,
        generators=generators,
    )
    for o in index.objects:
        if o.environment is None:
            envs = index.deployer_environments(o.doc.path)
            production = [e for e in envs if repo.config.is_production(e)]
            o.environment = next(iter(production or envs), None)
    _inherit(index)
    return index


def _inherit(index: FluxIndex) -> None:
    """Give each object the spec fields its parent Kustomizations' `spec.patches` set on it (a parent's
    own inherited `patches` reach the grandchildren: a few passes settle the chain)."""
    by_file: dict[str, list[FluxObject]] = defaultdict(list)
    for o in index.objects:
        by_file[o.doc.path].append(o)
    files_of: dict[int, list[str]] = {}

    def files(parent: FluxObject) -> list[str]:
        if id(parent) not in files_of:
            files_of[id(parent)] = [f for d in index.resolve(parent).dirs for f in index.deployed_files(d)]
        return files_of[id(parent)]

    for _ in range(3):
        changed = False
        for parent in index.of_kind(KUSTOMIZATION):
            patches = spec_patches({"patches": parent.setting("patches")})
            if not patches:
                continue
            for child in (c for f in files(parent) for c in by_file.get(f, ()) if c is not parent):
                for patch in patches:
                    if patch.applies_to(child.kind, child.name):
                        for key, value in patch.fields.items():
                            if key not in child.inherited:
                                child.inherited[key] = value
                                changed = True
        if not changed:
            return
