"""Helm releases in `diff`: only releases whose inputs changed are rendered; `diff --helm-fetch` renders
remote charts (from a loopback chart repository), and without it the values diff stays with the reason."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from gitfixture import commit, init, write
from test_helm_fetch import ChartRepo

from gitops_lint.api import resolve_config
from gitops_lint.cli import main
from gitops_lint.core.config import Config
from gitops_lint.core.source import WorkingTree
from gitops_lint.diff import helm_sides
from gitops_lint.diff.changes import changed_units
from gitops_lint.diff.helm_sides import index_releases
from gitops_lint.diff.pipeline import diff_trees
from gitops_lint.diff.sides import ParseCache, Side
from gitops_lint.helm.charts import pack_chart
from gitops_lint.helm.releases import REMOTE_NOT_FETCHED
from helm_charts import argo_app, argo_source, flux_release, needs_sdk, remote_release_files, web_chart

RELEASE = flux_release("{name}", spec="  values:\n    replicas: {replicas}\n")
NAMES = ("blog", "cart", "shop")


def _local(make_repo, replicas: dict[str, int], motd: str = "welcome\n"):
    files = {**web_chart(), "charts/web/files/motd.txt": motd}
    files.update({f"apps/{n}/release.yaml": RELEASE.format(name=n, replicas=replicas.get(n, 2)) for n in NAMES})
    return make_repo(files)


@pytest.fixture
def rendered(monkeypatch):
    """The labels of the releases each call of the diff's renderer was asked for (base side, then head)."""
    calls: list[list[str]] = []
    real = helm_sides.render_releases

    def recording(repo, wanted, renderer, fetcher=None):
        calls.append([r.label for r in wanted])
        return real(repo, wanted, renderer, fetcher)

    monkeypatch.setattr(helm_sides, "render_releases", recording)
    return calls


def _diff(before, after):
    return diff_trees(WorkingTree(before, use_git=False), WorkingTree(after, use_git=False),
                      resolve_config(after, None))


def _release_roots(result) -> dict[str, list[tuple[str, str]]]:
    return {r.app: [(c.key[1], c.action) for c in r.changes] for r in result.roots if "(chart" in r.root}


def test_only_the_release_whose_values_changed_is_rendered(make_repo, rendered):
    result = _diff(_local(make_repo, {}), _local(make_repo, {"cart": 4}))
    assert rendered == [["HelmRelease/cart"], ["HelmRelease/cart"]]  # base side, head side
    assert list(_release_roots(result)) == ["HelmRelease/cart"]


@needs_sdk
def test_the_rendered_diff_of_the_changed_release(make_repo, rendered):
    roots = _release_roots(_diff(_local(make_repo, {}), _local(make_repo, {"cart": 4})))
    assert roots == {"HelmRelease/cart": [("HelmValues", "modified"), ("Deployment", "modified")]}


def test_a_chart_file_change_renders_every_release_of_the_chart(make_repo, rendered):
    _diff(_local(make_repo, {}), _local(make_repo, {}, motd="maintenance tonight\n"))
    assert rendered == [[f"HelmRelease/{n}" for n in NAMES]] * 2


def test_nothing_rendered_when_no_release_input_changed(make_repo, rendered):
    before, after = _local(make_repo, {}), _local(make_repo, {})
    (after / "apps/cart/notes.yaml").write_text("# HelmRelease notes, not an object\n")
    result = _diff(before, after)
    assert rendered == [] and not _release_roots(result)


def test_added_and_removed_releases_are_rendered_on_their_side_only(make_repo, rendered):
    before, after = _local(make_repo, {}), _local(make_repo, {})
    (after / "apps/blog/release.yaml").unlink()
    (after / "apps/news").mkdir()
    (after / "apps/news/release.yaml").write_text(RELEASE.format(name="news", replicas=1))
    result = _diff(before, after)
    assert rendered == [["HelmRelease/blog"], ["HelmRelease/news"]]
    statuses = {r.app: r.status for r in result.roots if "(chart" in r.root}
    assert statuses == {"HelmRelease/blog": "removed", "HelmRelease/news": "added"}


VALUES_FROM = """\
  valuesFrom:
    - kind: ConfigMap
      name: {name}
      valuesKey: values.yaml
"""
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: prod\ndata:\n" \
             "  values.yaml: |\n    replicas: {replicas}\n"


def _with_values_from(make_repo, source: str, replicas: int, extra: dict[str, str] | None = None):
    release = RELEASE.format(name="cart", replicas=2).replace("  values:\n", VALUES_FROM.format(name=source)
                                                             + "  values:\n")
    return make_repo({**web_chart(), "apps/cart/release.yaml": release.replace("    replicas: 2\n", "    port: 80\n"),
                      "apps/cart/values.yaml": CONFIG_MAP.format(name="cart-values", replicas=replicas),
                      "apps/other/config.yaml": CONFIG_MAP.format(name="other-config", replicas=1), **(extra or {})})


def _parsed_after_indexing(repo) -> set[str]:
    base = Side("base", WorkingTree(repo, use_git=False), resolve_config(repo, None), ParseCache(Config()))
    head = Side("head", WorkingTree(repo, use_git=False), base.config, base.cache)
    assert index_releases(base, head, ["apps/cart/values.yaml"])
    return set(base.repo.parsed_files)


