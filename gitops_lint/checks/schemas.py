"""Schema rules: resources against their schemas (GL304), kinds without a schema (GL305), and
deprecated or removed Kubernetes APIs (GL306).

What is validated: complete manifests in the sources (not the partial documents that kustomizations
use as patches, and not Helm chart templates), kustomization files against kustomize's own fields
(never as Kubernetes objects), and custom resources against the CRDs found in the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops_lint.core.datapath import as_dict, dig
from gitops_lint.core.findings import Severity, Violation
from gitops_lint.core.loader import Document
from gitops_lint.deploy.file_roles import deployment_roles, judged
from gitops_lint.flux.model import flux_index
from gitops_lint.flux.substitution import is_unresolved, substituted
from gitops_lint.model.file_roles import declined_files
from gitops_lint.model.kustomizations import KUSTOMIZATION_FILES, is_kustomization_file
from gitops_lint.model.locator import document_containing
from gitops_lint.schemas import INVALID, VALID, Result, SchemaStore
from gitops_lint.schemas.deprecations import api_status
from gitops_lint.schemas.kubernetes import parse_version, resolve_version

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext
    from gitops_lint.model.rendered_views import RootRender

KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
CRD_KIND = "apiextensions.k8s.io/CustomResourceDefinition"


def schema_store(repo) -> SchemaStore:
    """The repository's schema store, built once per lint run and shared by the schema rules."""
    return repo.derived(_build_store)


def _build_store(repo) -> SchemaStore:
    crds = [(d.path, d.data) for d in repo.objects(CRD_KIND)]
    return SchemaStore(repo.config.kubernetes_version, _schema_dirs(repo), crds)


def _schema_dirs(repo) -> list[Path]:
    root = getattr(repo.tree, "root", None)
    dirs = []
    for entry in repo.config.schema_dirs:
        path = Path(entry).expanduser()
        if not path.is_absolute() and root is not None:
            path = Path(root) / path
        dirs.append(path)
    return dirs


def _is_kustomize_config(doc: Document) -> bool:
    return _is_kustomize_api(doc.api_version)


def _is_kustomize_api(api_version: str) -> bool:
    return api_version.rpartition("/")[0] == KUSTOMIZE_GROUP or api_version == "builtin"


def manifests(repo, owns: Callable[[str], bool] | None = None) -> list[Document]:
    """Source documents that are meant to be complete Kubernetes objects, in files the repository's one
    decision judges (not patches, generator inputs, templates, fixtures, tool configs, values files);
    found once per run; with `owns`, only those in the files it accepts."""
    found = repo.derived(_find_manifests)
    return found if owns is None else [doc for doc in found if owns(doc.path)]


def _find_manifests(repo) -> list[Document]:
    roles = deployment_roles(repo)  # `judged(repo, path)`, read from the one index: every parsed file has its role
    return [doc for doc in repo.documents
            if (api_version := doc.api_version) and doc.kind and not _is_kustomize_api(api_version)
            and ((role := roles.get(doc.path)) is not None and role.judged or role is None and judged(repo, doc.path))]


def _kustomization_documents(repo, owns: Callable[[str], bool]) -> Iterator[Document]:
    """Kustomizations (under a kustomization file name, or another one) in files `owns` accepts and judged."""
    for path, parsed in repo.parsed_files.items():
        # (`endswith` first: a cheap pre-filter over every file of a large repository)
        if path.endswith(KUSTOMIZATION_FILES) and owns(path) and is_kustomization_file(path) and judged(repo, path):
            yield from (d for d in parsed.documents if isinstance(d.data, dict))
    # a kustomization under another file name (e.g. a generator config)
    for doc in repo.objects(f"{KUSTOMIZE_GROUP}/Kustomization", f"{KUSTOMIZE_GROUP}/Component"):
        if owns(doc.path) and judged(repo, doc.path):
            yield doc


def _violations(
    doc: Document, result, what: str, prefix: tuple = (), resource: str | None = None
) -> Iterator[Violation]:
    for problem in result.problems:
        yield Violation(
            doc.path,
            f"{what}: {problem.message}",
            doc.position((*prefix, *problem.path), key=problem.at_key),
            resource=resource,
            key=f"{doc.index}:{'.'.join(map(str, prefix))}:{problem.message}",
        )


