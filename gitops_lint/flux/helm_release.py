"""Flux HelmReleases as Helm releases to render: the chart (a chart directory of a GitRepository that is
this repository, or a HelmRepository/OCIRepository chart to fetch) and the values exactly as
helm-controller composes them: every `valuesFrom` entry in order (a ConfigMap or Secret key parsed as
YAML and merged, or with `targetPath` set as one `--set`-style value, quoted text forced to a string),
then `spec.values` merged over the result. A reference the repository does not define is reported (info)
and left out. The values then get the postBuild substitution (`${VAR}`) of the Flux Kustomization that
applies the release, as kustomize-controller substitutes the HelmRelease before helm-controller reads it."""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from collections.abc import Callable

from gitops_lint.core.datapath import as_dict, dig
from gitops_lint.core.findings import Position
from gitops_lint.core.source import PathEscapesRoot, normalize
from gitops_lint.flux.model import HELMRELEASE, KUSTOMIZATION, FluxIndex, flux_index
from gitops_lint.flux.objects import FluxObject, has_placeholder
from gitops_lint.helm.release import ChartSource, Problem, Release
from gitops_lint.helm.values import (
    Locate,
    TracedValues,
    ValuesLayer,
    document_locator,
    embedded_layer,
    path_layer,
    typed_value,
)

MAX_RELEASE_NAME = 53


def flux_releases(repo, deployed: Callable[[str], bool] = lambda path: True) -> list[Release]:
    """A Release for every HelmRelease as each build deploys it (those in files `deployed` accepts)."""
    index = flux_index(repo)
    return [release_of(repo, index, hr) for hr in index.of_kind(HELMRELEASE) if deployed(hr.doc.path)]


def release_of(repo, index: FluxIndex, hr: FluxObject) -> Release:
    """The Release helm-controller would install for `hr`."""
    spec = hr.spec
    namespace = hr.namespace or "default"
    target = spec.get("targetNamespace") if isinstance(spec.get("targetNamespace"), str) else None
    name = spec.get("releaseName") if isinstance(spec.get("releaseName"), str) else None
    if not name:
        name = f"{target}-{hr.name}" if target else hr.name
    file, position = hr.at("spec", "chartRef") if "chartRef" in spec else hr.at("spec", "chart", "spec", "chart")
    release = Release("flux", hr.label, file, position, name[:MAX_RELEASE_NAME], target or namespace,
                      chart_source(repo, index, hr), environment=hr.environment,
                      include_crds=_crds_policy(spec) != "Skip", resource=f"{HELMRELEASE}/{hr.name}")
    release.values = values_of(repo, hr, release.problems)
    variables = post_build_variables(repo, index, hr)
    if variables is not None:
        release.values.values = substitute(release.values.values, variables)
    return release


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])([^}]*))?\}")


def post_build_variables(repo, index: FluxIndex, hr: FluxObject) -> dict[str, str] | None:
    """The variables of the Flux Kustomization that applies the release's file, as kustomize-controller
    resolves them (`substituteFrom` ConfigMaps/Secrets of the repository in order, then `substitute`);
    None when no Kustomization with `postBuild` applies it or the release opts out by annotation."""
    annotations = as_dict(dig(hr.data, ("metadata", "annotations")))
    if annotations.get("kustomize.toolkit.fluxcd.io/substitute") == "disabled":
        return None
    for ks in index.of_kind(KUSTOMIZATION):
        post = ks.setting("postBuild")
        if not isinstance(post, dict) or (hr.environment and ks.environment not in (None, hr.environment)):
            continue
        if not any(hr.doc.path in index.deployed_files(d) for d in index.resolve(ks).dirs):
            continue
        variables: dict[str, str] = {}
        sources = post.get("substituteFrom")
        for ref in sources if isinstance(sources, list) else []:
            if isinstance(ref, dict) and ref.get("kind") in ("ConfigMap", "Secret"):
                variables.update(_object_data(repo, ref["kind"], ref.get("name"), ks.namespace))
        inline = post.get("substitute")
        if isinstance(inline, dict):
            variables.update({str(k): str(v) for k, v in inline.items()})
        return variables
    return None


def _object_data(repo, kind: str, name, namespace: str) -> dict[str, str]:
    for doc in repo.objects(kind):
        if doc.name != name or (doc.namespace or namespace) != namespace or isinstance(doc.get("sops"), dict):
            continue
        out = {}
        for key, value in (doc.get("data") or {}).items() if isinstance(doc.get("data"), dict) else ():
            text = _b64(value) if kind == "Secret" else value
            if text is not None:
                out[str(key)] = str(text)
        if isinstance(doc.get("stringData"), dict):
            out.update({str(k): str(v) for k, v in doc.get("stringData").items()})
        return out
    return {}


