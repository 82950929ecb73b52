"""The remote charts a run fetched are listed in the report (text block, JSON `helm.fetched`, SARIF run
properties), never as findings; served by a loopback chart repository."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gitops_lint.api import lint_path
from gitops_lint.cli import main
from gitops_lint.core.source import WorkingTree
from gitops_lint.helm.charts import pack_chart
from gitops_lint.helm.fetched import FetchedChart, public_url
from gitops_lint.report import formats
from gitops_lint.report.summary import Summary
from helm_charts import ChartRepo, remote_release_files, web_chart


@pytest.fixture
def chart_repo(make_repo):
    server = ChartRepo({"1.4.0": pack_chart(WorkingTree(make_repo(web_chart())), "charts/web").archive})
    yield server
    server.stop()


def _repo(make_repo, url: str):
    """A Flux HelmRelease of `web` 1.4.0 from `url`, and a kustomize `helmCharts` entry of the same chart."""
    return make_repo({
        **remote_release_files(url),
        "apps/shop/kustomization.yaml": "resources: [repo.yaml, release.yaml]\n",
        "apps/web/kustomization.yaml": f"helmCharts:\n  - name: web\n    repo: {url}\n    version: 1.4.0\n"
                                       "    releaseName: web\n",
    })


def _check(repo, cache, *args: str):
    result = CliRunner().invoke(main, ["check", str(repo), "--helm-fetch", "--helm-cache", str(cache), "--no-cache",
                                       "--fail-on", "never", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_fetched_charts_are_listed_once_in_each_report_format(chart_repo, make_repo, tmp_path):
    repo = _repo(make_repo, chart_repo.url)
    cache = tmp_path / "charts"
    text = _check(repo, cache)
    # two users of the same chart (the HelmRelease and helmCharts), one download, one line
    assert chart_repo.requests.count("/charts/web-1.4.0.tgz") == 1
    block = text[text.index("fetched charts (1):"):].splitlines()
    assert block[1].startswith(f"  web 1.4.0 from {chart_repo.url} (downloaded, sha256:")
    assert len(block) == 2 and "fetched charts" not in text[:text.index("fetched charts (1):")]

    chart_repo.stop()  # the next runs are offline: the chart comes from the cache and says so
    data = json.loads(_check(repo, cache, "--format", "json"))
    [entry] = data["helm"]["fetched"]
    assert entry | {"digest": ""} == {"chart": "web", "version": "1.4.0", "repository": chart_repo.url,
                                      "digest": "", "source": "cache"}
    assert entry["digest"].startswith("sha256:") and len(entry["digest"]) == 7 + 64
    assert not [f for f in data["findings"] if "fetched" in f["message"]]  # not a finding

    sarif = json.loads(_check(repo, cache, "--format", "sarif"))
    [run] = sarif["runs"]
    assert run["properties"]["gitopsLint/helmFetched"] == [entry]


def test_without_the_opt_in_nothing_is_listed(chart_repo, make_repo):
    result = lint_path(_repo(make_repo, chart_repo.url))
    assert result.fetched == [] and chart_repo.requests == []
    out = CliRunner().invoke(main, ["check", str(_repo(make_repo, chart_repo.url)), "--format", "json",
                                    "--no-cache", "--fail-on", "never"]).stdout
    assert "helm" not in json.loads(out)
    assert "fetched charts" not in CliRunner().invoke(main, ["check", str(_repo(make_repo, chart_repo.url)),
                                                            "--no-cache", "--fail-on", "never"]).stdout


def test_lint_result_carries_what_was_fetched(chart_repo, make_repo, tmp_path):
    result = lint_path(_repo(make_repo, chart_repo.url), helm_fetch=True, helm_cache=str(tmp_path / "c"))
    assert [(c.chart, c.version, c.repository, c.from_cache) for c in result.fetched] == [
        ("web", "1.4.0", chart_repo.url, False)]


def test_a_kustomize_helm_charts_fetch_is_listed_too(chart_repo, make_repo, tmp_path):
    repo = make_repo({"apps/web/kustomization.yaml": f"helmCharts:\n  - name: web\n    repo: {chart_repo.url}\n"
                                                     "    version: 1.4.0\n    releaseName: web\n"})
    result = lint_path(repo, helm_fetch=True, helm_cache=str(tmp_path / "c"))
    assert [(c.chart, c.repository, c.from_cache) for c in result.fetched] == [("web", chart_repo.url, False)]


def test_other_formats_leave_the_list_out():
    chart = FetchedChart("web", "1.4.0", "https://charts.example.org", "ab" * 32, False)
    summary = Summary.of([])
    for fmt in ("github", "markdown", "codequality", "junit"):
        assert formats.render(fmt, [], summary, [], fetched=[chart]) == formats.render(fmt, [], summary, [])


@pytest.mark.parametrize(("url", "shown"), [
    ("https://bot:s3cr3t-token@charts.example.org/stable?auth=s3cr3t-token#x", "https://charts.example.org/stable"),
    ("http://127.0.0.1:8080/charts", "http://127.0.0.1:8080/charts"),
    ("https://[::1]:8443/", "https://[::1]:8443/"),
])
def test_repository_urls_are_reported_without_credentials(url, shown):
    assert public_url(url) == shown
    chart = FetchedChart("web", "1.4.0", public_url(url), "ab" * 32, True)
    for fmt in ("text", "json", "sarif"):
        assert "s3cr3t" not in formats.render(fmt, [], Summary.of([]), [], fetched=[chart])


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_merge_lists_what_the_shards_fetched(chart_repo, make_repo, tmp_path, fmt):
    repo = _repo(make_repo, chart_repo.url)
    cache = tmp_path / "charts"
    single = json.loads(_check(repo, cache, "--format", fmt))
    paths = []
    for k in (1, 2):
        path = tmp_path / f"shard{k}.{fmt}"
        path.write_text(_check(repo, cache, "--format", fmt, "--shard", f"{k}/2"), encoding="utf-8")
        paths.append(str(path))
    merged = CliRunner().invoke(main, ["merge", *paths, "--format", fmt, "--fail-on", "never"])
    assert merged.exit_code == 0, merged.output
    data = json.loads(merged.stdout)

    def listed(report: dict) -> list[dict]:  # the shards ran after `single`: from the cache, not downloaded
        found = report["helm"]["fetched"] if fmt == "json" else report["runs"][0]["properties"]["gitopsLint/helmFetched"]
        return [{k: v for k, v in entry.items() if k != "source"} for entry in found]

    assert listed(data) == listed(single) and len(listed(data)) == 1


def test_fetched_chart_round_trips_through_its_json_form():
    chart = FetchedChart("web", "1.4.0", "https://charts.example.com", "ab" * 32, True)
    assert FetchedChart.from_dict(chart.to_dict()) == chart


def test_a_fetching_run_is_not_answered_from_the_run_cache(chart_repo, make_repo, tmp_path):
    repo = _repo(make_repo, chart_repo.url)
    run_cache, charts = tmp_path / "runs", tmp_path / "charts"

    def check(*extra: str) -> str:
        result = CliRunner().invoke(main, ["check", str(repo), "--cache-dir", str(run_cache), "--fail-on", "never",
                                           "--format", "json", *extra])
        assert result.exit_code == 0, result.output
        return result.stdout

    plain = json.loads(check())
    assert "helm" not in plain and chart_repo.requests == []
    fetching = json.loads(check("--helm-fetch", "--helm-cache", str(charts)))  # not the plain run's answer
    assert [c["chart"] for c in fetching["helm"]["fetched"]] == ["web"]
    assert [f for f in plain["findings"] if f["rule"] == "GL209"] != [f for f in fetching["findings"]
                                                                     if f["rule"] == "GL209"]
    again = json.loads(check("--helm-fetch", "--helm-cache", str(charts)))  # rendered again, from the chart cache
    assert [c["source"] for c in again["helm"]["fetched"]] == ["cache"]
