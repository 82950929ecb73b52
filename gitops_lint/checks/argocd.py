"""Argo CD rules (GL401–GL411) over Applications, ApplicationSet templates and AppProjects."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..argo_appset import files_under, is_templated, matched_directories, matched_files
from ..argo_model import APPLICATIONSET, ArgoApp, ArgoIndex, Source, argo_index, normalize_url
from ..argo_project import (
    crd_scopes,
    destination_permitted,
    is_cluster_scoped,
    kind_permitted,
    path_kinds,
    source_permitted,
)
from ..findings import Position, Violation

PREEXISTING_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
DEPLOYABLE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonnet", ".libsonnet")


def _violation(index: ArgoIndex, app: ArgoApp, message: str, position: Position, key: str) -> Violation:
    return Violation(
        app.doc.path,
        message,
        position,
        resource=app.doc.ref,
        environment=index.environment(app),
        key=f"{app.label}:{key}",
    )


def _policy_position(app: ArgoApp, *path) -> Position:
    """The deepest existing key of syncPolicy.<path>, else the spec itself."""
    for depth in range(len(path), -1, -1):
        probe = ("syncPolicy", *path[:depth])
        node = app.spec
        for part in probe:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None or (depth == 0 and "syncPolicy" in app.spec):
            return app.position(*probe, key=True)
    return app.doc.position(app.base, key=True)


# -- sync policy ----------------------------------------------------------------------------------
def automated_sync(ctx) -> Iterator[Violation]:
    """GL401: no automated sync — Git changes wait for a manual sync."""
    index = argo_index(ctx.repo)
    for app in index.apps:
        if app.automated is None:
            yield _violation(
                index,
                app,
                f"{app.label} has no syncPolicy.automated, so merged changes are not "
                "applied until someone syncs by hand; enable automated sync",
                _policy_position(app, "automated"),
                "automated",
            )


def _automated_flag(ctx, flag: str, consequence: str) -> Iterator[Violation]:
    index = argo_index(ctx.repo)
    for app in index.apps:
        auto = app.automated
        if auto is not None and auto.get(flag) is not True:
            yield _violation(
                index,
                app,
                f"{app.label} syncs automatically without {flag}: true ({consequence}); "
                f"set syncPolicy.automated.{flag}: true",
                _policy_position(app, "automated", flag),
                flag,
            )


def self_heal(ctx) -> Iterator[Violation]:
    """GL402: automated sync without selfHeal — manual drift in the cluster stays."""
    yield from _automated_flag(ctx, "selfHeal", "changes made directly in the cluster are never reverted")


def prune(ctx) -> Iterator[Violation]:
    """GL403: automated sync without prune — deleted manifests stay in the cluster."""
    yield from _automated_flag(ctx, "prune", "resources removed from Git stay in the cluster")


def retry(ctx) -> Iterator[Violation]:
    """GL404: no bounded retry with backoff."""
    index = argo_index(ctx.repo)
    for app in index.apps:
        policy = app.sync_policy.get("retry")
        if not isinstance(policy, dict):
            problem = "has no syncPolicy.retry, so a transient failure leaves the sync failed"
        elif (
            isinstance(policy.get("limit"), bool)
            or not isinstance(policy.get("limit"), int)
            or policy["limit"] <= 0
        ):
            problem = "retries without a positive limit (unbounded or none)"
        elif not isinstance(policy.get("backoff"), dict):
            problem = "retries without a backoff"
        else:
            continue
        yield _violation(
            index,
            app,
            f"{app.label} {problem}; set syncPolicy.retry with a limit and a backoff",
            _policy_position(app, "retry"),
            "retry",
        )


# -- projects -------------------------------------------------------------------------------------
def default_project(ctx) -> Iterator[Violation]:
    """GL405: the `default` project (or none) — no RBAC or destination boundary."""
    index = argo_index(ctx.repo)
    for app in index.apps:
        project = app.project
        if project in (None, "", "default") and not _deploys_projects(index, app):
            where = app.position("project") if "project" in app.spec else app.doc.position(app.base, key=True)
            yield _violation(
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


def unknown_project(ctx) -> Iterator[Violation]:
    """GL406: a project that no AppProject in the repo defines."""
    index = argo_index(ctx.repo)
    for app in index.apps:
        project = app.project
        if not isinstance(project, str) or not project or project == "default" or is_templated(project):
            continue
        if project not in index.projects:
            yield _violation(
                index,
                app,
                f"{app.label} uses project {project!r}, which no AppProject in this "
                "repository defines; add the AppProject or fix the name",
                app.position("project"),
                f"project:{project}",
            )


def project_violation(ctx) -> Iterator[Violation]:
    """GL407: sources, destination or resource kinds that the app's AppProject does not allow."""
    index = argo_index(ctx.repo)
    crds = crd_scopes(ctx.repo)
    for app in index.apps:
        project = app.project if isinstance(app.project, str) and app.project else "default"
        doc = index.projects.get(project)
        spec = doc.get("spec") if doc is not None else None
        if not isinstance(spec, dict):
            continue  # unknown (GL406) or the built-in permissive default project
        yield from _source_violations(index, app, project, spec)
        yield from _destination_violations(index, app, project, spec)
        yield from _kind_violations(index, app, project, spec, crds)


