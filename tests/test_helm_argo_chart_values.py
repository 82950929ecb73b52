"""Argo CD Applications with a remote chart (`chart:` + `repoURL`): `helm.valueFiles` name files shipped in
the chart, read from the fetched archive and merged in list order (a `$ref/...` file of another source at
its own place), with `ignoreMissingValueFiles`; the chart is served by a loopback chart repository."""

from __future__ import annotations

import io
import tarfile

import pytest

from gitops_lint.api import lint_path
from gitops_lint.core.findings import Position
from gitops_lint.core.source import WorkingTree
from gitops_lint.deploy.helm_releases import release_renders, releases
from gitops_lint.helm.charts import PackedChart, archive_file, pack_chart
from gitops_lint.helm.release import ChartValueFile
from gitops_lint.helm.releases import chart_value_layers
from gitops_lint.helm.values import TracedValues, ValuesLayer
from helm_charts import ChartRepo, argo_app, argo_source, by_kind_name, expected_web, needs_sdk, web_chart

FIRST_VALUE_FILE_LINE = 14  # in _app_repo's Application and _local_app's


@pytest.fixture
def archive(make_repo) -> bytes:
    files = web_chart()
    files["charts/web/values-prod.yaml"] = "replicas: 5\nglobal:\n  team: red\n"
    files["charts/web/env/zero.yaml"] = "replicas: 0\n"
    return pack_chart(WorkingTree(make_repo(files)), "charts/web").archive


@pytest.fixture
def chart_repo(archive):
    server = ChartRepo({"1.4.0": archive})
    yield server
    server.stop()


def _app_repo(make_repo, url: str, *value_files: str, ignore_missing: bool = False):
    helm = "valueFiles:\n" + "".join(f"  - {f}\n" for f in value_files)
    if ignore_missing:
        helm += "ignoreMissingValueFiles: true\n"
    helm += "valuesObject:\n  image: nginx:1.28.0\n"
    app = argo_app(argo_source(url, "1.4.0", chart="web", helm=helm), argo_source(ref="values"))
    return make_repo({"argocd/shop.yaml": app,
                      "envs/prod/shop.yaml": "replicas: 7\n"},
                     {"repo_urls": ["https://github.com/acme/deploy.git"]})


def _lint(repo, tmp_path):
    return lint_path(repo, helm_fetch=True, helm_cache=str(tmp_path / "charts"))


def _gl209(result):
    return [(f.line, f.severity.name, f.message) for f in result.findings if f.rule == "GL209"]


@needs_sdk
def test_a_value_file_shipped_in_the_remote_chart_is_applied(chart_repo, make_repo, tmp_path):
    result = _lint(_app_repo(make_repo, chart_repo.url, "values-prod.yaml"), tmp_path)
    [render] = release_renders(result.repo)
    assert by_kind_name(render.objects) == expected_web("shop", "shop", replicas=5, team="red", image="nginx:1.28.0")
    assert _gl209(result) == []
    # each value of the chart's file is traced to the line that names the file
    file, position, _ = render.effective_values.origin(("replicas",))
    assert (file, position.line) == ("argocd/shop.yaml", FIRST_VALUE_FILE_LINE)


@needs_sdk
@pytest.mark.parametrize(("files", "replicas"), [
    (("values-prod.yaml", "$values/envs/prod/shop.yaml"), 7),  # the repository's file comes later: it wins
    (("$values/envs/prod/shop.yaml", "values-prod.yaml"), 5),  # the chart's file comes later: it wins
    (("/values-prod.yaml",), 5),  # a leading slash is the chart's root
    (("./env/../values-prod.yaml",), 5),
])
def test_value_files_merge_in_list_order(chart_repo, make_repo, tmp_path, files, replicas):
    result = _lint(_app_repo(make_repo, chart_repo.url, *files), tmp_path)
    [render] = release_renders(result.repo)
    deployment = by_kind_name(render.objects)[("Deployment", "shop-web")]
    assert deployment["spec"]["replicas"] == replicas and _gl209(result) == []


@needs_sdk
def test_a_value_file_missing_from_the_chart_is_a_finding_naming_it(chart_repo, make_repo, tmp_path):
    result = _lint(_app_repo(make_repo, chart_repo.url, "values-prod.yaml", "values-staging.yaml"), tmp_path)
    [(line, severity, message)] = _gl209(result)
    assert (line, severity) == (FIRST_VALUE_FILE_LINE + 1, "ERROR")
    assert "'values-staging.yaml' is not in chart web 1.4.0" in message
    [render] = release_renders(result.repo)
    assert render.objects == []  # Argo CD's `helm template` fails on it too


@needs_sdk
def test_ignore_missing_value_files_skips_it(chart_repo, make_repo, tmp_path):
    result = _lint(_app_repo(make_repo, chart_repo.url, "values-staging.yaml", "values-prod.yaml",
                             ignore_missing=True), tmp_path)
    [render] = release_renders(result.repo)
    assert by_kind_name(render.objects)[("Deployment", "shop-web")]["spec"]["replicas"] == 5
    assert _gl209(result) == []


@needs_sdk
def test_a_value_file_outside_the_chart_is_refused(chart_repo, make_repo, tmp_path):
    result = _lint(_app_repo(make_repo, chart_repo.url, "../web/values-prod.yaml", ignore_missing=True), tmp_path)
    [(line, _severity, message)] = _gl209(result)
    assert line == FIRST_VALUE_FILE_LINE and "is outside chart web 1.4.0" in message


