"""Argo CD as the rules see it: Applications (and ApplicationSet templates), their sources, and whether a
source's repoURL is this repository.

"This repo" is decided once per repository: the config's `repo_urls` when given (authoritative), else
the git remote(s) of the tree root's repository (read from `.git/config`, never the network), plus
URLs inferred from the repo itself: a repoURL is this repo when most sources using it point at paths
that exist here. The index is built once and kept on the Repository object.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from gitops_lint.argo.appset import (
    GitGenerator,
    all_directories,
    file_content,
    files_under,
    flatten,
    git_generators,
    is_templated,
    matched_directories,
    matched_files,
    path_params,
    substitute,
)
from gitops_lint.argo.identity import git_remotes, normalize_url
from gitops_lint.argo.overlays import rendered_variants
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.core.source import PathEscapesRoot, normalize
from gitops_lint.model.file_roles import unapplied_files
from gitops_lint.model.repository import helm_template_dirs
from gitops_lint.render.origin import origin_of

APPLICATION = "argoproj.io/Application"
APPLICATIONSET = "argoproj.io/ApplicationSet"
APPPROJECT = "argoproj.io/AppProject"
_TOKEN_SPLIT = re.compile(r"[-_.{}\s/]+")


@dataclass(frozen=True)
class Source:
    """One entry of `spec.source` / `spec.sources`."""

    repo_url: str
    path: str | None
    target_revision: object
    chart: str | None
    ref: str | None
    where: tuple  # relative to the app's spec: ("source",) or ("sources", i)
    recurse: bool = False


@dataclass
class ArgoApp:
    """An Application, or the template of an ApplicationSet (`is_appset`)."""

    doc: Document
    base: tuple  # where the Application spec sits in the document
    spec: dict
    name: str
    is_appset: bool
    sources: list[Source] = field(default_factory=list)
    patch: str = ""  # an ApplicationSet's templatePatch (a Go template string), checked for mentions
    rendered_environment: str | None = None  # the environment of the overlay that renders it, if any
    variant: str = ""  # the roots of this rendering when an overlay-patched document renders differently
    origins: dict | None = None  # field origins of the rendering (which patch set what)

    def patched(self, *words: str) -> bool:
        """Whether the ApplicationSet's templatePatch may set any of these fields (then rules stay quiet)."""
        return any(w in self.patch for w in words)

    @property
    def label(self) -> str:
        return (
            f"ApplicationSet/{self.doc.name or '?'} (template)"
            if self.is_appset
            else f"Application/{self.name}"
        )

    def where(self, *path) -> tuple:
        return (*self.base, *path)

    def at(self, *path, key: bool = False) -> tuple[str, Position]:
        """File and position of a spec field: the overlay patch that set it, else the document itself."""
        full = self.where(*path)
        if self.origins:
            hit = origin_of(self.origins, full)
            if hit is None and full not in self.doc.keys:  # a block the patch added: its first line
                dotted = ".".join(map(str, full)) + "."
                below = [o for k, o in self.origins.items() if k.startswith(dotted)]
                hit = min(below, key=lambda o: (o[0], o[1])) if below else None
            if hit is not None and hit[0] != self.doc.path:
                return hit
        return self.doc.path, self.doc.position(full, key=key)

    def _dict(self, *path) -> dict:
        node = self.spec
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}

    @property
    def project(self):
        return self.spec.get("project")

    @property
    def destination(self) -> dict:
        return self._dict("destination")

    @property
    def sync_policy(self) -> dict:
        return self._dict("syncPolicy")

    @property
    def automated(self) -> dict | None:
        """The `automated` policy when automated sync is on, else None (`enabled: false` turns it off)."""
        policy = self.sync_policy
        if "automated" not in policy or policy["automated"] is None:
            return None
        auto = policy["automated"] if isinstance(policy["automated"], dict) else {}
        return None if auto.get("enabled") is False else auto

    @property
    def sync_options(self) -> list[str]:
        options = self.sync_policy.get("syncOptions")
        return (
            [o.replace(" ", "") for o in options if isinstance(o, str)] if isinstance(options, list) else []
        )


