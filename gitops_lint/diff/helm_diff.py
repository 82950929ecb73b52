"""Helm releases in `gitops-lint diff`: a release whose chart, chart version or values changed shows
the diff of its rendered manifests per resource (secrets masked as for any resource), plus the diff of
its merged values (values that came from a Secret are masked). Each release is one root of the
result, so the summary counts releases like roots and the change rules see their resources."""

from __future__ import annotations

from typing import Any

from gitops_lint.core.config import Config
from gitops_lint.core.datapath import as_dict
from gitops_lint.core.loader import load_yaml
from gitops_lint.core.source import SourceTree
from gitops_lint.deploy.helm_releases import release_renders
from gitops_lint.diff import normalise as diffnorm
from gitops_lint.diff.changes import Change, RootDiff, compare
from gitops_lint.diff.sides import Resource
from gitops_lint.helm.charts import chart_dirs
from gitops_lint.helm.releases import ReleaseRender
from gitops_lint.helm.values import leaf_paths, scrub
from gitops_lint.model.kustomizations import is_kustomization_file
from gitops_lint.model.repository import Repository, helm_template_dirs, is_yaml_path

VALUES_KIND = "HelmValues"  # the pseudo-resource that carries a release's values in the diff
_MARKERS = ("HelmRelease", "helm", "chart", "Chart")


def touches_releases(base: SourceTree, head: SourceTree, changed: list[str]) -> bool:
    """Whether a change can alter a release, judged from the changed files only (both sides are indexed
    in full only then): a file inside a chart; a YAML file that mentions Helm or charts (HelmRelease,
    an Application's `helm:`/`chart:`); or, when the repository has charts, a changed Application,
    ConfigMap or Secret (a chart path or `valuesFrom` may point at it)."""
    charts = chart_dirs([*base.files(), *head.files()])
    for path in changed:
        if any(not c or path == c or path.startswith(f"{c}/") for c in charts):
            return True
        if not path.endswith((".yaml", ".yml")):
            continue
        text = _text(head, path) or _text(base, path)
        if any(word in text for word in _MARKERS):
            return True
        if charts and any(word in text for word in ("argoproj.io", "ConfigMap", "Secret")):
            return True
    return False


def _text(tree: SourceTree, path: str) -> str:
    try:
        return tree.read_bytes(path).decode("utf-8", "replace") if tree.is_file(path) else ""
    except (OSError, ValueError):
        return ""


def release_diffs(base_tree: SourceTree, head_tree: SourceTree, config: Config, changed: list[str],
                  patterns: list, context: int = 3, jobs: int | None = None) -> list:
    """A RootDiff (the pipeline's type) for every release added, removed or changed."""

    if not changed or not touches_releases(base_tree, head_tree, changed):
        return []
    before = _renders(base_tree, config, jobs)
    after = _renders(head_tree, config, jobs)
    if not before and not after:
        return []
    out = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0], k[1] or "")):
        b, a = before.get(key), after.get(key)
        if b is not None and a is not None and _same(b, a):
            continue
        status = "added" if b is None else "removed" if a is None else "modified"
        render = a or b
        assert render is not None
        release = render.release
        chart = render.chart_name or release.chart.label
        rdiff = RootDiff(f"{release.label} (chart {chart})", release.label, release.environment, status)
        rdiff.errors = [f"{side}: {r.error or r.skipped}" for side, r in (("base", b), ("head", a))
                        if r is not None and not r.ok and not r.unavailable]
        for r_key in _keys(b, a):
            old, new = _resource(b, a, r_key, "base"), _resource(a, b, r_key, "head")
            change = compare(old, new, patterns, context)
            if change is not None:
                rdiff.changes.append(Change(rdiff.root, rdiff.app, rdiff.environment, change[0], old, new,
                                            change[1]))
        if rdiff.changes or rdiff.errors or status != "modified":
            out.append(rdiff)
    return out


def _renders(tree: SourceTree, config: Config, jobs: int | None) -> dict[tuple, ReleaseRender]:
    return {(r.release.key, r.release.environment): r for r in release_renders(release_index(tree, config))}


_FLUX_AND_VALUES = (b"toolkit.fluxcd.io", b"kind: ConfigMap", b"kind: Secret")


def _relevant(raw: bytes, chart_names: list[bytes], flux: bool) -> bool:
    """Flux objects, ConfigMaps and Secrets (valuesFrom, when there are HelmReleases), and Argo CD
    Applications that mention Helm, a chart or one of this repository's chart directories."""
    if flux and any(m in raw for m in _FLUX_AND_VALUES):
        return True
    if b"argoproj.io" in raw:
        return b"helm" in raw or b"chart" in raw or any(name in raw for name in chart_names)
    return False