@needs_sdk
def test_a_values_from_config_map_change_is_rendered(make_repo, rendered):
    result = _diff(_with_values_from(make_repo, "cart-values", 2), _with_values_from(make_repo, "cart-values", 5))
    assert rendered == [["HelmRelease/cart"], ["HelmRelease/cart"]]
    [root] = [r for r in result.roots if r.app == "HelmRelease/cart"]
    deployment = next(c for c in root.changes if c.key[1] == "Deployment")
    assert "-  replicas: 2\n+  replicas: 5" in deployment.diff


def test_only_config_maps_a_flux_object_names_are_parsed(make_repo):
    parsed = _parsed_after_indexing(_with_values_from(make_repo, "cart-values", 2))
    assert "apps/cart/values.yaml" in parsed and "apps/other/config.yaml" not in parsed


@pytest.mark.parametrize("source, extra", [
    ("${CLUSTER}-values", {}),  # a name substituted at apply time: any ConfigMap may be the one
    ("cart-values", {"apps/cart/kustomization.yaml": "resources: [release.yaml]\npatches:\n  - patch: |-\n"
                     "      - op: add\n        path: /spec/valuesFrom/-\n        value: {kind: ConfigMap, "
                     "name: other-config}\n    target: {kind: HelmRelease}\n"}),  # a reference patched in
])
def test_every_config_map_is_parsed_when_the_names_are_not_known(make_repo, source, extra):
    parsed = _parsed_after_indexing(_with_values_from(make_repo, source, 2, extra))
    assert {"apps/cart/values.yaml", "apps/other/config.yaml"} <= parsed


def test_changed_units_statuses_in_order():
    base, head = {"a": 1, "b": 1, "c": 1}, {"b": 2, "c": 1, "d": 1}
    units = changed_units(base, head, lambda u: base[u] != head[u])
    assert units == [("a", "removed"), ("b", "modified"), ("d", "added")]
    assert changed_units(base, head, lambda u: True, order=lambda u: -ord(u))[0] == ("d", "added")


# -- remote charts: --helm-fetch / --helm-cache ----------------------------------------------------
@pytest.fixture
def remote_chart(make_repo):
    server = ChartRepo({"1.4.0": pack_chart(WorkingTree(make_repo(web_chart())), "charts/web").archive})
    yield server
    server.stop()


@pytest.fixture
def remote_diff_repo(remote_chart, tmp_path):
    root = tmp_path / "gitrepo"
    init(root, remote_release_files(remote_chart.url, 2))
    write(root, remote_release_files(remote_chart.url, 3))
    commit(root, "three replicas")
    return root


def _cli_diff(repo, *extra: str) -> dict:
    result = CliRunner().invoke(main, ["diff", str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
                                       "--fail-on", "never", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _shop(data: dict) -> tuple[dict, list[tuple[str, str]]]:
    [root] = [r for r in data["roots"] if r["app"] == "HelmRelease/shop"]
    return root, [(c["kind"], c["action"]) for c in data["changes"] if c["app"] == "HelmRelease/shop"]


def test_diff_without_helm_fetch_shows_the_values_diff_and_why_not_rendered(remote_chart, remote_diff_repo):
    root, changes = _shop(_cli_diff(remote_diff_repo))
    assert remote_chart.requests == []
    assert changes == [("HelmValues", "modified")]
    assert root["errors"] == [f"base: {REMOTE_NOT_FETCHED}", f"head: {REMOTE_NOT_FETCHED}"]


@needs_sdk
def test_diff_with_helm_fetch_renders_the_remote_chart_on_both_sides(remote_chart, remote_diff_repo, tmp_path):
    cache = tmp_path / "chart-cache"
    data = _cli_diff(remote_diff_repo, "--helm-fetch", "--helm-cache", str(cache))
    root, changes = _shop(data)
    assert root["root"] == "HelmRelease/shop (chart web)" and root["errors"] == []
    assert changes == [("HelmValues", "modified"), ("Deployment", "modified")]
    deployment = next(c for c in data["changes"] if c["kind"] == "Deployment")
    assert "-  replicas: 2\n+  replicas: 3" in deployment["diff"]
    assert remote_chart.requests == ["/index.yaml", "/charts/web-1.4.0.tgz"]  # fetched once for both sides
    assert list(cache.rglob("*.tgz"))


ARGO_REMOTE = argo_app(argo_source("https://charts.example.com", "1.4.0", chart="web", helm="valueFiles: {files}\n"),
                       destination="prod")


def test_a_change_of_the_value_files_a_remote_chart_ships_is_rendered(make_repo, rendered):
    before = make_repo({"argocd/shop.yaml": ARGO_REMOTE.format(files="[values.yaml]")})
    after = make_repo({"argocd/shop.yaml": ARGO_REMOTE.format(files="[values.yaml, values-prod.yaml]")})
    _diff(before, after)
    assert rendered == [["Application/shop"], ["Application/shop"]]  # same values, other files from the chart