def _sources(spec: dict) -> list[Source]:
    multi = spec.get("sources")
    entries = [(("sources", i), s) for i, s in enumerate(multi)] if isinstance(multi, list) and multi else []
    if not entries and isinstance(spec.get("source"), dict):
        entries = [(("source",), spec["source"])]
    out = []
    for where, s in entries:
        if not isinstance(s, dict):
            continue
        directory = s.get("directory")
        out.append(
            Source(
                repo_url=s["repoURL"] if isinstance(s.get("repoURL"), str) else "",
                path=s["path"] if isinstance(s.get("path"), str) else None,
                target_revision=s.get("targetRevision"),
                chart=s["chart"] if isinstance(s.get("chart"), str) else None,
                ref=s["ref"] if isinstance(s.get("ref"), str) else None,
                where=where,
                recurse=isinstance(directory, dict) and directory.get("recurse") is True,
            )
        )
    return out


def _apps(repo) -> list[ArgoApp]:
    """Applications and ApplicationSet templates; patch files skipped, overlay-patched ones as rendered."""
    patches = unapplied_files(repo)
    docs = [d for d in repo.objects(APPLICATION, APPLICATIONSET) if d.path not in patches]
    variants = rendered_variants(repo, {d.path for d in docs})
    apps = []
    for doc in docs:
        renderings = variants.get((doc.path, doc.start.line))
        if not renderings:
            apps.extend(_app(doc, doc.data))
            continue
        for v in renderings:
            variant = ",".join(v.roots) if len(renderings) > 1 else ""
            apps.extend(_app(doc, v.data, v.environment, variant, v.origins))
    return apps


def _app(
    doc: Document, data: dict, environment: str | None = None, variant: str = "", origins: dict | None = None
) -> list[ArgoApp]:
    appset = data.get("kind") == "ApplicationSet"
    base = ("spec", "template", "spec") if appset else ("spec",)
    spec = _get(data, *base)
    if not isinstance(spec, dict):
        return []
    name = _get(data, "spec", "template", "metadata", "name") if appset else _get(data, "metadata", "name")
    patch = _get(data, "spec", "templatePatch") if appset else None
    return [
        ArgoApp(
            doc,
            base,
            spec,
            name if isinstance(name, str) else "?",
            appset,
            _sources(spec),
            patch if isinstance(patch, str) else "",
            environment,
            variant,
            origins,
        )
    ]


def _get(data, *path):
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


