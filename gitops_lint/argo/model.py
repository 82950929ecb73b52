"""The Argo CD index of a repository: its Applications (apps.py), AppProjects, ApplicationSet git
generators, and whether a source's repoURL is this repository.

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

from gitops_lint.argo.apps import APPLICATIONSET, ArgoApp, Source, applications
from gitops_lint.argo.appset import (
    GitGenerator,
    all_directories,
    file_content,
    flatten,
    git_generators,
    is_templated,
    matched_directories,
    matched_files,
    path_params,
    substitute,
)
from gitops_lint.argo.helm_projects import ANY_PROJECT, chart_templates_define, declared_projects
from gitops_lint.core.git_identity import git_remotes, normalize_url
from gitops_lint.core.loader import Document
from gitops_lint.core.source import source_relative
from gitops_lint.model.file_roles import unapplied_files
from gitops_lint.model.repository import Repository

APPPROJECT = "argoproj.io/AppProject"
_TOKEN_SPLIT = re.compile(r"[-_.{}\s/]+")


@dataclass
class ArgoIndex:
    """Applications, ApplicationSets, AppProjects and this repo's identity, computed once per repository."""

    repo: Repository
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
    _normalized: dict[str, str] = field(default_factory=dict, repr=False)  # repoURL → normalize_url (apps share a few)

    def is_local(self, url: str) -> bool:
        """Whether a repoURL names this repository."""
        if not url or is_templated(url):
            return False
        norm = self.normal_url(url)
        if self.configured:
            return norm in self.configured
        return norm in self.remotes or norm in self.inferred

    def normal_url(self, url: str) -> str:
        """`normalize_url(url)`, once per URL (the apps of a repository share a few)."""
        norm = self._normalized.get(url)
        if norm is None:
            norm = self._normalized[url] = normalize_url(url)
        return norm

    def repo_path(self, url: str, path: str) -> str | None:
        """A source/generator path as a repo-relative directory ("" for the root); None when unknown."""
        rel = source_relative(path)
        if rel is None:
            return None
        if self.prefix:
            if rel == self.prefix:
                return ""
            if rel.startswith(self.prefix + "/"):
                return rel[len(self.prefix) + 1 :]
            if self.normal_url(url) in self.remotes and not self.configured:
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
    return repo.derived(_build)


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
    declared = declared_projects(repo) - set(projects)
    if chart_templates_define(repo, "AppProject"):
        declared.add(ANY_PROJECT)
    index = ArgoIndex(
        repo=repo,
        apps=applications(repo),
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
            tally = counts[index.normal_url(s.repo_url)]
            tally[1] += 1
            tally[0] += rel == "" or tree.is_dir(rel)
    for gens in index.generators.values():
        for gen in gens:
            if not gen.repo_url or is_templated(gen.repo_url):
                continue
            tally = counts[index.normal_url(gen.repo_url)]
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
