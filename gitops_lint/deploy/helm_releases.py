"""Helm releases of a repository (Flux HelmReleases, Argo CD Helm sources), rendered once per run and
offered to the rendered views as roots, so chart output goes through the same rules as kustomize
output. A rendered field whose value was set by exactly one user value is placed at that values line;
anything else at the release."""

from __future__ import annotations

from typing import Any

from gitops_lint.argo.helm_source import argo_releases
from gitops_lint.core.findings import Position
from gitops_lint.deploy.file_roles import judged
from gitops_lint.flux.helm_release import flux_releases
from gitops_lint.helm.fetch import ChartFetcher
from gitops_lint.helm.release import Release
from gitops_lint.helm.releases import ReleaseRender, ReleaseRenderer
from gitops_lint.helm.renderer import ChartRenderer
from gitops_lint.helm.values import leaf_paths, scrub
from gitops_lint.model.helm_charts import run_fetcher
from gitops_lint.model.rendered_views import RootRender
from gitops_lint.render import RenderedObject


def releases(repo) -> list[Release]:
    """Every Helm release the repository declares (once per environment that deploys it)."""
    return repo.derived(_collect)


def _collect(repo) -> list[Release]:
    seen: set[tuple] = set()
    out = []
    def deployed(path: str) -> bool:  # releases in files nothing deploys are not judged (nor rendered)
        return judged(repo, path)

    for release in (*flux_releases(repo, deployed), *argo_releases(repo, deployed)):
        key = (release.key, release.environment, release.chart, repr(release.values.values))
        if key not in seen:
            seen.add(key)
            out.append(release)
    return out


def release_files(repo) -> set[str]:
    """Every file a rendered release's findings can be placed at (found without rendering): each
    release's own document, the files its values come from (any line that sets one), and the files
    naming a value file of its chart."""
    out: set[str] = set()
    for release in releases(repo):
        out.add(release.file)
        out.update(entry.file for entry in release.chart_value_files)
        for layer in release.values.layers:
            prefixes = {path[:n] for path in leaf_paths(layer.data) for n in range(1, len(path) + 1)}
            out.update(layer.locate(prefix)[0] for prefix in prefixes)
    return out


def release_renders(repo) -> list[ReleaseRender]:
    """The rendering of every release (built on first use, shared by every rule of the run)."""
    return repo.derived(_render_all)


def _render_all(repo) -> list[ReleaseRender]:
    wanted = releases(repo)
    if not wanted:
        return []
    with open_renderer(repo.config) as renderer:
        return render_releases(repo, wanted, renderer, run_fetcher(repo))


def open_renderer(config) -> ChartRenderer:
    """The chart renderer the config's `helm` settings ask for (a context manager: it holds a worker)."""
    settings = config.helm
    return ChartRenderer(settings.backend, settings.timeout, settings.memory_mb)


def render_releases(repo, wanted: list[Release], renderer: ChartRenderer,
                    fetcher: ChartFetcher | None = None) -> list[ReleaseRender]:
    """Render `wanted` releases of `repo` through `renderer` (which may serve several trees: a diff's sides)."""
    worker = ReleaseRenderer(repo.tree, repo.files, renderer, fetcher)
    return [worker.render(r) for r in wanted]


def chart_roots(repo) -> list[RootRender]:
    """Rendered releases as roots of the rendered views (failed or skipped ones have no objects)."""
    out = []
    for render in release_renders(repo):
        release = render.release
        root = RootRender(f"{release.label} (chart {render.chart_name or release.chart.label})",
                          release.environment)
        secrets = release.values.secret_strings()  # values from Secrets never reach a message
        root.objects = [_object(release, scrub(o.data, secrets)) for o in render.objects]
        out.append(root)
    return out


def _object(release: Release, data: dict) -> RenderedObject:
    origins: dict[str, tuple[str, Position]] = {k: (release.file, release.position) for k in data}
    for path, origin in traced_fields(release, data).items():
        origins[".".join(map(str, path))] = origin
    return RenderedObject(data, release.file, release.position, origins)


def traced_fields(release: Release, data: dict) -> dict[tuple, tuple[str, Position]]:
    """Rendered fields whose value equals exactly one user-supplied scalar value (or, in a longer string,
    contains user values: the last of them) mapped to that value's line."""
    values = release.values
    by_value: dict[Any, list[tuple]] = {}
    for path in leaf_paths(values.values):
        value = _at(values.values, path)
        if _traceable(value):
            by_value.setdefault(_norm(value), []).append(path)
    texts = [(v, paths[0]) for v, paths in by_value.items() if isinstance(v, str) and len(paths) == 1]
    out = {}
    for path in leaf_paths(data):
        value = _at(data, path)
        sources = by_value.get(_norm(value)) if _traceable(value) else None
        if not sources and isinstance(value, str) and len(value) > 3:
            # a value templated into a longer string (`{{ .repository }}:{{ .tag }}`): the one user value
            # it contains, preferring the last (the tag of an image, the suffix of a name)
            inside = [(value.rfind(text), source) for text, source in texts if text in value]
            sources = [max(inside)[1]] if len(inside) == 1 or _last_unique(inside) else None
        if sources and len(sources) == 1:
            origin = values.origin(sources[0])
            if origin is not None:
                out[path] = origin[:2]
    return out


def _last_unique(inside: list[tuple[int, tuple]]) -> bool:
    """Several user values inside one string: the last one is taken when no other ends there too."""
    if not inside:
        return False
    ends = sorted((pos for pos, _ in inside), reverse=True)
    return len(ends) == 1 or ends[0] != ends[1]


def _traceable(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return len(value) >= 3
    return isinstance(value, (int, float))


def _norm(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) else value


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data