def _objects(doc: Document) -> Iterator[tuple[tuple, dict]]:
    """(path prefix, object): the document itself, or each item of a `kind: List`."""
    items = doc.data.get("items")
    if doc.kind == "List" and isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("apiVersion") and item.get("kind"):
                yield ("items", i), item
    else:
        yield (), doc.data


def k8s_schema(ctx: CheckContext) -> Iterator[Violation]:
    """GL304: manifests that fail their Kubernetes, CRD or bundled schema; kustomizations that fail kustomize's;
    and (option `rendered`) objects that only fail once an overlay's patches and transformers applied.

    Scope `root`: in a shard, the files it owns and the builds of its roots. A file's own findings and
    the build findings located in it (deduplicated by `seen`) come from the same shard, since every root
    that reads a file is in the file's unit (`model/partition.py`). Rendered Helm releases (shard 1's) are
    located in release manifests and values, where no file-level problem has the same place and message."""
    store = schema_store(ctx.repo)
    rendered = ctx.option("rendered")
    # a kustomize input may lack a required field that the build adds (commonLabels adds a selector):
    # with rendered validation on, its missing fields are judged on the build (when that succeeds)
    builds = list(ctx.repo.rendered.deployed_roots(lambda path: judged(ctx.repo, path))) if rendered else []
    completed_by_build = _kustomize_inputs(ctx.repo, builds)
    seen: set[tuple] = set()
    inherited = _flux_inherited(ctx.repo)
    owned = {path for path in ctx.repo.parsed_files if ctx.owns(path)}  # asked once per file
    for doc in manifests(ctx.repo, owned.__contains__):
        for prefix, data in _objects(doc):
            result = validate(store, data, inherited.get((doc.path, doc.index)) if not prefix else None)
            if result.status != INVALID:
                continue
            if doc.path in completed_by_build:
                result = replace(result, problems=tuple(p for p in result.problems if not p.missing))
            ref = _ref(data) if prefix else doc.ref
            yield from _violations(doc, result, ref, prefix, resource=ref)
            seen.update(
                (doc.path, doc.position((*prefix, *p.path), key=p.at_key), p.message) for p in result.problems
            )
    for doc in _kustomization_documents(ctx.repo, owned.__contains__):
        result = store.validate_kustomization(doc.data)
        if result.status == INVALID:
            yield from _violations(doc, result, "component" if doc.kind == "Component" else "kustomization")
    if rendered:
        yield from _rendered_violations(ctx.repo, builds, store, seen, inherited)


def validate(store: SchemaStore, data: dict, inherited: dict | None = None) -> Result:
    """Validate an object as its operator applies it: SOPS metadata is the encryption tool's, never a
    field (`sops -d` removes it); a Flux substitution with a default is its default, a bare `${VAR}` or
    SOPS ciphertext is a value the tool cannot see; spec fields a parent Flux Kustomization patches in
    (`inherited`) are present."""
    if isinstance(data.get("sops"), dict):
        data = {k: v for k, v in data.items() if k != "sops"}
    if inherited and isinstance(data.get("spec"), dict):
        data = {**data, "spec": {**inherited, **data["spec"]}}
    result = store.validate(substituted(data))
    if result.status != INVALID:
        return result
    kept = tuple(p for p in result.problems if not is_unresolved(dig(data, p.path)))
    if len(kept) == len(result.problems):
        return result
    return replace(result, problems=kept) if kept else replace(result, status=VALID, problems=())


def _flux_inherited(repo) -> dict[tuple[str, int], dict]:
    """(file, document index) → spec fields parent Flux Kustomizations patch into that object."""
    out: dict[tuple[str, int], dict] = {}
    for o in flux_index(repo).objects:
        if o.doc is not None and o.inherited:
            out.setdefault((o.doc.path, o.doc.index), dict(o.inherited))
    return out


def _kustomize_inputs(repo, builds: list[RootRender]) -> set[str]:
    """Files read by a kustomization root whose build succeeds (their build is validated too); `builds`:
    the deployed roots of the run (in a shard, its roots, which are every root that reads a file it owns)."""
    return {f for render in builds if render.ok for f in repo.files_read_by(render.root)}


