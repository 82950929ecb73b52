"""Rules on Helm releases: GL209 (a chart that does not render, or a release that is not rendered and
why) and GL210 (a kustomize `helmCharts` version that is a range or unpinned, in production). The charts'
rendered output itself goes through the other rules as roots of the rendered views."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gitops_lint.checks.flux import version_problem
from gitops_lint.core.findings import Severity, Violation
from gitops_lint.deploy.file_roles import judged
from gitops_lint.deploy.helm_releases import release_renders
from gitops_lint.helm.releases import REMOTE_NOT_FETCHED, ReleaseRender
from gitops_lint.model.helm_charts import ChartNotFetched


def render_failed(ctx) -> Iterator[Violation]:
    """GL209: a release whose chart fails to render (template error, `required`/`fail`, values schema,
    time or memory limit), a values source the operator cannot resolve, and (info) releases not
    rendered at all. Remote charts left unfetched (no --helm-fetch) share one cause: one info finding
    lists them all; a kustomize `helmCharts` chart that --helm-fetch could not get is an info at its
    entry. Without a Helm backend installed, charts are not rendered and nothing is said per
    release (the README documents the extra)."""
    seen: set[tuple] = set()
    unfetched: list[ReleaseRender] = []
    for render in release_renders(ctx.repo):
        if render.skipped == REMOTE_NOT_FETCHED and _quiet_skip(render):
            unfetched.append(render)
            continue
        for v in _violations(render):
            key = (v.path, v.position.line, v.message)
            if key not in seen:
                seen.add(key)
                yield v
    if unfetched:
        yield _unfetched(unfetched)
    yield from _helm_charts_not_fetched(ctx.repo)


def _helm_charts_not_fetched(repo) -> Iterator[Violation]:
    """(info) A kustomize `helmCharts` entry whose remote chart `--helm-fetch` could not get, once per
    entry however many roots build it. Nothing is fetched without the opt-in, so nothing to say (and no
    root to build for it: in `check --shard`, this repository-wide rule would otherwise build them all)."""
    if not repo.config.helm.fetch:
        return
    seen: set[tuple] = set()
    for root in repo.rendered.deployed_roots(lambda path: judged(repo, path)):
        error = root.error
        if not isinstance(error, ChartNotFetched) or error.path is None or error.position is None:
            continue
        if (error.path, error.position.line) not in seen:
            seen.add((error.path, error.position.line))
            yield Violation(error.path, error.message, error.position, environment=root.environment,
                            key=f"helmCharts:{error.message}", severity=Severity.INFO)


def _quiet_skip(render: ReleaseRender) -> bool:
    """A release skipped for a reason worth one line (no backend missing, no fatal problem of its own)."""
    return not render.unavailable and not any(p.fatal for p in render.all_problems)


def _unfetched(renders: list[ReleaseRender]) -> Violation:
    """One info finding for every release whose remote chart was not fetched, at the first of them."""
    labels = sorted({r.release.label for r in renders})
    shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    first = min(renders, key=lambda r: (r.release.file, r.release.position.line)).release
    noun = "release uses a remote chart" if len(labels) == 1 else f"{len(labels)} releases use remote charts"
    return Violation(first.file, f"{noun} and {'was' if len(labels) == 1 else 'were'} not rendered ({shown}); "
                     "pass --helm-fetch (or set helm.fetch: true) to fetch and check them", first.position,
                     resource=first.resource, key="not-rendered:remote", severity=Severity.INFO)


def _violations(render: ReleaseRender) -> Iterator[Violation]:
    release = render.release

    def violation(message: str, at: tuple, severity: Severity | None = None, key: str = "") -> Violation:
        return Violation(at[0], message, at[1], resource=release.resource, environment=release.environment,
                         key=f"{release.label}:{key or message}", severity=severity)

    for problem in render.all_problems:
        if problem.reported and (problem.fatal or render.skipped is None):  # info only about a real render
            yield violation(f"{release.label}: {problem.message}", (problem.file, problem.position),
                            None if problem.fatal and not problem.info else Severity.INFO)
    if render.skipped is not None and _quiet_skip(render) and not release.chart.broken_reference:  # GL503 says it
        yield violation(f"{release.label}: {render.skipped}", (release.file, release.position), Severity.INFO,
                        key="not-rendered")
    if render.error is not None:
        message = " ".join(render.error.split())
        chart = f"chart {render.chart_name} {render.chart_version}".rstrip() if render.chart_name else "chart"
        at = (release.file, release.position)
        for path in render.error_paths():
            origin = render.effective_values.origin(path)
            if origin is not None:
                at = origin[:2]
                break
        yield violation(f"{release.label}: {chart} does not render: {message}", at,
                        key=f"render:{re.sub(r'[0-9]+', 'N', message)[:120]}")


def chart_unpinned(ctx) -> Iterator[Violation]:
    """GL210: a kustomize `helmCharts` entry with a remote `repo` whose `version` is empty, `*` or a range,
    in a production build (Argo CD charts: GL409; Flux HelmReleases: GL507)."""
    repo = ctx.repo
    seen: set[tuple] = set()
    for root, env in repo.environment_roots():
        if not ctx.is_production(env):
            continue
        for directory in repo.reachable_kustomizations(root):
            k = repo.kustomizations[directory]
            if not ctx.owns(k.path):
                continue
            charts = k.data.get("helmCharts") if isinstance(k.data, dict) else None
            for i, chart in enumerate(charts if isinstance(charts, list) else []):
                if not isinstance(chart, dict) or not chart.get("repo") or (k.path, i) in seen:
                    continue
                problem = version_problem(chart.get("version"))
                if problem is None:
                    continue
                seen.add((k.path, i))
                field = ("helmCharts", i, "version") if "version" in chart else ("helmCharts", i)
                yield Violation(k.path, f"helmCharts entry {chart.get('name')!r} ({env}) "
                                f"{problem.replace('so Flux installs', 'so kustomize inflates')}; pin an exact "
                                "version so the build changes only through Git", k.position(*field),
                                environment=env, key=f"helmCharts:{chart.get('name')}")