def _source_violations(index, app, project, spec) -> Iterator[Violation]:
    for s in app.sources:
        for url in index.resolve(app, s.repo_url):
            if url and not source_permitted(spec, url, normalize_url):
                yield _violation(
                    index,
                    app,
                    f"{app.label} pulls from {url}, which AppProject/{project} does not "
                    "list in sourceRepos; add it there or change the source",
                    app.position(*s.where, "repoURL"),
                    f"source:{url}",
                )


def _destination_violations(index, app, project, spec) -> Iterator[Violation]:
    dest = app.destination
    fields = {k: dest.get(k) for k in ("server", "name", "namespace") if isinstance(dest.get(k), str)}
    variants = [{}]
    for k, value in fields.items():
        values = index.resolve(app, value)
        variants = [{**v, k: x} for v in variants for x in values]
    for concrete in variants:
        if concrete and destination_permitted(spec, concrete) is False:
            shown = ", ".join(f"{k}={v}" for k, v in concrete.items())
            yield _violation(
                index,
                app,
                f"{app.label} deploys to ({shown}), which AppProject/{project} does not "
                "allow in destinations; extend the project or change the destination",
                app.position("destination", key=True),
                f"destination:{shown}",
            )


def _kind_violations(index, app, project, spec, crds) -> Iterator[Violation]:
    seen = set()
    for s in app.sources:
        for path in index.local_paths(app, s):
            for group, kind, doc in path_kinds(index.repo, path, s.recurse):
                cluster = is_cluster_scoped(group, kind, crds)
                refused = kind_permitted(spec, group, kind, cluster)
                if refused is None or (group, kind) in seen:
                    continue
                seen.add((group, kind))
                gk = f"{group}/{kind}" if group else kind
                where = f" ({doc.path})" if doc is not None and hasattr(doc, "path") else ""
                scope = "cluster-scoped" if cluster else "namespaced"
                yield _violation(
                    index,
                    app,
                    f"{app.label} deploys {scope} {gk}{where}, which AppProject/{project} "
                    f"refuses ({refused}); allow the kind in the project or move it to another app",
                    app.position(*s.where, "path"),
                    f"kind:{gk}",
                )


# -- sources --------------------------------------------------------------------------------------
def source_path_missing(ctx) -> Iterator[Violation]:
    """GL408: a source in this repo whose path does not exist or holds nothing Argo CD can render."""
    index = argo_index(ctx.repo)
    tree = ctx.repo.tree
    for app in index.apps:
        for s in app.sources:
            for rel in index.local_paths(app, s):
                problem = _path_problem(ctx.repo, tree, rel, s, app)
                if problem:
                    yield _violation(
                        index,
                        app,
                        f"{app.label} source path {rel or '.'!r} {problem}",
                        app.position(*s.where, "path"),
                        f"path:{rel}",
                    )
        for s, i, item, problem in value_file_problems(index, app):
            yield _violation(
                index,
                app,
                f"{app.label} Helm value file {item!r} {problem}; fix the path or the ref",
                app.position(*s.where, "helm", "valueFiles", i),
                f"values:{item}",
            )


def value_file_problems(index: ArgoIndex, app: ArgoApp) -> Iterator[tuple[Source, int, str, str]]:
    """(source, item index, file, problem) for `$ref/...` Helm value files that are missing in this repo."""
    refs = {s.ref: s for s in app.sources if s.ref}
    for s in app.sources:
        helm = _raw_source(app, s).get("helm")
        files = helm.get("valueFiles") if isinstance(helm, dict) else None
        for i, item in enumerate(files if isinstance(files, list) else []):
            if not isinstance(item, str) or not item.startswith("$") or "/" not in item:
                continue
            name, rest = item[1:].split("/", 1)
            ref = refs.get(name)
            if ref is None:
                yield s, i, item, f"refers to ${name}, which no source of this app declares as `ref: {name}`"
                continue
            if not index.is_local(ref.repo_url) or is_templated(rest):
                continue
            rel = index.repo_path(ref.repo_url, rest)
            if rel is not None and not index.repo.tree.is_file(rel):
                yield s, i, item, "does not exist in this repository"


