"""Flux rules (GL501–GL507) over Kustomizations, HelmReleases and their sources.

Every object is judged as each build deploys it (see `gitops_lint.flux.model`); the same finding from
several builds of one file is reported once. `${VAR}` post-build substitutions are never judged: their
values only exist in the cluster. Objects in files nothing deploys (a root no parent lists: GL105 says
it once) are not judged; a reference to an object defined only there says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Violation
from gitops_lint.core.graph import cycle_path, cyclic_components
from gitops_lint.deploy.file_roles import explain, judged
from gitops_lint.flux.model import HELMRELEASE, KUSTOMIZATION, FluxIndex, flux_index
from gitops_lint.flux.objects import FluxObject, has_placeholder, is_flux
from gitops_lint.secrets.sops import is_encrypted_file

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

_CRD_WORD = re.compile(r"(?:^|[^a-z])crds?(?:[^a-z]|$)", re.IGNORECASE)
_EXACT_VERSION = re.compile(r"^=?\s*v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_SOURCE_FIELDS: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]] = {
    # referrer kind -> (field path, default kind, allowed kinds)
    KUSTOMIZATION: [
        (
            ("spec", "sourceRef"),
            "GitRepository",
            ("GitRepository", "OCIRepository", "Bucket", "ExternalArtifact"),
        )
    ],
    HELMRELEASE: [
        (
            ("spec", "chart", "spec", "sourceRef"),
            "HelmRepository",
            ("HelmRepository", "GitRepository", "Bucket"),
        ),
        (("spec", "chartRef"), "OCIRepository", ("OCIRepository", "HelmChart", "ExternalArtifact")),
    ],
    "HelmChart": [(("spec", "sourceRef"), "HelmRepository", ("HelmRepository", "GitRepository", "Bucket"))],
}


def _violation(obj: FluxObject, message: str, key: str, *at) -> Violation:
    path, position = obj.at(*at)
    return Violation(
        path, message, position, resource=obj.doc.ref, environment=obj.environment, key=f"{obj.label}:{key}"
    )


def _deployed(index: FluxIndex, *kinds: str) -> list[FluxObject]:
    """Objects of these kinds in files something deploys (`deploy.file_roles`, the one decision)."""
    return [o for o in index.of_kind(*kinds) if judged(index.repo, o.doc.path)]


def _undeployed_definition(index: FluxIndex, kind: str, namespace: str, name: str) -> str:
    """", which is defined only in FILE, not deployed: WHY" when an undeployed file defines the object
    (a root commented out of its parent), else ", which this repository does not define"."""
    for doc in index.repo.documents:
        if doc.kind == kind and doc.name == name and is_flux(doc) and (not namespace or doc.namespace in
                                                                        (None, "", namespace)):
            role = explain(index.repo, doc.path)
            if not role.judged:
                return f", which is defined only in {doc.path}, and that file is not deployed ({role.reason})"
    return ", which this repository does not define"


def _unique(violations: Iterable[Violation]) -> Iterator[Violation]:
    """One finding per file, line and message, however many builds deploy the object."""
    seen = set()
    for v in violations:
        marker = (v.path, v.position, v.message)
        if marker not in seen:
            seen.add(marker)
            yield v


# -- GL501, GL505 -------------------------------------------------------------------------------------
def prune(ctx: CheckContext) -> Iterator[Violation]:
    """GL501: a Kustomization without `prune: true` leaves deleted manifests running."""
    yield from _unique(_prune(flux_index(ctx.repo)))


def _prune(index: FluxIndex) -> Iterator[Violation]:
    for ks in _deployed(index, KUSTOMIZATION):
        value = ks.setting("prune")
        if value is True or has_placeholder(value) or (value is False and _applies_crds(index, ks)):
            continue
        yield _violation(
            ks,
            f"{ks.label} does not set spec.prune: true, so objects removed from Git stay in "
            "the cluster; set prune: true",
            "prune",
            "spec",
            "prune",
        )


def _applies_crds(index: FluxIndex, ks: FluxObject) -> bool:
    """A Kustomization that applies CustomResourceDefinitions (named or pathed `crds`, or whose files hold
    only CRDs): an explicit `prune: false` there is deliberate, since pruning a CRD deletes every custom
    resource of its kind."""
    path = ks.spec.get("path")
    if _CRD_WORD.search(ks.name or "") or (isinstance(path, str) and _CRD_WORD.search(path)):
        return True
    parsed = [index.repo.parsed(f) for d in index.resolve(ks).dirs for f in index.deployed_files(d)]
    kinds = {doc.kind for p in parsed if p is not None for doc in p.documents if isinstance(doc.data, dict)}
    return kinds == {"CustomResourceDefinition"}


def suspended(ctx: CheckContext) -> Iterator[Violation]:
    """GL505: `suspend: true` committed to Git turns reconciliation off."""
    yield from _unique(_suspended(flux_index(ctx.repo)))


def _suspended(index: FluxIndex) -> Iterator[Violation]:
    for obj in index.objects:
        if obj.setting("suspend") is True and judged(index.repo, obj.doc.path):
            yield _violation(
                obj,
                f"{obj.label} is committed with suspend: true, so Flux does not reconcile it "
                "and drift goes uncorrected; remove suspend or set it to false",
                "suspend",
                "spec",
                "suspend",
            )


# -- GL502 ----------------------------------------------------------------------------------------------
def path_missing(ctx: CheckContext) -> Iterator[Violation]:
    """GL502: a Kustomization path (relative to its source's root) that is not in this repository."""
    yield from _unique(_path_missing(flux_index(ctx.repo)))


def _path_missing(index: FluxIndex) -> Iterator[Violation]:
    for ks in _deployed(index, KUSTOMIZATION):
        resolution = index.resolve(ks)
        if resolution.checkable and not resolution.dirs:
            path = ks.spec.get("path") or "./"
            yield _violation(
                ks,
                f"{ks.label} has spec.path {path!r} but {resolution.problem}, so the "
                "Kustomization fails; fix the path (it is relative to the source's root)",
                f"path:{path}",
                "spec",
                "path",
            )


# -- GL503 ----------------------------------------------------------------------------------------------
def source_missing(ctx: CheckContext) -> Iterator[Violation]:
    """GL503: sourceRef / chart.spec.sourceRef / chartRef to a source the repository does not define."""
    yield from _unique(_source_missing(flux_index(ctx.repo)))


def _source_missing(index: FluxIndex) -> Iterator[Violation]:
    for obj in _deployed(index, *_SOURCE_FIELDS):
        fields = _SOURCE_FIELDS[obj.kind]
        refs = [
            (where, default, allowed) for where, default, allowed in fields if obj.get(*where) is not None
        ]
        if not refs and obj.kind != "HelmChart":
            wanted = " or ".join(".".join(w) for w, _, _ in fields)
            yield _violation(
                obj,
                f"{obj.label} names no source ({wanted}), so Flux has nothing to fetch; "
                "add the source reference",
                "no-source",
                "spec",
            )
            continue
        for where, default, allowed in refs:
            ref = obj.get(*where)
            if not isinstance(ref, dict):
                continue
            kind, name = ref.get("kind") or default, ref.get("name")
            namespace = ref.get("namespace") or obj.namespace
            if any(has_placeholder(v) for v in (kind, name, namespace)) or not isinstance(name, str):
                continue
            if kind not in allowed:
                yield _violation(
                    obj,
                    f"{obj.label} references a {kind} in {'.'.join(where)}, which only "
                    f"accepts {', '.join(allowed)}; fix the kind",
                    f"kind:{kind}",
                    *where,
                    "kind",
                )
            elif not index.defines(kind, namespace, name):
                where_ns = f" in namespace {namespace}" if namespace else ""
                yield _violation(
                    obj,
                    f"{obj.label} references {kind}/{name}{where_ns}"
                    f"{_undeployed_definition(index, kind, namespace, name)}; add the source or fix the reference",
                    f"source:{kind}/{namespace}/{name}",
                    *where,
                    "name",
                )


# -- GL504 ----------------------------------------------------------------------------------------------
def dependency(ctx: CheckContext) -> Iterator[Violation]:
    """GL504: dependsOn to an object the repository does not define, or a dependency cycle."""
    index = flux_index(ctx.repo)
    yield from _unique(_unknown_dependencies(index))
    yield from _unique(_cycles(index))


def _dependencies(obj: FluxObject) -> Iterator[tuple[int, str, str]]:
    """(index, namespace, name) of each dependsOn entry with a concrete name."""
    deps = obj.spec.get("dependsOn")
    for i, dep in enumerate(deps if isinstance(deps, list) else []):
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
            continue
        namespace = dep.get("namespace") or obj.namespace
        if not has_placeholder(dep["name"]) and not has_placeholder(namespace):
            yield i, namespace if isinstance(namespace, str) else "", dep["name"]


def _unknown_dependencies(index: FluxIndex) -> Iterator[Violation]:
    for obj in _deployed(index, KUSTOMIZATION, HELMRELEASE):
        for i, namespace, name in _dependencies(obj):
            if not index.defines(obj.kind, namespace, name):
                where_ns = f" in namespace {namespace}" if namespace else ""
                yield _violation(
                    obj,
                    f"{obj.label} depends on {obj.kind}/{name}{where_ns}"
                    f"{_undeployed_definition(index, obj.kind, namespace, name)}, so it never becomes ready; "
                    "fix or remove the dependency",
                    f"depends:{namespace}/{name}",
                    "spec",
                    "dependsOn",
                    i,
                    "name",
                )


def _cycles(index: FluxIndex) -> Iterator[Violation]:
    edges: dict[tuple, dict[tuple, tuple[FluxObject, int]]] = defaultdict(dict)  # (kind, namespace, name)
    for obj in index.of_kind(KUSTOMIZATION, HELMRELEASE):
        node = (obj.kind, obj.namespace, obj.name)
        for i, namespace, name in _dependencies(obj):
            for target in index.find(obj.kind, namespace, name):
                edges[node].setdefault((target.kind, target.namespace, target.name), (obj, i))
    for component in cyclic_components(edges):
        members = sorted(component)
        first = members[0]
        nxt = next(t for t in sorted(edges[first]) if t in component)
        obj, i = edges[first][nxt]
        names = " -> ".join(f"{k}/{n}" for k, _, n in (*cycle_path(edges, first, component), first))
        yield _violation(
            obj,
            f"{obj.label} is in a dependsOn cycle ({names}), so none of them ever "
            "reconciles; break the cycle",
            f"cycle:{names}",
            "spec",
            "dependsOn",
            i,
            "name",
        )


# -- GL506 ----------------------------------------------------------------------------------------------
def sops_without_decryption(ctx: CheckContext) -> Iterator[Violation]:
    """GL506: a Kustomization path holding SOPS-encrypted files, without `spec.decryption`."""
    yield from _unique(_sops(ctx.repo, flux_index(ctx.repo)))


def _sops(repo, index: FluxIndex) -> Iterator[Violation]:
    for ks in _deployed(index, KUSTOMIZATION):
        if isinstance(ks.setting("decryption"), dict):
            continue
        encrypted = sorted(
            {f for d in index.resolve(ks).dirs for f in index.deployed_files(d) if is_encrypted_file(repo, f)}
        )
        if encrypted:
            more = f" and {len(encrypted) - 1} more" if len(encrypted) > 1 else ""
            yield _violation(
                ks,
                f"{ks.label} applies SOPS-encrypted {encrypted[0]}{more} without "
                "spec.decryption, so Flux applies ciphertext (or fails); add "
                "decryption: {provider: sops, secretRef: ...}",
                "decryption",
                "spec",
                "path",
            )


# -- GL507 ----------------------------------------------------------------------------------------------
def chart_unpinned(ctx: CheckContext) -> Iterator[Violation]:
    """GL507: a production HelmRelease whose chart version is empty, `*` or a range."""
    index = flux_index(ctx.repo)
    yield from _unique(
        v
        for hr in _deployed(index, HELMRELEASE)
        if ctx.is_production(hr.environment)
        for v in _unpinned(index, hr)
    )


def version_problem(version) -> str | None:
    """Why a chart version constraint does not pin one version (None when it does or is a placeholder)."""
    if version is None or (isinstance(version, str) and not version.strip()):
        return "sets no chart version, so Flux installs whatever is latest"
    text = str(version).strip()
    if has_placeholder(text) or _EXACT_VERSION.match(text):
        return None
    if text in ("*", "x", "X"):
        return f"uses chart version {text!r}, which is any version"
    return f"uses chart version {text!r}, a range that upgrades on its own"


def _unpinned(index: FluxIndex, hr: FluxObject) -> Iterator[Violation]:
    fix = "; pin an exact version so the release changes only through Git"
    chart_ref = hr.spec.get("chartRef")
    if isinstance(chart_ref, dict):
        kind, name = chart_ref.get("kind") or "OCIRepository", chart_ref.get("name")
        namespace = chart_ref.get("namespace") or hr.namespace
        if not isinstance(name, str) or kind not in ("OCIRepository", "HelmChart"):
            return
        for source in index.find_for(hr, kind, namespace, name):
            problem, where = _source_version(source)
            if problem:
                path, position = source.at(*where)
                yield Violation(
                    path,
                    f"{hr.label} (production) uses {source.label}, which {problem}{fix}",
                    position,
                    resource=hr.doc.ref,
                    environment=hr.environment,
                    key=f"{hr.label}:chartRef:{source.label}",
                )
        return
    ref = hr.get("spec", "chart", "spec", "sourceRef")
    if isinstance(ref, dict) and ref.get("kind") in ("GitRepository", "Bucket"):
        return  # the chart comes from a Git/Bucket revision: Flux ignores `version` there
    if hr.get("spec", "chart") is None:
        return
    problem = version_problem(hr.get("spec", "chart", "spec", "version"))
    if problem:
        yield _violation(
            hr, f"{hr.label} (production) {problem}{fix}", "version", "spec", "chart", "spec", "version"
        )


def _source_version(source: FluxObject) -> tuple[str | None, tuple]:
    if source.kind == "HelmChart":
        return version_problem(source.spec.get("version")), ("spec", "version")
    ref = source.spec.get("ref")
    if not isinstance(ref, dict) or not ref:
        return "has no ref, so Flux pulls the latest tag", ("spec", "ref")
    if ref.get("digest"):
        return None, ()
    if "semver" in ref:
        problem = version_problem(ref.get("semver"))
        return (problem.replace("chart version", "ref.semver") if problem else None), (
            "spec",
            "ref",
            "semver",
        )
    tag = ref.get("tag")
    if not tag or tag == "latest":
        return "follows the latest tag", ("spec", "ref", "tag")
    return None, ()
