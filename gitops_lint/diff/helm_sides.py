"""The Helm releases of each side of a diff, rendered only where they changed.

Each side's releases come from the side's own repository index (the one its kustomize roots use),
which then also parses the files releases depend on, through the parse cache both sides share (a file
equal on both sides is parsed once). A release is rendered only when it is on one side only or its inputs differ between the
sides (its chart's files, its chart source and version, its merged values, name, namespace, CRD policy
and the problems that stop it): equal inputs render equally, so the diff has nothing to show for them.
Both sides render through one chart renderer (one worker process, one render cache)."""

from __future__ import annotations

from dataclasses import dataclass

from gitops_lint.core.datapath import as_dict
from gitops_lint.core.source import is_below, read_or_none
from gitops_lint.deploy.helm_releases import open_renderer, releases, render_releases
from gitops_lint.diff.changes import changed_units
from gitops_lint.diff.sides import Side
from gitops_lint.helm.release import Release
from gitops_lint.helm.releases import ReleaseRender
from gitops_lint.model.helm_charts import chart_fetcher
from gitops_lint.model.kustomizations import is_kustomization_file
from gitops_lint.model.repository import helm_template_dirs, is_yaml_path

ReleaseKey = tuple[str, str | None]  # (Release.key, environment): one release across the two sides
_FLUX = b"toolkit.fluxcd.io"
_VALUE_KINDS = (b"kind: ConfigMap", b"kind: Secret")
_SOURCE_FIELDS = ("valuesFrom", "substituteFrom")


@dataclass
class ReleasePair:
    """One release that changed: its rendering on each side where it exists."""

    key: ReleaseKey
    status: str  # added | removed | modified
    base: ReleaseRender | None
    head: ReleaseRender | None


def changed_release_renders(base: Side, head: Side) -> list[ReleasePair]:
    """The releases added, removed or with other inputs on head, each side rendered (in key order)."""
    indexes = base.repo, head.repo  # with `release_files` parsed (index_releases)
    before, after = _by_key(releases(indexes[0])), _by_key(releases(indexes[1]))
    if not before and not after:
        return []
    inputs = _ChartFiles(base), _ChartFiles(head)

    def modified(key: ReleaseKey) -> bool:
        return inputs[0].release_inputs(before[key]) != inputs[1].release_inputs(after[key])

    units = changed_units(before, after, modified, order=lambda k: (k[0], k[1] or ""))
    if not units:
        return []
    with open_renderer(head.config) as renderer:
        fetcher = chart_fetcher(head.config)
        rendered: list[dict[ReleaseKey, ReleaseRender]] = []
        for index, declared in zip(indexes, (before, after), strict=True):
            wanted = [declared[k] for k, _ in units if k in declared]
            renders = render_releases(index, wanted, renderer, fetcher)
            rendered.append({(r.release.key, r.release.environment): r for r in renders})
    return [ReleasePair(k, status, rendered[0].get(k), rendered[1].get(k)) for k, status in units]


def _by_key(found: list[Release]) -> dict[ReleaseKey, Release]:
    return {(r.key, r.environment): r for r in found}


class _ChartFiles:
    """The content ids of each local chart directory's files on one side."""

    def __init__(self, side: Side):
        self.side = side
        self._dirs: dict[str, tuple] = {}

    def files_of(self, directory: str) -> tuple:
        hit = self._dirs.get(directory)
        if hit is None:
            prefix = f"{directory}/" if directory else ""
            ids = self.side.ids
            hit = tuple((f, ids.get(f)) for f in self.side.files if f.startswith(prefix))
            self._dirs[directory] = hit
        return hit

    def release_inputs(self, release: Release) -> tuple:
        """Everything a release's rendering depends on (equal inputs, equal rendering)."""
        chart = release.chart
        files = self.files_of(chart.directory) if chart.directory is not None else ()
        fatal = tuple(p.message for p in release.problems if p.fatal)
        shipped = tuple((v.path, v.ignore_missing, v.step) for v in release.chart_value_files)  # read from the chart
        return (chart, files, release.values.values, shipped, release.release_name, release.namespace,
                release.include_crds, fatal)


_MARKERS = ("HelmRelease", "helm", "chart", "Chart")


def index_releases(base: Side, head: Side, changed: list[str]) -> bool:
    """Whether the change can alter a Helm release; then both sides' repositories also parse what the
    releases depend on (call before the sides' `repo` is first used)."""
    if not changed or not touches_releases(base, head, changed):
        return False
    contents: dict[tuple[str, str], bytes | None] = {}  # by (path, content id): read once for both sides
    for side in (base, head):
        side.also_parse = release_files(side, contents)
    return True