def substitute(data, variables: dict[str, str]):
    """`${VAR}`, `${VAR:=default}`, `${VAR:-default}` replaced in every string (undefined: empty, as
    kustomize-controller does without strict mode); a string that was one variable gets YAML typing."""
    if isinstance(data, dict):
        return {k: substitute(v, variables) for k, v in data.items()}
    if isinstance(data, list):
        return [substitute(v, variables) for v in data]
    if not isinstance(data, str) or "${" not in data:
        return data

    def value(match: re.Match) -> str:
        name, op, default = match.group(1), match.group(2), match.group(3)
        if name in variables and (variables[name] != "" or op != ":-" and op != ":="):
            return variables[name]
        return default if op else ""

    whole = _VAR.fullmatch(data)
    text = _VAR.sub(value, data)
    return typed_value(text) if whole else text


def _crds_policy(spec: dict) -> str:
    install = spec.get("install")
    policy = install.get("crds") if isinstance(install, dict) else None
    return policy if isinstance(policy, str) else "Create"


def chart_source(repo, index: FluxIndex, hr: FluxObject) -> ChartSource:
    """Where the HelmRelease's chart comes from (`chart.spec` or `chartRef`)."""
    ref = hr.spec.get("chartRef")
    if isinstance(ref, dict):
        kind, name = ref.get("kind") or "OCIRepository", ref.get("name")
        namespace = ref.get("namespace") or hr.namespace
        found = index.find_for(hr, kind, namespace, name) if isinstance(name, str) else []
        if not found:
            return ChartSource(unresolved=f"chartRef {kind}/{name} is not defined in the repository",
                               broken_reference=True)
        source = found[0]
        if kind == "HelmChart":
            return _template_source(index, hr, source.spec, source.namespace or namespace)
        if isinstance(name, str) and index.local_source(kind, namespace, name):
            return ChartSource(unresolved=f"chartRef {kind}/{name} is this repository's OCI artifact")
        return _oci_repository_source(source)
    template = hr.get("spec", "chart", "spec")
    if not isinstance(template, dict):
        return ChartSource(unresolved="no spec.chart.spec or spec.chartRef")
    return _template_source(index, hr, template, hr.namespace)


def _oci_repository_source(source: FluxObject) -> ChartSource:
    """The chart artifact of an OCIRepository: `ref.digest` wins over `ref.semver` (a range resolved
    against the tags), which wins over `ref.tag` (default `latest`), as source-controller resolves them."""
    ref = as_dict(source.get("spec", "ref"))
    url = str(source.get("spec", "url") or "")
    digest, semver, tag = (ref.get(k) for k in ("digest", "semver", "tag"))
    if digest:
        return ChartSource(repo_url=url, version=str(digest), oci_reference=True)
    if semver:
        return ChartSource(repo_url=url, version=str(semver))
    return ChartSource(repo_url=url, version=str(tag or "latest"), oci_reference=True)


def _template_source(index: FluxIndex, hr: FluxObject, template: dict, namespace: str) -> ChartSource:
    chart, version = template.get("chart"), template.get("version")
    ref = as_dict(template.get("sourceRef"))
    kind, name = ref.get("kind") or "HelmRepository", ref.get("name")
    ns = ref.get("namespace") or namespace
    if not isinstance(chart, str) or not isinstance(name, str) or has_placeholder(chart) or has_placeholder(name):
        return ChartSource(unresolved="chart or sourceRef not given literally")
    if kind == "GitRepository":
        basis = index.local_source(kind, ns, name)
        if basis is None:
            return ChartSource(unresolved=f"GitRepository/{name} is another repository")
        try:
            rel = normalize(chart.lstrip("/"))
        except PathEscapesRoot:
            return ChartSource(unresolved=f"chart path {chart} leaves the repository")
        directory = index.tree_path("" if rel == "." else rel, basis)
        if directory is None:
            return ChartSource(unresolved=f"chart path {chart} is outside the linted tree")
        return ChartSource(directory=posixpath.normpath(directory) if directory else "")
    if kind != "HelmRepository":
        return ChartSource(unresolved=f"charts from a {kind} are not rendered")
    found = index.find_for(hr, kind, ns, name)
    if not found:
        return ChartSource(unresolved=f"HelmRepository/{name} is not defined in the repository",
                           broken_reference=True)
    url = str(found[0].get("spec", "url") or "")
    if found[0].get("spec", "type") == "oci" and not url.startswith("oci://"):
        url = f"oci://{url}"
    return ChartSource(repo_url=url, chart=chart, version=str(version) if version is not None else None)


