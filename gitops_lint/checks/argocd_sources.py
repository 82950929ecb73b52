"""Argo CD rules about what Applications point at: source paths (GL408), revisions (GL409), destination
namespaces (GL410) and ApplicationSet git generators (GL411)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitops_lint.argo.apps import ArgoApp, Source
from gitops_lint.argo.appset import files_under, is_templated
from gitops_lint.argo.helm_projects import chart_templates_define
from gitops_lint.argo.model import ArgoIndex, argo_index, pattern_hits
from gitops_lint.argo.project import crd_scopes, is_cluster_scoped, path_namespaces
from gitops_lint.checks.argocd import app_violation, reported_apps
from gitops_lint.core.findings import Violation

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

PREEXISTING_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease", "openshift"}
PLATFORM_NAMESPACE_PREFIXES = ("openshift-",)  # created by the platform (OpenShift's operators)
_WILDCARD = re.compile(r"(^|\.)[xX](\.|$)")
DEPLOYABLE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonnet", ".libsonnet")


# -- sources --------------------------------------------------------------------------------------
def source_path_missing(ctx: CheckContext) -> Iterator[Violation]:
    """GL408: a source in this repo whose path does not exist or holds nothing Argo CD can render."""
    index = argo_index(ctx.repo)
    tree = ctx.repo.tree
    for app in index.apps:
        for s in app.sources:
            for rel in index.local_paths(app, s):
                problem = _path_problem(ctx.repo, tree, rel, s, app)
                if problem:
                    yield app_violation(
                        index,
                        app,
                        f"{app.label} source path {rel or '.'!r} {problem}",
                        app.at(*s.where, "path"),
                        f"path:{rel}",
                    )
        for s, i, item, problem in value_file_problems(index, app):
            yield app_violation(
                index,
                app,
                f"{app.label} Helm value file {item!r} {problem}; fix the path or the ref",
                app.at(*s.where, "helm", "valueFiles", i),
                f"values:{item}",
            )


def value_file_problems(index: ArgoIndex, app: ArgoApp) -> Iterator[tuple[Source, int, str, str]]:
    """(source, item index, file, problem) for Helm value files missing in this repo: `$ref/...` files of
    multi-source apps, and files relative to a chart source's own path here."""
    refs = {s.ref: s for s in app.sources if s.ref}
    for s in app.sources:
        helm = _raw_source(app, s).get("helm")
        if not isinstance(helm, dict) or helm.get("ignoreMissingValueFiles") is True:
            continue
        files = helm.get("valueFiles")
        for i, item in enumerate(files if isinstance(files, list) else []):
            if not isinstance(item, str) or is_templated(item) or "://" in item:
                continue
            if not item.startswith("$"):
                for base in index.local_paths(app, s):
                    rel = index.repo_path(s.repo_url, posixpath.join(index.git_path(base), item))
                    if rel is not None and not index.repo.tree.is_file(rel):
                        yield s, i, item, f"does not exist in this repository (looked for {rel})"
                continue
            if "/" not in item:
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


def revision_unpinned(ctx: CheckContext) -> Iterator[Violation]:
    """GL409: targetRevision empty or HEAD (a chart version empty or `*`)."""
    index = argo_index(ctx.repo)
    for app in reported_apps(ctx, index):
        for s in app.sources:
            rev = s.target_revision
            text = "" if rev is None else str(rev).strip()
            floating = _floating_chart(text) if s.chart else text in ("", "HEAD")
            if is_templated(text) or not floating:
                continue
            shown = text or "empty"
            where = app.at(*s.where, "targetRevision") if rev is not None else app.at(*s.where, key=True)
            what, follows = (
                ("chart version", "the newest chart release")
                if s.chart
                else ("targetRevision", "the default branch")
            )
            yield app_violation(
                index,
                app,
                f"{app.label} {what} is {shown}, so what is deployed follows {follows}; "
                "pin a tag, commit or explicit branch",
                where,
                f"revision:{'/'.join(map(str, s.where))}",
            )


