"""Argo CD Applications with Helm sources as Helm releases: a `path` in this repository holding a
`Chart.yaml`, or `chart` + `repoURL` (a remote chart, fetched only by opt-in), or an OCI artifact
source (`repoURL: oci://…`, `path: .`) with a `helm` block. Values as Argo CD passes
them to `helm template`: `valueFiles` in order (relative to the chart, or `$ref/...` of another source
of this repository), then `valuesObject` (or, without it, the `values` string), then `parameters` as
`--set` (`--set-string` with `forceString`); precedence parameters > valuesObject > values > valueFiles.
Release name: `helm.releaseName`, else the Application's name; namespace: the destination's."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from gitops_lint.argo.appset import is_templated
from gitops_lint.argo.model import ArgoApp, ArgoIndex, Source, argo_index
from gitops_lint.core.datapath import as_dict
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import ParsedFile, load_yaml
from gitops_lint.helm.charts import chart_dirs
from gitops_lint.helm.release import ChartSource, ChartValueFile, Problem, Release
from gitops_lint.helm.values import (
    TracedValues,
    ValuesLayer,
    document_locator,
    embedded_layer,
    path_layer,
    typed_value,
)
from gitops_lint.helm.versions import is_range


def argo_releases(repo, deployed: Callable[[str], bool] = lambda path: True) -> list[Release]:
    """A Release for every Helm source of every (non-templated) Application in a file `deployed` accepts."""
    index = argo_index(repo)
    out = []
    for app in index.apps:
        if app.is_appset or not deployed(app.doc.path):
            continue
        for source in app.sources:
            release = release_of(repo, index, app, source)
            if release is not None:
                out.append(release)
    return out


def raw_source(app: ArgoApp, source: Source) -> dict:
    """The source's mapping as written (as rendered, for overlay-patched Applications)."""
    node = app.spec.get(source.where[0])
    if isinstance(node, list):
        node = node[source.where[1]]
    return node if isinstance(node, dict) else {}


def release_of(repo, index: ArgoIndex, app: ArgoApp, source: Source) -> Release | None:
    """The release of one source, or None when the source is not a Helm chart."""
    chart = _chart(repo, index, app, source)
    if chart is None:
        return None
    raw = raw_source(app, source)
    helm = as_dict(raw.get("helm"))
    release_name = helm.get("releaseName")
    name = release_name if isinstance(release_name, str) else app.name
    namespace = app.destination.get("namespace")
    file, position = app.at(*source.where, key=True)
    label = app.label if len(app.sources) == 1 else f"{app.label} source {source.where[-1]}"
    release = Release("argo", label, file, position, name, namespace if isinstance(namespace, str) and namespace
                      else "default", chart, environment=index.environment(app),
                      include_crds=helm.get("skipCrds") is not True, resource=f"Application/{app.name}")
    release.values = _values(repo, index, app, source, chart, helm, release)
    return release


def _chart(repo, index: ArgoIndex, app: ArgoApp, source: Source) -> ChartSource | None:
    if source.chart:
        if is_templated(source.chart) or is_templated(source.repo_url):
            return None
        url = source.repo_url if "://" in source.repo_url else f"oci://{source.repo_url}"
        version = source.target_revision
        return ChartSource(repo_url=url, chart=source.chart, version=str(version) if version else None)
    if source.repo_url.startswith("oci://") and (source.path or ".").strip("/") in ("", ".") \
            and "helm" in raw_source(app, source) and not is_templated(source.repo_url):
        return _native_oci(source)
    charts = repo.derived(_chart_directories)
    if not charts:  # no chart in this repository: no source path can be one
        return None
    for directory in index.local_paths(app, source):
        if directory in charts:
            return ChartSource(directory=directory)
    return None


def _chart_directories(repo) -> set[str]:
    """Directories of the source tree holding a `Chart.yaml` (indexed once per run)."""
    return chart_dirs(repo.tree.files())


def _native_oci(source: Source) -> ChartSource:
    """An OCI artifact source (Argo CD 3.1+: `repoURL: oci://…/chart`, `path: .`) with a `helm` block:
    the chart is the artifact; `targetRevision` is a tag or digest (a semver range is resolved)."""
    revision = str(source.target_revision or "").strip()
    return ChartSource(repo_url=source.repo_url, version=revision or None, oci_reference=not is_range(revision))