def values_of(repo, hr: FluxObject, problems: list[Problem]) -> TracedValues:
    """`valuesFrom` in order, then `spec.values`, as helm-controller merges them."""
    traced = TracedValues()
    refs = hr.spec.get("valuesFrom")
    for i, ref in enumerate(refs if isinstance(refs, list) else []):
        if isinstance(ref, dict):
            _add_reference(repo, hr, ref, i, traced, problems)
    values = hr.spec.get("values")
    if isinstance(values, dict):
        traced.add(ValuesLayer(values, lambda p: hr.at("spec", "values", *p)))
    return traced


def _add_reference(repo, hr: FluxObject, ref: dict, i: int, traced: TracedValues,
                   problems: list[Problem]) -> None:
    kind, name = ref.get("kind"), ref.get("name")
    values_key = ref.get("valuesKey")
    key = values_key if isinstance(values_key, str) and values_key else "values.yaml"
    where = hr.at("spec", "valuesFrom", i)
    found = _find_data(repo, hr, kind, name, key) if kind in ("ConfigMap", "Secret") else None
    if found is None:
        if not ref.get("optional"):  # often created in the cluster (ExternalSecret, bucket claim…)
            problems.append(Problem(f"valuesFrom {kind}/{name} key {key!r} is not defined in the repository: "
                                    "rendered without it", *where, fatal=False))
        return
    text, file, position, block, encrypted = found
    secret = kind == "Secret"
    if encrypted:
        problems.append(Problem(f"valuesFrom {kind}/{name} is SOPS-encrypted: rendered without it", *where))
        return
    target = ref.get("targetPath")
    if isinstance(target, str) and target:
        quoted = len(text) >= 2 and text[0] == text[-1] and text[0] in "'\""
        value = text.strip("'\"") if quoted else typed_value(text)
        try:
            traced.set(target, value, path_layer(target, value, file, position, secret))
        except ValueError as exc:
            problems.append(Problem(f"valuesFrom targetPath {target!r}: {exc}", *where))
        return
    layer = embedded_layer(text, file, position, block, secret)
    if isinstance(layer, str):
        problems.append(Problem(f"valuesFrom {kind}/{name} key {key!r}: {layer}", file, position))
        return
    traced.add(layer)


def _find_data(repo, hr: FluxObject, kind, name, key: str):
    """(text, file, position, block scalar?, SOPS?) of `key` in the ConfigMap/Secret `name` of the
    release's namespace: from the build that deploys the release or the kustomization beside it
    (generators), else from the documents."""
    namespace = hr.namespace
    candidates: list[tuple[dict, str, Locate]] = []
    own = posixpath.dirname(hr.doc.path)
    for root in dict.fromkeys(r for r in (hr.root, own if own in repo.kustomizations else None) if r is not None):
        view = repo.rendered.root(root)
        candidates.extend((o.data, o.source, repo.rendered.locator(o)) for o in view.objects)
    for doc in repo.objects(kind):
        candidates.append((doc.data, doc.path, document_locator(doc)))
    for data, _source, locate in candidates:
        meta = as_dict(data.get("metadata"))
        if data.get("kind") != kind or meta.get("name") != name:
            continue
        if (meta.get("namespace") or namespace) != namespace:
            continue
        encrypted = isinstance(data.get("sops"), dict)
        for field_name in ("stringData", "data"):
            section = data.get(field_name)
            if isinstance(section, dict) and key in section:
                text = section[key]
                if field_name == "data" and kind == "Secret" and not encrypted:
                    text = _b64(text)
                if not isinstance(text, str):
                    continue
                file, position = locate((field_name, key))
                return text, file, position, _is_block(repo, file, position), encrypted
        if encrypted:
            return "", *locate(()), False, True
    return None


def _b64(value) -> str | None:
    try:
        return base64.b64decode(str(value), validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _is_block(repo, file: str, position: Position) -> bool:
    text = repo.text(file) or ""
    lines = text.splitlines()
    if not 0 < position.line <= len(lines):
        return False
    return lines[position.line - 1][position.column - 1:].lstrip()[:1] in ("|", ">")