@dataclass
class ArgoIndex:
    """Applications, ApplicationSets, AppProjects and this repo's identity, computed once per repository."""

    repo: object
    apps: list[ArgoApp]
    projects: dict[str, Document]
    declared: set[str]  # projects defined only through Helm values (argocd-apps / argo-cd charts)
    configured: set[str]
    remotes: set[str]
    prefix: str
    inferred: set[str] = field(default_factory=set)
    appsets: list[Document] = field(default_factory=list)
    generators: dict[int, list[GitGenerator]] = field(default_factory=dict)
    _params: dict[int, list[dict]] = field(default_factory=dict)

    def is_local(self, url: str) -> bool:
        """Whether a repoURL names this repository."""
        if not url or is_templated(url):
            return False
        norm = normalize_url(url)
        if self.configured:
            return norm in self.configured
        return norm in self.remotes or norm in self.inferred

    def repo_path(self, url: str, path: str) -> str | None:
        """A source/generator path as a repo-relative directory ("" for the root); None when unknown."""
        text = path.strip()
        if text.startswith("/"):
            text = text.lstrip("/")
        try:
            rel = normalize(text or ".")
        except PathEscapesRoot:
            return None
        rel = "" if rel == "." else rel
        if self.prefix:
            if rel == self.prefix:
                return ""
            if rel.startswith(self.prefix + "/"):
                return rel[len(self.prefix) + 1 :]
            if normalize_url(url) in self.remotes and not self.configured:
                return None  # outside the linted part of the repository
        return rel

    def git_path(self, rel: str) -> str:
        """A repo-relative path back in git-top-level coordinates (what Argo CD paths are relative to)."""
        return "/".join(x for x in (self.prefix, rel) if x)

    def local_paths(self, app: ArgoApp, source: Source) -> list[str]:
        """Repo-relative directories a source of this repo deploys (template paths expanded); [] if unknown."""
        if source.chart or source.path is None or not self.is_local(source.repo_url):
            return []
        out = []
        for value in self.resolve(app, source.path):
            rel = self.repo_path(source.repo_url, value)
            if rel is not None and rel not in out:
                out.append(rel)
        return out

    def resolve(self, app: ArgoApp, value) -> list[str]:
        """Concrete values of a field: itself, or a template expanded with the generated parameters."""
        if not isinstance(value, str):
            return []
        if not is_templated(value):
            return [value]
        if not app.is_appset:
            return []
        out = []
        for params in self.param_sets(app.doc):
            concrete = substitute(value, params)
            if concrete is not None and concrete not in out:
                out.append(concrete)
        return out

    def param_sets(self, doc: Document) -> list[dict]:
        """Parameters that the ApplicationSet's git generators on this repo yield."""
        key = id(doc)
        if key not in self._params:
            self._params[key] = [
                p for gen in self.generators.get(key, []) for p in self.generator_params(gen)
            ]
        return self._params[key]

    def localize(self, gen: GitGenerator) -> GitGenerator:
        """The generator with its patterns relative to the linted tree (patterns outside it dropped)."""
        local = GitGenerator(gen.repo_url, gen.revision, gen.where)
        for pattern, exclude, where in gen.directories:
            rel = self.repo_path(gen.repo_url, pattern)
            if rel:  # the linted root itself is never a generated directory here
                local.directories.append((rel, exclude, where))
        for pattern, where in gen.files:
            rel = self.repo_path(gen.repo_url, pattern)
            if rel:
                local.files.append((rel, where))
        return local

    def generator_params(self, gen: GitGenerator) -> list[dict]:
        if not self.is_local(gen.repo_url):
            return []
        gen = self.localize(gen)
        files = self.repo.files

        top = self.git_path
        out = [path_params(top(d)) for d in matched_directories(gen, self.directories)]
        for pattern, _ in gen.files:
            for f in matched_files(pattern, files):
                base = path_params(top(posixpath.dirname(f)), posixpath.basename(f))
                out.extend({**flatten(item), **base} for item in file_content(self.repo, f) or [{}])
        return out

    @cached_property
    def directories(self) -> list[str]:
        return all_directories(self.repo.files)

    def environment(self, app: ArgoApp) -> str | None:
        """The app's environment: from its paths in this repo, else its own file's path, else its name or
        destination naming one."""
        repo = self.repo
        if app.rendered_environment:
            return app.rendered_environment
        envs = [e for s in app.sources for p in self.local_paths(app, s) if (e := repo.environment_of(p))]
        if not envs and (own := repo.environment_of(app.doc.path)):
            envs.append(own)  # e.g. argocd/production/shop.yaml
        if not envs:
            known = {e.lower(): e for e in (*repo.environments, *repo.config.production)}
            texts = [app.name, app.destination.get("namespace"), app.destination.get("name")]
            for text in texts:
                if isinstance(text, str):
                    envs.extend(known[t.lower()] for t in _TOKEN_SPLIT.split(text) if t.lower() in known)
        if not envs:
            return None
        production = [e for e in envs if repo.config.is_production(e)]
        return (production or envs)[0]


def argo_index(repo) -> ArgoIndex:
    """The Argo CD index of a repository, built on first use and kept on the Repository object."""
    return repo.derived("argo-index", _build)


def _tree_location(tree) -> tuple[set[str], str]:
    """Remotes of the git repository behind a tree and the tree's path inside it.

    A working tree knows its directory (`root`); a tree read from git objects (`GitTree`) knows its
    repository directory and the prefix it was read below.
    """
    root = getattr(tree, "root", None)
    if root is not None:
        return git_remotes(Path(root))
    repo_dir = getattr(tree, "repo_dir", None)
    if repo_dir is None:
        return set(), ""
    remotes, prefix = git_remotes(Path(repo_dir))
    inner = getattr(tree, "prefix", "") or ""
    return remotes, "/".join(p for p in (prefix, inner) if p)