@needs_sdk
def test_a_schema_violation_from_a_chart_value_file_is_placed_at_its_line(chart_repo, make_repo, tmp_path):
    result = _lint(_app_repo(make_repo, chart_repo.url, "values-prod.yaml", "env/zero.yaml"), tmp_path)
    [(line, severity, message)] = _gl209(result)
    assert (line, severity) == (FIRST_VALUE_FILE_LINE + 1, "ERROR") and "/replicas" in message


def test_without_the_opt_in_chart_value_files_wait_for_the_fetch(chart_repo, make_repo):
    result = lint_path(_app_repo(make_repo, chart_repo.url, "values-prod.yaml"))
    [release] = releases(result.repo)
    assert [f.path for f in release.chart_value_files] == ["values-prod.yaml"]
    assert chart_repo.requests == []
    assert [(s, "pass --helm-fetch" in m) for _, s, m in _gl209(result)] == [("INFO", True)]


def test_chart_value_layers_read_the_archive(archive):
    at = Position(3, 5)
    files = [ChartValueFile("values-prod.yaml", "app.yaml", at, step=1),
             ChartValueFile("nope.yaml", "app.yaml", at, ignore_missing=True),
             ChartValueFile("templates/deployment.yaml", "app.yaml", at)]
    layers, problems = chart_value_layers(PackedChart("", "web", "1.4.0", archive), files)
    assert [(step, layer.data) for step, layer in layers] == [(1, {"replicas": 5, "global": {"team": "red"}})]
    assert layers[0][1].locate(("replicas",)) == ("app.yaml", at)
    assert len(problems) == 1 and "templates/deployment.yaml" in problems[0].message  # not a YAML mapping
    assert archive_file(archive, "values-prod.yaml") == b"replicas: 5\nglobal:\n  team: red\n"
    assert archive_file(archive, "missing.yaml") is None and archive_file(b"not a tgz", "values.yaml") is None


def test_with_layers_merges_each_at_its_step():
    def layer(data):
        return ValuesLayer(data, lambda p: ("f", Position(1, 1)))

    traced = TracedValues()
    traced.add(layer({"a": 1, "ports": [80, 443]}))
    traced.set("ports[0]", 8080, layer({"ports": [8080]}))
    merged = traced.with_layers([(0, layer({"a": 0, "b": 0})), (1, layer({"a": 2, "ports": [1, 2, 3]}))])
    assert merged.values == {"a": 2, "b": 0, "ports": [8080, 2, 3]}
    assert traced.values == {"a": 1, "ports": [8080, 443]}  # unchanged
    assert traced.with_layers([]) is traced


def _local_app(make_repo, item: str):
    app = argo_app(argo_source(path="charts/web", helm=f"valueFiles:\n  - {item}\n"),
                   argo_source("https://github.com/acme/values.git", ref="values"))
    return make_repo({**web_chart(), "argocd/shop.yaml": app},
                     {"repo_urls": ["https://github.com/acme/deploy.git"]})


def test_values_kept_in_another_repository_are_said_not_silently_skipped(make_repo):
    result = lint_path(_local_app(make_repo, "$values/shop/prod.yaml"))
    assert [(line, severity) for line, severity, _ in _gl209(result)] == [(FIRST_VALUE_FILE_LINE, "INFO")]
    assert "in another repository (https://github.com/acme/values.git): not rendered" in _gl209(result)[0][2]
    assert not [f for f in result.findings if f.rule == "GL408"]
    [render] = release_renders(result.repo)
    assert render.objects == [] and render.skipped


@needs_sdk
def test_a_url_value_file_is_not_fetched_and_said(make_repo):
    result = lint_path(_local_app(make_repo, "https://config.example.org/shop/prod.yaml"))
    [(line, severity, message)] = _gl209(result)
    assert (line, severity) == (FIRST_VALUE_FILE_LINE, "INFO") and "rendered without it" in message
    [render] = release_renders(result.repo)
    assert render.ok and render.objects


def test_archive_members_written_with_a_dot_prefix_are_found():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in (("./web/Chart.yaml", b"apiVersion: v2\nname: web\nversion: 1.0.0\n"),
                           ("./web/values-prod.yaml", b"replicas: 9\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert archive_file(buffer.getvalue(), "values-prod.yaml") == b"replicas: 9\n"


@needs_sdk
def test_the_diff_shows_values_a_shipped_value_file_changes(chart_repo, make_repo, tmp_path):
    from gitops_lint.api import resolve_config
    from gitops_lint.core.config import with_helm_options
    from gitops_lint.diff.pipeline import diff_trees

    before = _app_repo(make_repo, chart_repo.url, "values-prod.yaml")
    after = _app_repo(make_repo, chart_repo.url, "env/zero.yaml")
    config = with_helm_options(resolve_config(after, None), True, str(tmp_path / "charts"))
    result = diff_trees(WorkingTree(before, use_git=False), WorkingTree(after, use_git=False), config)
    changes = {c.key[1]: c for r in result.roots for c in r.changes}
    assert set(changes) >= {"HelmValues", "Deployment"}
    assert "-  replicas: 5" in changes["HelmValues"].diff and "+  replicas: 0" in changes["HelmValues"].diff
