"""Repository layout rules (GL101–GL107): apps, bases, overlays, environments, orphans, app code.

Apps come from the configured layout globs (`apps/*`, `infrastructure/*`; `clusters/*` are cluster
entry points, never apps). Only directories that use the classic `base/` + `overlays/<env>/` shape
are judged as such: Flux-style layouts (`apps/base/<app>` beside `apps/<env>`) have no app that
does, so GL101–GL104 and GL106 stay silent there instead of calling every directory broken.
"""

from __future__ import annotations

import bisect
import posixpath
from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from gitops_lint.core.findings import FILE_START, Position, Violation
from gitops_lint.core.source import parent_dirs, parent_of
from gitops_lint.core.spelling import near_miss
from gitops_lint.deploy.deployed_files import CONFIG_GROUPS, is_manifest
from gitops_lint.deploy.file_roles import explain
from gitops_lint.deploy.repo_kind import (
    CODE_SUFFIXES,
    NOT_APP_CODE_DIRS,
    ROOT_TOOLING,
    is_source_repository,
)
from gitops_lint.model.kustomizations import is_kustomization_file
from gitops_lint.model.layout import App

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

SYNONYMS = (
    ("production", "prod", "prd", "live"),
    ("staging", "stage", "stg"),
    ("development", "dev", "develop"),
    ("test", "testing", "tst"),
    ("integration", "int"),
)


def _synonyms(name: str) -> tuple[str, ...]:
    lower = name.lower()
    return next((group for group in SYNONYMS if lower in group), (lower,))


def _apps(repo) -> list[App]:
    return [a for a in repo.apps.values() if a.group != "clusters"]


def _classic(repo) -> list[App]:
    return [a for a in _apps(repo) if a.classic]


class _DirIndex:
    """Per-directory facts, computed on first use once per repository (kept on the Repository object)."""

    def __init__(self, repo):
        self.repo = repo

    @cached_property
    def with_kustomization(self) -> set[str]:
        """Directories with a kustomization in or below them."""
        out: set[str] = set()
        for directory in self.repo.kustomization_files:
            out.add(directory)  # "" too: a kustomization at the root
            out.update(parent_dirs(directory))
        return out

    @cached_property
    def with_manifests(self) -> set[str]:
        """Directories holding a Kubernetes manifest (not only operator objects or configs) below them."""
        out: set[str] = set()
        for path in {d.path for d in self.repo.documents if is_manifest(d, CONFIG_GROUPS)}:
            out.update(parent_dirs(parent_of(path)))
        return out


def _index(repo) -> _DirIndex:
    return repo.derived(_DirIndex)


def _report_file(repo, directory: str) -> str:
    """The file a finding about a directory is reported on: its kustomization, else the shallowest file
    below it (a kustomization first, then YAML)."""
    if directory in repo.kustomizations:
        return repo.kustomizations[directory].path
    files = repo.files  # sorted: the files below `directory` are one contiguous run
    below = []
    for path in files[bisect.bisect_left(files, directory + "/") :]:
        if not path.startswith(directory + "/"):
            break
        below.append(path)
    return min(below, key=lambda f: (f.count("/"), not is_kustomization_file(f), not f.endswith((".yaml", ".yml")), f),
               default=directory)


def _has_kustomization_below(repo, directory: str) -> bool:
    return directory in _index(repo).with_kustomization


def _holds_manifests(repo, directory: str) -> bool:
    """Whether Kubernetes manifests (not only Argo CD/Flux objects or configs) live below `directory`."""
    return directory in _index(repo).with_manifests


def _violation(
    repo, directory: str, message: str, key: str, env: str | None = None, position: Position = FILE_START
) -> Violation:
    return Violation(_report_file(repo, directory), message, position, environment=env, key=key)


# -- GL101 ------------------------------------------------------------------------------------
def app_structure(ctx: CheckContext) -> Iterator[Violation]:
    """GL101: an app directory without `base/` (with a kustomization) or without `overlays/<env>/`."""
    repo = ctx.repo
    config = repo.config
    apps = _apps(repo)
    sizes = Counter(a.group for a in apps)
    # apps that follow the layout in full: the ones a flat app is compared with (flagged ones are not)
    complete = Counter(a.group for a in apps if a.base is not None and a.overlays)
    for app in apps:
        if not app.classic:
            yield from _not_classic(repo, app, sizes[app.group], complete[app.group])
            continue
        if app.base is None:
            yield _violation(
                repo,
                app.dir,
                f"app `{app.dir}` has {config.overlays_dir}/ but no {config.base_dir}/; "
                f"put the shared manifests in {app.dir}/{config.base_dir}/",
                "no-base",
            )
        elif app.base not in repo.kustomization_files:
            yield _violation(
                repo,
                app.base,
                f"{app.base}/ has no kustomization.yaml; overlays cannot include it",
                "base-no-kustomization",
            )
        if not app.overlays:
            yield _violation(
                repo,
                app.dir,
                f"app `{app.dir}` has no {config.overlays_dir}/<env>/ directory; add one "
                f"overlay per environment",
                "no-overlays",
            )
        for env, overlay in sorted(app.overlays.items()):
            if not _has_kustomization_below(repo, overlay):
                yield _violation(
                    repo,
                    overlay,
                    f"overlay {overlay}/ has no kustomization.yaml; add one that "
                    f"includes ../../{config.base_dir}",
                    f"overlay-no-kustomization:{env}",
                    env,
                )