def _build(repo) -> ArgoIndex:
    remotes, prefix = _tree_location(repo.tree)
    projects = {d.name: d for d in repo.objects(APPPROJECT) if d.name}
    declared = _declared_projects(repo) - set(projects)
    if chart_templates_define(repo, "AppProject"):
        declared.add(ANY_PROJECT)
    index = ArgoIndex(
        repo=repo,
        apps=_apps(repo),
        projects=projects,
        declared=declared,
        configured={normalize_url(u) for u in repo.config.repo_urls},
        remotes=remotes,
        prefix=prefix,
    )
    patches = unapplied_files(repo)
    index.appsets = [d for d in repo.objects(APPLICATIONSET) if d.path not in patches]
    index.generators = {id(d): git_generators(d) for d in index.appsets}
    if not index.configured:
        index.inferred = _infer(index)
    return index


def _infer(index: ArgoIndex) -> set[str]:
    """repoURLs whose sources mostly point at paths that exist here."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tree = index.repo.tree
    for app in index.apps:
        for s in app.sources:
            if (
                s.chart
                or s.path is None
                or not s.repo_url
                or is_templated(s.path)
                or is_templated(s.repo_url)
            ):
                continue
            rel = index.repo_path(s.repo_url, s.path)
            if rel is None:
                continue
            tally = counts[normalize_url(s.repo_url)]
            tally[1] += 1
            tally[0] += rel == "" or tree.is_dir(rel)
    for gens in index.generators.values():
        for gen in gens:
            if not gen.repo_url or is_templated(gen.repo_url):
                continue
            tally = counts[normalize_url(gen.repo_url)]
            for matched, *_ in pattern_hits(index, gen):
                tally[1] += 1
                tally[0] += matched
    return {url for url, (hits, total) in counts.items() if total and hits * 2 > total}


def pattern_hits(index: ArgoIndex, gen: GitGenerator) -> list[tuple[bool, str, str, tuple]]:
    """For every include pattern of a generator inside the linted tree: (matches anything, kind, pattern, where)."""
    local = index.localize(gen)
    excludes = [d for d in local.directories if d[1]]
    originals = {where: pattern for pattern, _, where in gen.directories} | {w: p for p, w in gen.files}
    out = []
    for pattern, exclude, where in local.directories:
        if not exclude and not is_templated(pattern):
            probe = GitGenerator(gen.repo_url, "", (), [(pattern, False, ()), *excludes])
            out.append(
                (bool(matched_directories(probe, index.directories)), "directory", originals[where], where)
            )
    for pattern, where in local.files:
        if not is_templated(pattern):
            out.append((bool(matched_files(pattern, index.repo.files)), "file", originals[where], where))
    return out


PROJECT_VALUE_KEYS = ("projects", "additionalProjects")
ANY_PROJECT = "*"  # in `declared`: a Helm chart template defines AppProjects whose names are unknown


def chart_templates_define(repo, kind: str, directory: str | None = None) -> bool:
    """Whether a Helm chart template (under `directory`, else anywhere) declares objects of `kind`."""
    needle = re.compile(rf"^\s*kind:\s*['\"]?{kind}['\"]?\s*$", re.MULTILINE)
    prefix = f"{directory}/" if directory else ""
    dirs = repo.derived("helm-template-dirs", lambda r: sorted(helm_template_dirs(r.files)))
    for template_dir in dirs:
        if prefix and not (template_dir + "/").startswith(prefix):
            continue
        for f in files_under(repo, template_dir):
            text = repo.text(f)
            if text and needle.search(text):
                return True
    return False


def _declared_projects(repo) -> set[str]:
    """Project names declared in Helm values files (`projects:` of argocd-apps, `additionalProjects`)."""
    names: set[str] = set()
    for parsed in repo.parsed_files.values():
        for doc in parsed.documents:
            if isinstance(doc.data, dict) and "kind" not in doc.data:
                _collect_projects(doc.data, names, depth=0)
    return names


def _collect_projects(node, names: set[str], depth: int) -> None:
    if depth > 4 or not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in PROJECT_VALUE_KEYS:
            if isinstance(value, dict):
                names.update(k for k in value if isinstance(k, str))
            elif isinstance(value, list):
                names.update(
                    v["name"] for v in value if isinstance(v, dict) and isinstance(v.get("name"), str)
                )
        else:
            _collect_projects(value, names, depth + 1)