def _floating_chart(version: str) -> bool:
    """An empty chart version, `*`, or a semver range (`^1.2`, `~1.2`, `>=1.0`, `1.2.x`, `a || b`)."""
    return not version or any(c in version for c in "*^~<>|") or bool(_WILDCARD.search(version))


def namespace_not_created(ctx: CheckContext) -> Iterator[Violation]:
    """GL410: a destination namespace that nothing creates."""
    index = argo_index(ctx.repo)
    defined = {d.name for d in ctx.repo.objects("Namespace") if d.name}
    created_by_apps = {
        ns
        for a in index.apps
        if _creates_namespace(a)
        for ns in index.resolve(a, a.destination.get("namespace"))
    }
    crds = crd_scopes(ctx.repo)
    for app in index.apps:
        if (
            _creates_namespace(app)
            or _chart_creates_namespace(index, app)
            or app.patched("CreateNamespace", "managedNamespaceMetadata", "destination")
        ):
            continue
        argo_ns = app.doc.namespace or "argocd"
        for ns in index.resolve(app, app.destination.get("namespace")):
            if (
                not ns
                or ns in PREEXISTING_NAMESPACES
                or ns.startswith(PLATFORM_NAMESPACE_PREFIXES)
                or ns == argo_ns
                or ns in defined
                or ns in created_by_apps
                or _self_namespaced(index, app, ns, crds)
            ):
                continue
            yield app_violation(
                index,
                app,
                f"{app.label} deploys into namespace {ns!r}, which no Namespace manifest "
                "here defines; add syncOptions CreateNamespace=true or a Namespace manifest",
                app.at("destination", "namespace"),
                f"namespace:{ns}",
            )


def _self_namespaced(index: ArgoIndex, app: ArgoApp, ns: str, crds: dict) -> bool:
    """Whether every object the app deploys (all sources in this repo, known) is cluster-scoped or sets
    its own namespace other than `ns`, so that nothing lands in the destination namespace."""
    objects: list = []
    for source in app.sources:
        paths = index.local_paths(app, source)
        if not paths:
            return False
        for path in paths:
            found = path_namespaces(index.repo, path, source.recurse)
            if found is None:
                return False
            objects += found
    return bool(objects) and all(
        (namespace is not None and namespace != ns) or is_cluster_scoped(group, kind, crds) is True
        for group, kind, namespace in objects
    )


def _chart_creates_namespace(index: ArgoIndex, app: ArgoApp) -> bool:
    """A local Helm chart whose templates declare a Namespace (its name is only known after rendering)."""
    return any(
        chart_templates_define(index.repo, "Namespace", path)
        for s in app.sources
        for path in index.local_paths(app, s)
    )


def _creates_namespace(app: ArgoApp) -> bool:
    return "CreateNamespace=true" in app.sync_options or "managedNamespaceMetadata" in app.sync_policy


# -- ApplicationSets ------------------------------------------------------------------------------
def appset_no_match(ctx: CheckContext) -> Iterator[Violation]:
    """GL411: a git generator of this repo whose directories or files match nothing."""
    index = argo_index(ctx.repo)
    for doc in index.appsets:
        for gen in index.generators.get(id(doc), []):
            if not index.is_local(gen.repo_url):
                continue
            for matched, what, pattern, where in pattern_hits(index, gen):
                if not matched:
                    yield _no_match(doc, what, pattern, where)


def _no_match(doc, what: str, pattern: str, where: tuple) -> Violation:
    return Violation(
        doc.path,
        f"ApplicationSet/{doc.name or '?'} git {what} generator path {pattern!r} matches "
        "nothing in this repository, so it generates no Application; fix the pattern",
        doc.position(where),
        resource=doc.ref,
        key=f"{what}:{pattern}",
    )
