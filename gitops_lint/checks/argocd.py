"""Argo CD rules (GL401–GL411) over Applications, ApplicationSet templates and AppProjects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from gitops_lint.argo.apps import ArgoApp
from gitops_lint.argo.appset import is_templated
from gitops_lint.argo.helm_projects import ANY_PROJECT
from gitops_lint.argo.model import ArgoIndex, argo_index
from gitops_lint.argo.project import (
    crd_scopes,
    destination_permitted,
    is_cluster_scoped,
    path_kinds,
    refusal,
    restricts_kinds,
    source_permitted,
)
from gitops_lint.core.datapath import dig
from gitops_lint.core.findings import Position, Severity, Violation
from gitops_lint.core.git_identity import normalize_url

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext


def app_violation(
    index: ArgoIndex, app: ArgoApp, message: str, at: tuple[str, Position], key: str
) -> Violation:
    """A violation on an Application (or ApplicationSet template), with its environment."""
    return Violation(
        at[0],
        message,
        at[1],
        resource=app.doc.ref,
        environment=index.environment(app),
        key=f"{app.label}:{key}" + (f"@{app.variant}" if app.variant else ""),
    )


def reported_apps(ctx: CheckContext, index: ArgoIndex) -> list[ArgoApp]:
    """The apps a check reports on: all of them, but in a shard a file-scoped rule skips those written in
    a file other shards own. A rendered app is always judged (an overlay patch may have set the field it
    reports on: the engine keeps the findings of the shard's files)."""
    return [app for app in index.apps if app.locate is not None or ctx.owns(app.doc.path)]


def _policy_position(app: ArgoApp, *path) -> tuple[str, Position]:
    """The deepest existing key of syncPolicy.<path>, else the spec itself."""
    for depth in range(len(path), -1, -1):
        probe = ("syncPolicy", *path[:depth])
        if dig(app.spec, probe) is not None or (depth == 0 and "syncPolicy" in app.spec):
            return app.at(*probe, key=True)
    return app.at(key=True)


# -- sync policy ----------------------------------------------------------------------------------
def automated_sync(ctx: CheckContext) -> Iterator[Violation]:
    """GL401: no automated sync — Git changes wait for a manual sync."""
    index = argo_index(ctx.repo)
    for app in reported_apps(ctx, index):
        if app.automated is None and not app.patched("automated"):
            yield app_violation(
                index,
                app,
                f"{app.label} has no syncPolicy.automated, so merged changes are not "
                "applied until someone syncs by hand; enable automated sync",
                _policy_position(app, "automated"),
                "automated",
            )


_FLAGS = {"selfHeal": "changes made directly in the cluster are never reverted",
          "prune": "resources removed from Git stay in the cluster"}


def _automated_flag(ctx: CheckContext, flag: str) -> Iterator[Violation]:
    """Automated sync without `flag`. When both selfHeal and prune are missing, GL402 reports both in
    one finding (one cause: `automated: {}`), unless GL402 does not run, then GL403 reports prune."""
    index = argo_index(ctx.repo)
    for app in reported_apps(ctx, index):
        auto = app.automated
        if auto is None or auto.get(flag) is True or app.patched(flag):
            continue
        both = auto.get("selfHeal") is not True and auto.get("prune") is not True and not app.patched(
            "selfHeal", "prune")
        if both and flag == "prune" and ctx.runs("GL402", "argocd-self-heal", app.doc.path):
            continue  # reported with selfHeal by GL402
        flags = ["selfHeal", "prune"] if both and flag == "selfHeal" and ctx.runs(
            "GL403", "argocd-prune", app.doc.path) else [flag]
        yield app_violation(
            index,
            app,
            f"{app.label} syncs automatically without {' and '.join(f'{f}: true' for f in flags)} "
            f"({'; '.join(_FLAGS[f] for f in flags)}); set "
            f"{' and '.join(f'syncPolicy.automated.{f}: true' for f in flags)}",
            _policy_position(app, "automated", flag),
            flag,
        )


def self_heal(ctx: CheckContext) -> Iterator[Violation]:
    """GL402: automated sync without selfHeal — manual drift in the cluster stays (and prune, if missing too)."""
    yield from _automated_flag(ctx, "selfHeal")


def prune(ctx: CheckContext) -> Iterator[Violation]:
    """GL403: automated sync without prune — deleted manifests stay in the cluster."""
    yield from _automated_flag(ctx, "prune")


def retry(ctx: CheckContext) -> Iterator[Violation]:
    """GL404: an explicit sync retry that is unbounded or disabled.

    Argo CD retries a failed automated sync by itself when `retry` is unset (5 attempts, backoff
    5s doubling up to 3m), and a limit without a backoff gets that default backoff; only a limit
    that is not positive (-1: forever, 0: never) is a problem. Manual syncs are GL401's concern.
    """
    index = argo_index(ctx.repo)
    for app in reported_apps(ctx, index):
        policy = app.sync_policy.get("retry")
        if app.patched("retry") or app.automated is None or not isinstance(policy, dict):
            continue
        limit = policy.get("limit")
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            continue
        problem = ("retries a failed sync forever" if isinstance(limit, int) and not isinstance(limit, bool)
                   and limit < 0 else "sets syncPolicy.retry without a positive limit, so a failed sync "
                   "is not retried")
        yield app_violation(
            index,
            app,
            f"{app.label} {problem}; set syncPolicy.retry.limit to a positive number (and a backoff)",
            _policy_position(app, "retry", "limit"),
            "retry",
        )


# -- projects -------------------------------------------------------------------------------------
def default_project(ctx: CheckContext) -> Iterator[Violation]:
    """GL405: the `default` project (or none) — no RBAC or destination boundary."""
    index = argo_index(ctx.repo)
    for app in reported_apps(ctx, index):
        project = app.project
        if (
            project in (None, "", "default")
            and not app.patched("project")
            and not _deploys_projects(index, app)
        ):
            where = app.at("project") if "project" in app.spec else app.at(key=True)
            yield app_violation(
                index,
                app,
                f"{app.label} uses the default project, which may deploy anything anywhere; "
                "assign a dedicated AppProject",
                where,
                "default-project",
            )


def _deploys_projects(index: ArgoIndex, app: ArgoApp) -> bool:
    """Whether the app deploys AppProjects itself (the bootstrap app-of-apps: no other project exists yet)."""
    return any(
        group == "argoproj.io" and kind == "AppProject"
        for s in app.sources
        for path in index.local_paths(app, s)
        for group, kind, _ in path_kinds(index.repo, path, s.recurse)
    )


def unknown_project(ctx: CheckContext) -> Iterator[Violation]:
    """GL406: a project that no AppProject in the repo defines."""
    index = argo_index(ctx.repo)
    for app in reported_apps(ctx, index):
        project = app.project
        if not isinstance(project, str) or not project or project == "default" or is_templated(project):
            continue
        if project in index.projects or index.declared & {project, ANY_PROJECT}:
            continue
        if index.projects or index.declared:
            yield app_violation(
                index,
                app,
                f"{app.label} uses project {project!r}, which no AppProject in this "
                "repository defines; add the AppProject or fix the name",
                app.at("project"),
                f"project:{project}",
            )
        else:  # no AppProject here at all: they may well be managed in another repository
            v = app_violation(
                index,
                app,
                f"{app.label} uses project {project!r}, and this repository defines no AppProject at all; "
                f"add it here, or disable {ctx.card.id} if projects are managed in another repository",
                app.at("project"),
                f"project:{project}",
            )
            yield replace(v, severity=Severity.WARNING)


def project_violation(ctx: CheckContext) -> Iterator[Violation]:
    """GL407: sources, destination or resource kinds that the app's AppProject does not allow."""
    index = argo_index(ctx.repo)
    crds = crd_scopes(ctx.repo)
    for app in reported_apps(ctx, index):
        project = app.project if isinstance(app.project, str) and app.project else "default"
        doc = index.projects.get(project)
        spec = doc.get("spec") if doc is not None else None
        if not isinstance(spec, dict):
            continue  # unknown (GL406) or the built-in permissive default project
        yield from _source_violations(index, app, project, spec)
        yield from _destination_violations(index, app, project, spec)
        if restricts_kinds(spec):
            yield from _kind_violations(index, app, project, spec, crds)


def _source_violations(index, app, project, spec) -> Iterator[Violation]:
    for s in app.sources:
        for url in index.resolve(app, s.repo_url):
            if url and not source_permitted(spec, url, normalize_url):
                yield app_violation(
                    index,
                    app,
                    f"{app.label} pulls from {url}, which AppProject/{project} does not "
                    "list in sourceRepos; add it there or change the source",
                    app.at(*s.where, "repoURL"),
                    f"source:{url}",
                )


def _destination_violations(index, app, project, spec) -> Iterator[Violation]:
    dest = app.destination
    fields = {k: dest.get(k) for k in ("server", "name", "namespace") if isinstance(dest.get(k), str)}
    variants: list[dict[str, str]] = [{}]
    for k, value in fields.items():
        values = index.resolve(app, value)
        variants = [{**v, k: x} for v in variants for x in values]
    for concrete in variants:
        if concrete and destination_permitted(spec, concrete) is False:
            shown = ", ".join(f"{k}={v}" for k, v in concrete.items())
            yield app_violation(
                index,
                app,
                f"{app.label} deploys to ({shown}), which AppProject/{project} does not "
                "allow in destinations; extend the project or change the destination",
                app.at("destination", key=True),
                f"destination:{shown}",
            )


def _refused_kinds(repo, path: str, recurse: bool, spec: dict, crds: dict) -> list[tuple]:
    """Kinds of the path that the project refuses: a cheap pass over the manifests first, confirmed on the
    rendered build when it finds something (kustomize never adds kinds, but `$patch: delete` removes some)."""

    def refused(kinds):
        out = []
        for group, kind, source in kinds:
            hit = refusal(spec, group, kind, is_cluster_scoped(group, kind, crds))
            if hit is not None:
                out.append((group, kind, source, hit))
        return out

    found = refused(path_kinds(repo, path, recurse, render=False))
    if found and path in repo.kustomizations:
        found = refused(path_kinds(repo, path, recurse))
    return found


def _kind_violations(index, app, project, spec, crds) -> Iterator[Violation]:
    seen = set()
    for s in app.sources:
        for path in index.local_paths(app, s):
            for group, kind, source, refused in _refused_kinds(index.repo, path, s.recurse, spec, crds):
                if (group, kind) in seen:
                    continue
                seen.add((group, kind))
                gk = f"{group}/{kind}" if group else kind
                where = f" ({source})" if source else ""
                scope, refused = refused
                yield app_violation(
                    index,
                    app,
                    f"{app.label} deploys {scope} {gk}{where}, which AppProject/{project} "
                    f"refuses ({refused}); allow the kind in the project or move it to another app",
                    app.at(*s.where, "path"),
                    f"kind:{gk}",
                )