def _values(repo, index: ArgoIndex, app: ArgoApp, source: Source, chart: ChartSource, helm: dict,
            release: Release) -> TracedValues:
    traced = TracedValues()
    problems = release.problems
    at = source.where
    files = helm.get("valueFiles")
    refs = {s.ref: s for s in app.sources if s.ref}
    ignore_missing = helm.get("ignoreMissingValueFiles") is True
    for i, item in enumerate(files if isinstance(files, list) else []):
        if not isinstance(item, str) or is_templated(item):
            continue
        where = app.at(*at, "helm", "valueFiles", i)
        if chart.remote and not item.startswith("$") and "://" not in item:
            # a file shipped in the remote chart: read from the archive once fetched (helm/releases.py)
            release.chart_value_files.append(ChartValueFile(item, *where, ignore_missing=ignore_missing,
                                                            step=len(traced.steps)))
            continue
        path = _value_file(index, chart, refs, item)
        parsed = _parsed(repo, path) if path is not None else None
        elsewhere = _other_repository(index, refs, item)
        if parsed is None:
            if "://" in item:  # a remote values file (Argo fetches it): not fetched at lint time
                problems.append(Problem(f"value file {item!r} is a URL, not fetched: rendered without it", *where,
                                        fatal=False))
            elif elsewhere is not None:  # values kept in another repository: not rendered, and said so
                problems.append(Problem(f"value file {item!r} is in another repository ({elsewhere}): "
                                        "not rendered", *where, info=True))
            elif not ignore_missing:  # GL408 reports it
                problems.append(Problem(f"value file {item!r} cannot be read", *where, reported=False))
            continue
        doc = parsed.documents[0] if parsed.documents else None
        if doc is not None and isinstance(doc.data, dict):
            traced.add(ValuesLayer(doc.data, document_locator(doc)))
    obj = helm.get("valuesObject")
    if isinstance(obj, dict):
        traced.add(ValuesLayer(obj, lambda p: app.at(*at, "helm", "valuesObject", *p)))
    elif isinstance(helm.get("values"), str) and helm["values"].strip():
        file, position = app.at(*at, "helm", "values")
        layer = embedded_layer(helm["values"], file, position, _is_block(repo, file, position))
        if isinstance(layer, str):
            problems.append(Problem(f"helm.values does not parse: {layer}", file, position))
        else:
            traced.add(layer)
    params = helm.get("parameters")
    for i, param in enumerate(params if isinstance(params, list) else []):
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        text = "" if param.get("value") is None else str(param.get("value"))
        value = text if param.get("forceString") is True else typed_value(text)
        file, position = app.at(*at, "helm", "parameters", i, "value")
        try:
            traced.set(param["name"], value, path_layer(param["name"], value, file, position))
        except ValueError as exc:
            problems.append(Problem(f"helm parameter {param['name']!r}: {exc}", file, position))
    return traced


def _parsed(repo, path: str) -> ParsedFile | None:
    """The parsed values file (read now when the index did not parse it), None when it is not a file."""
    if not repo.tree.is_file(path):
        return None
    hit = repo.parsed(path)
    if hit is None:
        try:
            hit = load_yaml(path, repo.tree.read_bytes(path), repo.config.limits)
        except (OSError, ValueError):
            return None
    return hit


def _other_repository(index: ArgoIndex, refs: dict, item: str) -> str | None:
    """The repoURL of the `ref` source a `$ref/...` value file names, when that is not this repository."""
    if not item.startswith("$"):
        return None
    ref = refs.get(item[1:].partition("/")[0])
    if ref is None or not ref.repo_url or is_templated(ref.repo_url) or index.is_local(ref.repo_url):
        return None
    return str(ref.repo_url)


def _value_file(index: ArgoIndex, chart: ChartSource, refs: dict, item: str) -> str | None:
    if "://" in item:
        return None
    if item.startswith("$"):
        name, _, rest = item[1:].partition("/")
        ref = refs.get(name)
        if ref is None or not index.is_local(ref.repo_url):
            return None
        return index.repo_path(ref.repo_url, rest)
    if chart.directory is None:
        return None
    return index.repo_path("", posixpath.join(index.git_path(chart.directory), item))


def _is_block(repo, file: str, position: Position) -> bool:
    lines = (repo.text(file) or "").splitlines()
    if not 0 < position.line <= len(lines):
        return False
    return lines[position.line - 1][position.column - 1:].lstrip()[:1] in ("|", ">")