def _rendered_violations(repo, builds: list[RootRender], store: SchemaStore, seen: set[tuple],
                         inherited: dict) -> Iterator[Violation]:
    """Schema errors of each deployed root's build (`builds`), at the line that set the field; each place once."""
    views = repo.rendered
    for render in builds:
        if not render.ok:
            continue  # GL205 reports the failed build
        for obj in render.objects:
            data = obj.data
            if not isinstance(data, dict) or str(data.get("apiVersion", "")).startswith(KUSTOMIZE_GROUP):
                continue
            source = document_containing(views.documents_of(obj.source), obj.position) if inherited else None
            result = validate(store, data, inherited.get((source.path, source.index)) if source else None)
            if result.status != INVALID:
                continue
            ref = _ref(data)
            for problem in result.problems:
                path, position = views.locator(obj, into_patches=True)(problem.path, key=problem.at_key)
                if (path, position, problem.message) in seen:
                    continue
                seen.add((path, position, problem.message))
                yield Violation(
                    path,
                    f"{ref}: {problem.message} (in the build of {render.root or '.'})",
                    position,
                    resource=ref,
                    environment=render.environment,
                    key=f"rendered:{ref}:{problem.message}",
                )


def _ref(data: dict) -> str:
    meta = as_dict(data.get("metadata"))
    ns = meta.get("namespace")
    return (
        f"{data.get('kind') or '?'}/{ns + '/' if isinstance(ns, str) and ns else ''}{meta.get('name') or '?'}"
    )


def k8s_unknown_kind(ctx: CheckContext) -> Iterator[Violation]:
    """GL305: one finding per apiVersion/kind without any schema, with how many resources use it."""
    store = schema_store(ctx.repo)
    target = _target(ctx.repo)
    seen: dict[tuple[Any, Any], list[tuple[Document, tuple]]] = {}  # (apiVersion, kind) as written
    for doc in manifests(ctx.repo):
        for prefix, data in _objects(doc):
            key: tuple[Any, Any] = (data.get("apiVersion"), data.get("kind"))
            if key in seen:
                seen[key].append((doc, prefix))
            elif not store.has_schema(*key) and not _removed(*key, target):
                seen[key] = [(doc, prefix)]
    unread = _declined_texts(ctx.repo)
    for (api_version, kind), uses in seen.items():
        if any(f"kind: {kind}".encode() in raw for raw in unread):
            continue  # its CRD is likely in a file the tool declined to read (GL307 says so, once)
        first, prefix = uses[0]
        ref = _ref(first.get(*prefix)) if prefix else first.ref
        count = f"{len(uses)} resource{'s' if len(uses) != 1 else ''}"
        yield Violation(
            first.path,
            f"no schema for {api_version} {kind} ({count}, first {ref}); "
            "add its CRD to the repository or its schema to schema_dirs",
            first.position((*prefix, "kind")),
            resource=ref,
            key=f"{api_version}:{kind}",
        )


def _declined_texts(repo) -> list[bytes]:
    """Raw content of files over the tool's limits (searched for a kind's name, never parsed)."""
    out = []
    for path in declined_files(repo):
        try:
            out.append(repo.tree.read_bytes(path))
        except (OSError, ValueError):
            continue
    return out


def _target(repo) -> tuple[int, int]:
    """The Kubernetes version deprecations are judged against: the configured one, else the newest bundled."""
    configured = parse_version(repo.config.kubernetes_version) if repo.config.kubernetes_version else None
    return configured or resolve_version(None) or (1, 99)


def _removed(api_version: str, kind: str, target: tuple[int, int]) -> bool:
    status = api_status(api_version, kind, target)
    return status is not None and status.removed


def k8s_deprecated_api(ctx: CheckContext) -> Iterator[Violation]:
    """GL306: apiVersions deprecated in the target Kubernetes version (warning) or removed (error)."""
    target = _target(ctx.repo)
    for doc in ctx.documents():
        if not doc.api_version or not doc.kind or _is_kustomize_config(doc) or not judged(ctx.repo, doc.path):
            continue
        status = api_status(doc.api_version, doc.kind, target)
        if status is None:
            continue
        yield Violation(
            doc.path,
            f"{doc.ref}: {status.message(doc.kind, target)}",
            doc.position(("apiVersion",)),
            resource=doc.ref,
            key=f"{doc.index}:{doc.api_version}",
            severity=Severity.ERROR if status.removed else Severity.WARNING,
        )