def _not_classic(repo, app: App, group_size: int, classic: int) -> Iterator[Violation]:
    """An app that ignores the base/overlays layout most of its group (at least two complete apps) follows."""
    if classic < 2 or classic * 2 < group_size or not _holds_manifests(repo, app.dir):
        return
    if repo.tree.is_file(f"{app.dir}/Chart.yaml"):
        return  # a Helm chart is a different kind of app, not a broken kustomize one
    yield _violation(
        repo,
        app.dir,
        f"app `{app.dir}` has no {repo.config.base_dir}/ and no {repo.config.overlays_dir}/<env>/, unlike "
        f"{classic} other apps in {app.group}/; move its manifests into that layout",
        "not-classic",
    )


# -- GL102 ------------------------------------------------------------------------------------
def missing_environment(ctx: CheckContext) -> Iterator[Violation]:
    """GL102: an app without an overlay for one of the repository's environments."""
    repo = ctx.repo
    environments = repo.environments
    for app in _classic(repo):
        if not app.overlays:
            continue  # GL101 reports it
        present = {e.lower() for e in app.overlays}
        for env in environments:
            if present & set(_synonyms(env)) or any(near_miss(name, [env]) for name in present):
                continue  # present under another name or misspelt: GL106 reports the name
            overlays = f"{app.dir}/{repo.config.overlays_dir}"
            yield _violation(
                repo,
                overlays,
                f"app `{app.dir}` has no overlay for environment `{env}`; add "
                f"{overlays}/{env}/ (or configure the environments it is meant for)",
                f"missing:{env}",
                env,
            )


# -- GL103 ------------------------------------------------------------------------------------
def overlay_not_based(ctx: CheckContext) -> Iterator[Violation]:
    """GL103: an overlay that does not (transitively) include its own app's base."""
    repo = ctx.repo
    for app in _classic(repo):
        if app.base is None or app.base not in repo.kustomizations:
            continue
        for env, overlay in sorted(app.overlays.items()):
            k = repo.kustomizations.get(overlay)
            if k is None or k.kind == "Component" or app.base in repo.reachable_kustomizations(overlay):
                continue
            fields = [f for f in ("resources", "bases") if f in k.data and k.document is not None]
            where = k.document.position((fields[0],), key=True) if fields and k.document is not None else FILE_START
            yield Violation(
                k.path,
                f"overlay {overlay}/ does not include its app's base {app.base}/; add "
                f"`{posixpath.relpath(app.base, overlay)}` to its resources",
                where,
                environment=env,
                key=f"not-based:{env}",
            )


# -- GL104 ------------------------------------------------------------------------------------
def cross_app_reference(ctx: CheckContext) -> Iterator[Violation]:
    """GL104: a base or overlay that pulls in another app's directory."""
    repo = ctx.repo
    apps = {a.dir: a for a in _classic(repo)}
    if len(apps) < 2:
        return
    owners = _AppOwners(set(apps))
    for kdir, k in sorted(repo.kustomizations.items()):
        source = owners.owner(kdir)
        if source is None:
            continue
        for r in k.references:
            target = owners.owner(r.target) if r.target is not None else None
            if target is None or target == source:
                continue
            yield Violation(
                k.path,
                f"{k.path} of app `{source}` pulls in `{r.value}` from app `{target}`; share it through a "
                f"component or a common base outside both apps",
                r.position,
                environment=repo.environment_of(kdir),
                key=f"{r.field}:{r.value}",
            )


class _AppOwners:
    """The innermost app directory holding a path (each directory's answer found once)."""

    def __init__(self, app_dirs: set[str]):
        self.app_dirs = app_dirs
        self._owners: dict[str, str | None] = {}

    def owner(self, path: str) -> str | None:
        """`path` itself or the nearest directory above it that is an app's (never the root)."""
        if path in self._owners:
            return self._owners[path]
        found = None if not path else path if path in self.app_dirs else self.owner(parent_of(path))
        self._owners[path] = found
        return found


