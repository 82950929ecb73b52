"""kustomize `helmCharts:` inflated as kustomize's HelmChartInflationGenerator does, for the rendered views.

The chart is `<chartHome>/<name>` (chartHome: `helmGlobals.chartHome`, default `charts`, relative to the
kustomization; with a `version`, `<chartHome>/<name>-<version>/<name>` when that exists). A chart with a
`repo` that is not vendored there is fetched only by opt-in (`--helm-fetch`), else the root is not
rendered. Values: `valuesFile` merged with `valuesInline` by `valuesMerge` (`override`, the default:
inline wins; `merge`: the file wins; `replace`: inline only), then each of `additionalValuesFiles` on top.
`releaseName` (default `release-name`) and `namespace` (default `default`) as given; CRDs only with
`includeCRDs: true`. Objects are returned for kustomize to transform like any generated resource."""

from __future__ import annotations

import posixpath
import sys
from pathlib import Path
from typing import Any

from gitops_lint.core.source import PathEscapesRoot, normalize
from gitops_lint.helm.charts import ChartError, PackedChart, pack_chart
from gitops_lint.helm.fetch import FetchError, default_cache_dir
from gitops_lint.helm.fetched import FetchedChart, RecordingFetcher
from gitops_lint.helm.release import ChartSource
from gitops_lint.helm.renderer import ChartRenderer
from gitops_lint.helm.values import merge_maps
from gitops_lint.render.errors import NotRendered, RenderError


class ChartNotFetched(NotRendered):
    """A remote chart that `--helm-fetch` asked for and could not get (GL209 reports it, as for releases)."""


def run_fetcher(repo: Any) -> RecordingFetcher | None:
    """The run's one chart fetcher (None without the opt-in): shared by the kustomize `helmCharts`
    inflater and the Helm releases, so that the report lists every chart the run fetched."""
    return repo.derived(_new_fetcher)


def _new_fetcher(repo: Any) -> RecordingFetcher | None:
    return chart_fetcher(repo.config)


def chart_fetcher(config: Any) -> RecordingFetcher | None:
    """A new remote chart fetcher when the user opted in (`--helm-fetch`, `helm.fetch: true`), else None
    (a run's own is `run_fetcher`; a diff's releases share one for both sides)."""
    settings = config.helm
    if not settings.fetch:
        return None
    return RecordingFetcher(Path(settings.cache) if settings.cache else default_cache_dir(),
                            log=lambda line: print(line, file=sys.stderr))


def fetched_charts(repo: Any) -> list[FetchedChart]:
    """The remote charts the run has fetched so far (downloaded or from the chart cache)."""
    fetcher = run_fetcher(repo)
    return list(fetcher.charts) if fetcher is not None else []


class ChartInflater:
    """`inflate(kustomization, index)` for the renderer; renders through one worker (started on use)."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo
        self._renderer: ChartRenderer | None = None
        self._packed: dict[str, PackedChart | str] = {}

    def _render_with(self) -> ChartRenderer:
        if self._renderer is None:
            settings = self.repo.config.helm
            self._renderer = ChartRenderer(settings.backend, settings.timeout, settings.memory_mb)
        return self._renderer

    def __call__(self, k: Any, index: int) -> list[dict]:
        """The objects of `helmCharts[index]` of kustomization `k` (raises RenderError/NotRendered)."""
        entry = k.data["helmCharts"][index]
        where = (k.path, k.position("helmCharts", index))
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise RenderError("a helmCharts entry needs a `name`", *where)
        renderer = self._render_with()
        if renderer.backend is None:
            raise NotRendered("`helmCharts` is not rendered: no Helm backend (install gitops-lint[helm])", *where)
        chart = self._chart(k, entry, where)
        values = self._values(k, entry, index)
        out = renderer.render(chart, str(entry.get("releaseName") or "release-name"),
                              str(entry.get("namespace") or "default"), values, entry.get("includeCRDs") is True)
        if out.error is not None:
            raise RenderError(f"helm chart {entry['name']!r} does not render: {' '.join(out.error.split())}",
                              *where)
        return [o.data for o in out.objects]

    def _chart(self, k: Any, entry: dict, where: tuple) -> PackedChart:
        globals_ = k.data.get("helmGlobals") if isinstance(k.data.get("helmGlobals"), dict) else {}
        home = self._path(k, str(globals_.get("chartHome") or "charts"), where)
        name, version = entry["name"], str(entry.get("version") or "")
        candidates = [posixpath.join(home, f"{name}-{version}", name)] if version else []
        candidates.append(posixpath.join(home, name))
        for directory in candidates:
            if self.repo.tree.is_file(posixpath.join(directory, "Chart.yaml")):
                return self._pack(directory, where)
        if entry.get("repo"):
            return self._fetch(entry, where)
        raise RenderError(f"helm chart {name!r} not found in {home or '.'} (no Chart.yaml)", *where)

    def _pack(self, directory: str, where: tuple) -> PackedChart:
        hit = self._packed.get(directory)
        if hit is None:
            try:
                hit = pack_chart(self.repo.tree, directory, self.repo.files)
            except (ChartError, OSError, ValueError) as exc:
                hit = str(exc)
            self._packed[directory] = hit
        if isinstance(hit, str):
            raise RenderError(hit, *where)
        return hit

    def _fetch(self, entry: dict, where: tuple) -> PackedChart:
        fetcher = run_fetcher(self.repo)
        if fetcher is None:
            raise NotRendered(f"helm chart {entry['name']!r} is remote: not rendered; pass --helm-fetch", *where)
        source = ChartSource(repo_url=str(entry["repo"]), chart=entry["name"],
                             version=str(entry["version"]) if entry.get("version") else None)
        try:
            fetched = fetcher.get(source)
        except FetchError as exc:
            raise ChartNotFetched(f"helm chart {entry['name']!r} not rendered: {exc}", *where) from None
        return PackedChart("", entry["name"], fetched.version, fetched.archive)

    def _values(self, k: Any, entry: dict, index: int) -> dict:
        where = (k.path, k.position("helmCharts", index))
        base: dict = self._file(k, entry.get("valuesFile"), where) if entry.get("valuesFile") else {}
        raw = entry.get("valuesInline")
        inline: dict = raw if isinstance(raw, dict) else {}
        merge = str(entry.get("valuesMerge") or "override")
        if merge == "replace":
            values = dict(inline) if inline else base
        elif merge == "merge":
            values = merge_maps(inline, base)
        else:
            values = merge_maps(base, inline)
        extra = entry.get("additionalValuesFiles")
        for rel in extra if isinstance(extra, list) else []:
            values = merge_maps(values, self._file(k, rel, where))
        return values

    def _file(self, k: Any, rel: Any, where: tuple) -> dict:
        path = self._path(k, str(rel), where)
        parsed = self.repo.parsed(path)
        if parsed is None or not self.repo.tree.is_file(path):
            raise RenderError(f"values file {rel!r} not found", *where)
        data = parsed.documents[0].data if parsed.documents else {}
        if data is not None and not isinstance(data, dict):
            raise RenderError(f"values file {rel!r} is not a YAML mapping", *where)
        return data or {}

    def _path(self, k: Any, rel: str, where: tuple) -> str:
        try:
            return normalize(rel, k.dir)
        except PathEscapesRoot as exc:
            raise RenderError(f"{rel!r}: {exc}", *where) from None