def touches_releases(base: Side, head: Side, changed: list[str]) -> bool:
    """Whether a change can alter a release, judged from the changed files only (both sides are indexed
    in full only then): a file inside a chart; a YAML file that mentions Helm or charts (HelmRelease,
    an Application's `helm:`/`chart:`); or, when the repository has charts, a changed Application,
    ConfigMap or Secret (a chart path or `valuesFrom` may point at it)."""
    charts = base.chart_dirs | head.chart_dirs
    for path in changed:
        if path in charts or is_below(path, charts):
            return True
        if not path.endswith((".yaml", ".yml")):
            continue
        text = _text(head, path) or _text(base, path)
        if any(word in text for word in _MARKERS):
            return True
        if charts and any(word in text for word in ("argoproj.io", "ConfigMap", "Secret")):
            return True
    return False


def _text(side: Side, path: str) -> str:
    try:
        return side.tree.read_bytes(path).decode("utf-8", "replace") if path in side.ids else ""
    except (OSError, ValueError):
        return ""


def release_files(side: Side, contents: dict[tuple[str, str], bytes | None]) -> list[str]:
    """The files of a side (besides its kustomizations, always parsed) that Helm releases depend on:
    chart files, Flux objects and the ConfigMaps and Secrets they may name (when there are
    HelmReleases), and Argo CD Applications that mention Helm, a chart or one of the side's chart
    directories. A byte search picks them, so a large repository is not parsed in full for a diff; they
    are parsed into the diff's shared cache right away (a file equal on both sides is parsed once).
    `contents`: bytes by (path, content id) read for the other side (a file equal on both sides is read
    once); this side's are added."""
    files, ids = side.files, side.ids
    templates = helm_template_dirs(files)
    charts = side.chart_dirs
    candidates = [f for f in files if is_yaml_path(f) and not is_kustomization_file(f) and not is_below(f, templates)]
    missing = [f for f in candidates if (f, ids.get(f)) not in contents]
    read_many = getattr(side.tree, "read_many", None)
    fresh = read_many(missing) if read_many is not None else {f: read_or_none(side.tree, f) for f in missing}
    raws = {f: fresh.get(f) if f in fresh else contents.get((f, ids.get(f) or "")) for f in candidates}
    for f in missing:
        cid = ids.get(f)
        if cid is not None:
            contents[(f, cid)] = fresh.get(f)
    chart_names = [c.encode() for c in charts if c]
    flux = any(b"HelmRelease" in raw for raw in raws.values() if raw)  # else no valuesFrom to read
    flux_files = {f for f, raw in raws.items() if flux and raw and _FLUX in raw}
    sources = value_sources(side, {f: raws[f] for f in flux_files}) if flux else frozenset()
    wanted = []
    for path in candidates:
        raw = raws[path]
        if raw is not None and (path in flux_files or is_below(path, charts) or _relevant(raw, chart_names, sources)):
            side.cache.get(side.tree, path, ids.get(path), raw)
            wanted.append(path)
    return wanted


def value_sources(side: Side, flux_files: dict[str, bytes | None]) -> frozenset[bytes] | None:
    """The names of the ConfigMaps and Secrets the side's Flux objects read (HelmRelease `valuesFrom`,
    Kustomization `postBuild.substituteFrom`); None when any may be read: a name that is not plain text
    (a `${VAR}`), or a kustomization that may patch such a reference in."""
    kustomizations = [f for f in side.files if is_kustomization_file(f)]
    side.prefetch(kustomizations)  # parsed for the side's repository anyway
    if any(marker in (side.parsed(f).text or "") for f in kustomizations for marker in _SOURCE_FIELDS):
        return None
    names: set[bytes] = set()
    for path, raw in flux_files.items():
        for doc in side.cache.get(side.tree, path, side.ids.get(path), raw).documents:
            spec = as_dict(doc.data.get("spec")) if isinstance(doc.data, dict) else {}
            refs = spec.get("valuesFrom") if doc.kind == "HelmRelease" else \
                as_dict(spec.get("postBuild")).get("substituteFrom") if doc.kind == "Kustomization" else None
            for ref in refs if isinstance(refs, list) else []:
                name = as_dict(ref).get("name")
                if not isinstance(name, str) or "$" in name:
                    return None
                names.add(name.encode())
    return frozenset(names)


def _relevant(raw: bytes, chart_names: list[bytes], sources: frozenset[bytes] | None) -> bool:
    """ConfigMaps and Secrets that may be value sources (None: any), and Argo CD Applications that
    mention Helm, a chart or one of this repository's chart directories."""
    if any(m in raw for m in _VALUE_KINDS) and (sources is None or any(name in raw for name in sources)):
        return True
    if b"argoproj.io" in raw:
        return b"helm" in raw or b"chart" in raw or any(name in raw for name in chart_names)
    return False


