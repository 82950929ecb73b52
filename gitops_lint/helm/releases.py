"""Render `Release`s: locate the chart (packed from the repository, or fetched by opt-in), render it in
the worker with the merged values, and say why when a release is not rendered."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from gitops_lint.core.loader import parse_text
from gitops_lint.core.source import SourceTree
from gitops_lint.helm.charts import ChartError, PackedChart, archive_file, pack_chart
from gitops_lint.helm.fetch import ChartFetcher, FetchError
from gitops_lint.helm.release import ChartValueFile, Problem, Release
from gitops_lint.helm.renderer import ChartObject, ChartRenderer
from gitops_lint.helm.values import Locate, PathKey, TracedValues, ValuesLayer, schema_error_paths, scrub

REMOTE_NOT_FETCHED = "not rendered: remote chart; pass --helm-fetch (or set helm.fetch: true) to fetch it"


@dataclass
class ReleaseRender:
    """One release's rendering: objects, or the chart's error, or why it was not rendered."""

    release: Release
    objects: list[ChartObject] = field(default_factory=list)
    error: str | None = None  # the chart failed to render (template error, schema, limits)
    skipped: str | None = None  # not rendered, and not the chart's fault (remote, no backend…)
    unavailable: bool = False  # skipped because no Helm backend is installed (not reported per release)
    chart_name: str = ""
    chart_version: str = ""
    digest: str = ""
    values: TracedValues | None = None  # the values rendered with (the release's, over chart value files)
    problems: list[Problem] = field(default_factory=list)  # found while rendering (a chart value file)

    @property
    def ok(self) -> bool:
        return self.error is None and self.skipped is None

    @property
    def all_problems(self) -> list[Problem]:
        """The release's own problems, then those found while rendering it."""
        return [*self.release.problems, *self.problems]

    @property
    def effective_values(self) -> TracedValues:
        """The values the chart was rendered with (where each was set)."""
        return self.values if self.values is not None else self.release.values

    def error_paths(self) -> list[PathKey]:
        """Values paths a schema violation names (to place the finding at the values line)."""
        return schema_error_paths(self.error or "")


class ReleaseRenderer:
    """Renders releases of one tree; packs each chart directory once."""

    def __init__(self, tree: SourceTree, files: list[str], renderer: ChartRenderer,
                 fetcher: ChartFetcher | None = None):
        self.tree = tree
        self.files = files
        self.renderer = renderer
        self.fetcher = fetcher
        self._packed: dict[str, PackedChart | str] = {}

    def chart(self, release: Release) -> PackedChart | str:
        """The packed chart of `release`, or why there is none (a string)."""
        source = release.chart
        if source.unresolved:
            return f"not rendered: {source.unresolved}"
        if source.directory is not None:
            hit = self._packed.get(source.directory)
            if hit is None:
                try:
                    hit = pack_chart(self.tree, source.directory, self.files)
                except ChartError as exc:
                    hit = f"chart {source.directory or '.'}: {exc}"
                except (OSError, ValueError) as exc:
                    hit = f"chart {source.directory or '.'} cannot be read: {exc}"
                self._packed[source.directory] = hit
            return hit
        if self.fetcher is None:
            return REMOTE_NOT_FETCHED
        try:
            fetched = self.fetcher.get(source)
        except FetchError as exc:
            return f"not rendered: {exc}"
        return PackedChart("", source.name, fetched.version, fetched.archive)

    def render(self, release: Release) -> ReleaseRender:
        """Render one release (values problems that stop the operator stop the render too)."""
        out = ReleaseRender(release)
        fatal = [p for p in release.problems if p.fatal]
        if fatal:
            out.skipped = f"not rendered: {fatal[0].message}"
            return out
        chart = self.chart(release)
        if isinstance(chart, str):
            if chart.startswith("not rendered"):
                out.skipped = chart
            else:
                out.error = chart
            return out
        out.chart_name, out.chart_version, out.digest = chart.name, chart.version, chart.digest
        values = release.values
        if release.chart_value_files:
            layers, out.problems = chart_value_layers(chart, release.chart_value_files)
            fatal = [p for p in out.problems if p.fatal]
            if fatal:
                out.skipped = f"not rendered: {fatal[0].message}"
                return out
            values = out.values = values.with_layers(layers)
        result = self.renderer.render(chart, release.release_name, release.namespace, values.values,
                                      release.include_crds)
        if result.unavailable:
            out.skipped, out.unavailable = f"not rendered: {result.error}", True
        elif result.error is not None:  # Helm's message may quote a value: one from a Secret never shows
            out.error = str(scrub(result.error, values.secret_strings()))
        else:
            out.objects = result.objects
        return out


def chart_value_layers(chart: PackedChart, files: list[ChartValueFile]
                       ) -> tuple[list[tuple[int, ValuesLayer]], list[Problem]]:
    """The value files read from the chart's archive as (step, layer), each placed at the line naming it;
    a file that is missing (unless `ignore_missing`), outside the chart or not a YAML mapping is a problem
    that stops the render, as it stops Argo CD's `helm template`."""
    layers: list[tuple[int, ValuesLayer]] = []
    problems: list[Problem] = []
    label = f"chart {chart.name} {chart.version}".rstrip()
    for entry in files:
        path = posixpath.normpath(entry.path.lstrip("/") or ".")  # a leading `/` is the chart's root
        if path == ".." or path.startswith("../"):
            problems.append(Problem(f"value file {entry.path!r} is outside {label}", entry.file, entry.position))
            continue
        data = archive_file(chart.archive, path) if path != "." else None
        if data is None:
            if not entry.ignore_missing:
                problems.append(Problem(f"value file {entry.path!r} is not in {label} (set "
                                        "ignoreMissingValueFiles to skip it)", entry.file, entry.position))
            continue
        parsed = parse_text(f"{label}/{path}", data.decode("utf-8", "replace"))
        doc = parsed.documents[0] if parsed.documents else None
        content = doc.data if doc is not None else {}
        if parsed.violations or not isinstance(content, (dict, type(None))):
            why = parsed.violations[0].message if parsed.violations else "not a YAML mapping"
            problems.append(Problem(f"value file {entry.path!r} of {label}: {why}", entry.file, entry.position))
            continue
        layers.append((entry.step, ValuesLayer(content or {}, _at_line(entry))))
    return layers, problems


def _at_line(entry: ChartValueFile) -> Locate:
    """Every value of a chart value file is placed at the line that names the file."""
    return lambda _path: (entry.file, entry.position)