def _raw_source(app: ArgoApp, s: Source) -> dict:
    node = app.spec.get(s.where[0])
    if isinstance(node, list):
        node = node[s.where[1]]
    return node if isinstance(node, dict) else {}


def _path_problem(repo, tree, rel: str, s: Source, app: ArgoApp) -> str | None:
    if rel and not tree.is_dir(rel):
        if tree.is_file(rel):
            return "is a file, not a directory; point it at the directory that holds the manifests"
        return "does not exist in this repository; fix the path or add the directory"
    if "plugin" in _raw_source(app, s):
        return None  # a config management plugin decides what it reads
    prefix = rel + "/" if rel else ""
    below = files_under(repo, rel)
    for f in below:
        rest = f[len(prefix) :]
        if ("/" not in rest or s.recurse) and (
            rest.endswith(DEPLOYABLE_SUFFIXES) or posixpath.basename(rest) in ("Kustomization", "Chart.yaml")
        ):
            return None
    deeper = any(f.endswith(DEPLOYABLE_SUFFIXES) for f in below)
    if deeper and not s.recurse:
        return "holds no manifest at its top level and Argo CD ignores subdirectories unless directory.recurse is set; set it or point the path at the subdirectory"
    return "holds nothing Argo CD can deploy; add manifests, a kustomization or a chart"


def revision_unpinned(ctx) -> Iterator[Violation]:
    """GL409: targetRevision empty or HEAD (a chart version empty or `*`)."""
    index = argo_index(ctx.repo)
    for app in index.apps:
        for s in app.sources:
            rev = s.target_revision
            text = "" if rev is None else str(rev).strip()
            floating = ("", "*") if s.chart else ("", "HEAD")
            if is_templated(text) or text not in floating:
                continue
            shown = text or "empty"
            where = (
                app.position(*s.where, "targetRevision")
                if rev is not None
                else app.position(*s.where, key=True)
            )
            what, follows = (
                ("chart version", "the newest chart release")
                if s.chart
                else ("targetRevision", "the default branch")
            )
            yield _violation(
                index,
                app,
                f"{app.label} {what} is {shown}, so what is deployed follows {follows}; "
                "pin a tag, commit or explicit branch",
                where,
                f"revision:{'/'.join(map(str, s.where))}",
            )


def namespace_not_created(ctx) -> Iterator[Violation]:
    """GL410: a destination namespace that nothing creates."""
    index = argo_index(ctx.repo)
    defined = {d.name for d in ctx.repo.objects("Namespace") if d.name}
    created_by_apps = {
        ns
        for a in index.apps
        if _creates_namespace(a)
        for ns in index.resolve(a, a.destination.get("namespace"))
    }
    for app in index.apps:
        if _creates_namespace(app):
            continue
        argo_ns = app.doc.namespace or "argocd"
        for ns in index.resolve(app, app.destination.get("namespace")):
            if (
                not ns
                or ns in PREEXISTING_NAMESPACES
                or ns == argo_ns
                or ns in defined
                or ns in created_by_apps
            ):
                continue
            yield _violation(
                index,
                app,
                f"{app.label} deploys into namespace {ns!r}, which no Namespace manifest "
                "here defines; add syncOptions CreateNamespace=true or a Namespace manifest",
                app.position("destination", "namespace"),
                f"namespace:{ns}",
            )


def _creates_namespace(app: ArgoApp) -> bool:
    return "CreateNamespace=true" in app.sync_options or "managedNamespaceMetadata" in app.sync_policy


# -- ApplicationSets ------------------------------------------------------------------------------
def appset_no_match(ctx) -> Iterator[Violation]:
    """GL411: a git generator of this repo whose directories or files match nothing."""
    index = argo_index(ctx.repo)
    for doc in ctx.repo.objects(APPLICATIONSET):
        for gen in index.generators.get(id(doc), []):
            if not index.is_local(gen.repo_url):
                continue
            excludes = [d for d in gen.directories if d[1]]
            for pattern, exclude, where in gen.directories:
                if exclude or is_templated(pattern):
                    continue
                probe = type(gen)(gen.repo_url, "", (), [(pattern, False, ()), *excludes])
                if not matched_directories(probe, index.directories, index.prefix):
                    yield _no_match(doc, "directory", pattern, where)
            for pattern, where in gen.files:
                if not is_templated(pattern) and not matched_files(pattern, ctx.repo.files, index.prefix):
                    yield _no_match(doc, "file", pattern, where)


def _no_match(doc, what: str, pattern: str, where: tuple) -> Violation:
    return Violation(
        doc.path,
        f"ApplicationSet/{doc.name or '?'} git {what} generator path {pattern!r} matches "
        "nothing in this repository, so it generates no Application; fix the pattern",
        doc.position(where),
        resource=doc.ref,
        key=f"{what}:{pattern}",
    )