# -- GL105 ------------------------------------------------------------------------------------
def orphan_manifest(ctx: CheckContext) -> Iterator[Violation]:
    """GL105: a manifest that no kustomization, Argo CD Application or Flux Kustomization deploys.

    Which files are deployed is the repository's one decision (`gitops_lint.deploy.file_roles`):
    patches, generator inputs, templates, fixtures, tool configs, values files, dot-directories and
    kustomizations commented out of their parent are never orphans. Without any Argo CD or Flux object,
    or when some operator source cannot be resolved, only files beside a kustomization that does not
    list them are reported: plain manifest directories may be applied by other means.
    """
    repo = ctx.repo
    ignored_groups = tuple(ctx.option("ignore_api_groups"))
    for path, parsed in sorted(repo.parsed_files.items()):
        role = explain(repo, path)
        if not role.orphan:
            continue
        directory = parent_of(path)
        if is_kustomization_file(path):
            yield Violation(path, f"kustomization root {directory or '.'} is not deployed: {role.reason}; point an "
                            "operator at it, include it from a deployed kustomization, or delete it",
                            key="orphan-root", environment=repo.environment_of(path))
            continue
        manifests = [d for d in parsed.documents if is_manifest(d, ignored_groups)]
        if not manifests:
            continue
        if directory in repo.kustomizations:
            hint = f"add it to {repo.kustomizations[directory].path} or delete it"
        else:
            hint = "include it in a kustomization or an Argo CD/Flux source path, or delete it"
        first = manifests[0]
        more = f" (and {len(manifests) - 1} more)" if len(manifests) > 1 else ""
        yield Violation(
            path,
            f"`{first.ref}`{more} in {path} is not deployed: {role.reason} (it is not a patch, generator "
            f"input, template, test fixture, tool config or values file); {hint}",
            first.start,
            resource=first.ref,
            environment=repo.environment_of(path),
            key="orphan",
        )


# -- GL106 ------------------------------------------------------------------------------------
def unknown_environment(ctx: CheckContext) -> Iterator[Violation]:
    """GL106: an overlay named outside the environment list (`prod` beside `production`)."""
    repo = ctx.repo
    configured = list(repo.config.environments)
    used = Counter(env.lower() for app in _classic(repo) for env in app.overlays)
    for app in _classic(repo):
        for env, overlay in sorted(app.overlays.items()):
            expected = _expected_name(env, configured, used)
            if expected is None:
                continue
            suggestion = f"rename it to `{expected}`" if expected else "rename it or add it to `environments`"
            yield _violation(
                repo,
                overlay,
                f"overlay {overlay}/ is named `{env}`, which is not one of the "
                f"repository's environments; {suggestion}",
                f"unknown:{env}",
                env,
            )


def _expected_name(env: str, configured: list[str], used: Counter) -> str | None:
    """None when `env` is fine; else the name it should have ('' when there is no obvious one)."""
    group = _synonyms(env)
    if configured:
        if env.lower() in {c.lower() for c in configured}:
            return None
        return next((c for c in configured if c.lower() in group), None) or near_miss(env, configured) or ""
    if len(group) == 1:
        known = [name for names in SYNONYMS for name in names] + [name for name, n in used.items() if n > 1]
        return near_miss(env, known)
    preferred = max((name for name in group if used[name]), key=lambda n: (used[n], -group.index(n)))
    return None if preferred == env.lower() else preferred


# -- GL107 ------------------------------------------------------------------------------------
def app_code_in_config_repo(ctx: CheckContext) -> Iterator[Violation]:
    """GL107: application source (Dockerfile, go.mod, src/…) in a config repository (not an app's own repo)."""
    if is_source_repository(ctx.repo):
        return
    markers = set(ctx.option("markers"))
    reported_src: set[str] = set()
    skipped: dict[str, bool] = {}  # directory → hidden, vendored or tooling (decided once per directory)
    for path in ctx.repo.files:
        directory, _, name = path.rpartition("/")
        skip = skipped.get(directory)
        if skip is None:
            skip = skipped[directory] = bool(directory) and any(
                s.startswith(".") or s in NOT_APP_CODE_DIRS for s in directory.split("/"))
        if skip:
            continue
        if not directory and name in ROOT_TOOLING:
            continue  # the config repository's own tooling (pre-commit, docs, formatters)
        if name in markers or name.endswith(".csproj"):
            yield Violation(
                path,
                f"{path} is application source/build code; keep it in the application's "
                f"own repository and let CI publish an image this repo references",
                key="marker",
            )
            continue
        if name.endswith(CODE_SUFFIXES) and "src" in (dirs := directory.split("/")):
            src = "/".join(dirs[: dirs.index("src") + 1])
            if src not in reported_src:
                reported_src.add(src)
                yield Violation(
                    path,
                    f"{src}/ holds application source code; keep it in the application's own "
                    f"repository and let CI publish an image this repo references",
                    key=f"src:{src}",
                )
