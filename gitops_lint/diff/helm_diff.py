"""Helm releases in `gitops-lint diff`: a release whose chart, chart version or values changed shows
the diff of its rendered manifests per resource (secrets masked as for any resource), plus the diff of
its merged values (values that came from a Secret are masked). Each release is one root of the
result, so the summary counts releases like roots and the change rules see their resources."""

from __future__ import annotations

from typing import Any

from gitops_lint.core.datapath import as_dict
from gitops_lint.diff import normalise as diffnorm
from gitops_lint.diff.changes import Change, RootDiff, compare
from gitops_lint.diff.helm_sides import changed_release_renders
from gitops_lint.diff.sides import Resource, Side
from gitops_lint.helm.releases import ReleaseRender
from gitops_lint.helm.values import leaf_paths, scrub

VALUES_KIND = "HelmValues"  # the pseudo-resource that carries a release's values in the diff


def release_diffs(base: Side, head: Side, patterns: list, context: int = 3) -> list:
    """A RootDiff (the pipeline's type) for every release added, removed or changed (after
    `helm_sides.index_releases` said the change can touch releases)."""
    out = []
    for pair in changed_release_renders(base, head):
        b, a = pair.base, pair.head
        if b is not None and a is not None and _same(b, a):
            continue
        render = a or b
        assert render is not None
        release = render.release
        chart = render.chart_name or release.chart.label
        rdiff = RootDiff(f"{release.label} (chart {chart})", release.label, release.environment, pair.status)
        rdiff.errors = [f"{side}: {r.error or r.skipped}" for side, r in (("base", b), ("head", a))
                        if r is not None and not r.ok and not r.unavailable]
        for r_key in _keys(b, a):
            old, new = _resource(b, a, r_key, "base"), _resource(a, b, r_key, "head")
            change = compare(old, new, patterns, context)
            if change is not None:
                rdiff.changes.append(Change(rdiff.root, rdiff.app, rdiff.environment, change[0], old, new,
                                            change[1]))
        if rdiff.changes or rdiff.errors or pair.status != "modified":
            out.append(rdiff)
    return out


def _same(b: ReleaseRender, a: ReleaseRender) -> bool:
    return (b.digest, b.effective_values.values, b.release.release_name, b.release.namespace, b.error,
            b.skipped) == (a.digest, a.effective_values.values, a.release.release_name, a.release.namespace,
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
            return Resource(scrub(obj.data, render.effective_values.secret_strings(), diffnorm.REDACTED), release.file,
                            release.position)
    return None


def masked_values(render: ReleaseRender, other: ReleaseRender | None, side: str) -> dict:
    """The release's merged values, every value that came from a Secret replaced by a marker saying
    whether it changed (as secrets in resources are masked)."""
    traced = render.effective_values  # with the value files a remote chart ships, once fetched
    other_values = other.effective_values if other is not None else None
    if not traced.has_secret and (other_values is None or not other_values.has_secret):
        return traced.values
    theirs = other_values.values if other_values is not None else {}
    out: Any = _copy(traced.values)
    for path in leaf_paths(traced.values):
        mine = traced.origin(path)
        their = other_values.origin(path) if other_values is not None else None
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

