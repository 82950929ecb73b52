"""Remote charts: fetched only with --helm-fetch, from a loopback HTTP chart repository served by the test,
into a content-addressed cache that makes the next run offline."""

from __future__ import annotations

import pytest

from gitops_lint.api import lint_path
from gitops_lint.core.source import WorkingTree
from gitops_lint.deploy.helm_releases import release_renders
from gitops_lint.helm.charts import pack_chart
from gitops_lint.helm.fetch import ChartFetcher, FetchError
from gitops_lint.helm.release import ChartSource
from helm_charts import ChartRepo, by_kind_name, expected_web, needs_sdk, remote_release_files, web_chart


@pytest.fixture
def archives(make_repo):
    out = {}
    for version in ("1.3.0", "1.4.0"):
        files = web_chart()
        files["charts/web/Chart.yaml"] = files["charts/web/Chart.yaml"].replace("1.4.0", version)
        out[version] = pack_chart(WorkingTree(make_repo(files)), "charts/web").archive
    return out


@pytest.fixture
def chart_repo(archives):
    server = ChartRepo(archives)
    yield server
    server.stop()


def test_fetch_then_cache_hit_then_offline(chart_repo, tmp_path):
    source = ChartSource(repo_url=chart_repo.url, chart="web", version="1.3.0")
    first = ChartFetcher(tmp_path / "cache").get(source)
    assert (first.version, first.from_cache) == ("1.3.0", False)
    assert chart_repo.requests == ["/index.yaml", "/charts/web-1.3.0.tgz"]
    assert (tmp_path / "cache" / "blobs" / "sha256" / f"{first.digest}.tgz").is_file()
    chart_repo.stop()  # offline from here on
    again = ChartFetcher(tmp_path / "cache").get(source)
    assert again.from_cache and again.archive == first.archive


def test_range_resolves_to_the_highest_match(chart_repo, tmp_path):
    fetched = ChartFetcher(tmp_path).get(ChartSource(repo_url=chart_repo.url, chart="web", version="^1.0"))
    assert fetched.version == "1.4.0"
    with pytest.raises(FetchError, match="matches"):
        ChartFetcher(tmp_path).get(ChartSource(repo_url=chart_repo.url, chart="web", version=">=2"))


def test_digest_mismatch_is_refused(archives, tmp_path):
    server = ChartRepo(archives, digest_override="f" * 64)
    try:
        with pytest.raises(FetchError, match="does not match"):
            ChartFetcher(tmp_path).get(ChartSource(repo_url=server.url, chart="web", version="1.4.0"))
    finally:
        server.stop()
    assert not list((tmp_path).rglob("*.tgz"))


def _release_repo(make_repo, url: str):
    return make_repo(remote_release_files(url))


def test_no_request_without_the_opt_in(chart_repo, make_repo):
    result = lint_path(_release_repo(make_repo, chart_repo.url))
    assert chart_repo.requests == []
    [info] = [f for f in result.findings if f.rule == "GL209"]
    assert info.severity.name == "INFO" and "pass --helm-fetch" in info.message


@needs_sdk
def test_check_with_helm_fetch_renders_the_remote_chart_and_reruns_offline(chart_repo, make_repo, tmp_path):
    repo = _release_repo(make_repo, chart_repo.url)
    cache = str(tmp_path / "cache")
    result = lint_path(repo, helm_fetch=True, helm_cache=cache)
    [render] = release_renders(result.repo)
    assert by_kind_name(render.objects) == expected_web("shop", "prod", replicas=3)
    assert chart_repo.requests == ["/index.yaml", "/charts/web-1.4.0.tgz"]
    chart_repo.stop()
    rerun = lint_path(repo, helm_fetch=True, helm_cache=cache)
    assert by_kind_name(release_renders(rerun.repo)[0].objects) == expected_web("shop", "prod", replicas=3)
    assert not [f for f in rerun.findings if f.rule == "GL209"]