def release_index(tree: SourceTree, config: Config) -> Repository:
    """A Repository of `tree` in which only what releases depend on is parsed: kustomizations, chart
    files, Flux objects, ConfigMaps, Secrets and Argo CD Applications that mention Helm or a chart (a byte
    search first, so a large repository is not parsed in full for a diff). Other files stay listed."""
    excluded = config.excluded()
    files = [f for f in tree.files() if not excluded.match_file(f)]
    templates = helm_template_dirs(files)
    charts = chart_dirs(files)
    candidates = [f for f in files if is_yaml_path(f) and not _under(f, templates)]
    chart_names = [c.encode() for c in charts if c]
    read_many = getattr(tree, "read_many", None)
    contents = read_many(candidates) if read_many is not None else {f: _bytes(tree, f) for f in candidates}
    flux = any(b"HelmRelease" in raw for raw in contents.values() if raw)  # else no valuesFrom to read
    parsed = {}
    for path in candidates:
        raw = contents.get(path)
        if raw is None:
            continue
        if is_kustomization_file(path) or _under(path, charts) or _relevant(raw, chart_names, flux):
            parsed[path] = load_yaml(path, raw, config.limits)
    return Repository(tree=tree, config=config, files=files, parsed_files=parsed,
                      unsafe=list(tree.unsafe_paths()))


def _bytes(tree: SourceTree, path: str) -> bytes | None:
    try:
        return tree.read_bytes(path)
    except (OSError, ValueError):
        return None


def _under(path: str, dirs: set[str]) -> bool:
    return any(not d or path.startswith(f"{d}/") for d in dirs)


def _same(b: ReleaseRender, a: ReleaseRender) -> bool:
    return (b.digest, b.release.values.values, b.release.release_name, b.release.namespace, b.error,
            b.skipped) == (a.digest, a.release.values.values, a.release.release_name, a.release.namespace,
                           a.error, a.skipped)


def _keys(b: ReleaseRender | None, a: ReleaseRender | None) -> list[tuple]:
    keys: dict[tuple, None] = {}
    for render in (b, a):
        if render is not None:
            keys[("values",)] = None
            for obj in render.objects:
                keys[_object_key(obj.data)] = None
    return sorted(keys, key=lambda k: (k != ("values",), k[1:] if len(k) > 1 else ()))


def _object_key(data: dict) -> tuple:
    meta = as_dict(data.get("metadata"))
    return (str(data.get("apiVersion", "")), str(data.get("kind", "")), str(meta.get("namespace") or ""),
            str(meta.get("name") or ""))


def _resource(render: ReleaseRender | None, other: ReleaseRender | None, key: tuple, side: str
              ) -> Resource | None:
    if render is None:
        return None
    release = render.release
    if key == ("values",):
        data = {"apiVersion": "gitops-lint/v1", "kind": VALUES_KIND,
                "metadata": {"name": release.release_name, "namespace": release.namespace},
                "values": masked_values(render, other, side)}
        return Resource(data, release.file, release.position)
    for obj in render.objects:
        if _object_key(obj.data) == key:
            return Resource(scrub(obj.data, release.values.secret_strings(), diffnorm.REDACTED), release.file,
                            release.position)
    return None


def masked_values(render: ReleaseRender, other: ReleaseRender | None, side: str) -> dict:
    """The release's merged values, every value that came from a Secret replaced by a marker saying
    whether it changed (as secrets in resources are masked)."""
    traced = render.release.values
    if not traced.has_secret and (other is None or not other.release.values.has_secret):
        return traced.values
    theirs = other.release.values.values if other is not None else {}
    out: Any = _copy(traced.values)
    for path in leaf_paths(traced.values):
        mine = traced.origin(path)
        their = other.release.values.origin(path) if other is not None else None
        if (mine is not None and mine[2]) or (their is not None and their[2]):
            _put(out, path, _marker(_get(traced.values, path), _get(theirs, path), side))
    return out


def _marker(value: Any, other: Any, side: str) -> str:
    if other is _MISSING:
        return diffnorm.ADDED if side == "head" else diffnorm.REDACTED
    if value == other:
        return diffnorm.UNCHANGED
    return diffnorm.CHANGED if side == "head" else diffnorm.REDACTED


_MISSING = object()


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _put(data: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    if path:
        data[path[-1]] = value

