"""Helm charts in OCI registries: fetched only with --helm-fetch, from a loopback registry served by the
test (tags/list, manifests, blobs, optionally behind the anonymous token dance), into the same
content-addressed cache as HTTP chart repositories, for every source kind that names an OCI chart."""

from __future__ import annotations

import pytest

from gitops_lint.api import lint_path
from gitops_lint.core.source import WorkingTree
from gitops_lint.helm import fetch
from gitops_lint.helm.charts import pack_chart
from gitops_lint.helm.fetch import ChartFetcher, FetchError
from gitops_lint.helm.oci import RegistryError, artifact, is_loopback, tag_of, version_of
from gitops_lint.helm.release import ChartSource
from gitops_lint.helm.versions import is_range
from helm_charts import by_kind_name, expected_web, needs_sdk, web_chart
from oci_registry import TOKEN, Registry, sha


@pytest.fixture
def archives(make_repo):
    """The `web` test chart packed at three versions."""
    out = {}
    for version in ("1.3.0", "1.4.0", "2.0.0-rc.1"):
        files = web_chart()
        files["charts/web/Chart.yaml"] = files["charts/web/Chart.yaml"].replace("1.4.0", version)
        out[version] = pack_chart(WorkingTree(make_repo(files)), "charts/web").archive
    return out


def serve(archives, **options) -> Registry:
    registry = Registry(**options)
    for version, archive in archives.items():
        registry.push("charts/web", version, archive)
    return registry


@pytest.fixture
def registry(archives):
    server = serve(archives)
    yield server
    server.stop()


def source(registry: Registry, version: str | None, **kw) -> ChartSource:
    return ChartSource(repo_url=f"oci://{registry.host}/charts", chart="web", version=version, **kw)


def test_exact_version_fetched_then_cached_then_offline(registry, archives, tmp_path):
    first = ChartFetcher(tmp_path / "cache").get(source(registry, "1.3.0"))
    assert (first.version, first.digest, first.from_cache) == ("1.3.0", sha(archives["1.3.0"]), False)
    assert first.archive == archives["1.3.0"]
    assert registry.requests == ["/v2/charts/web/manifests/1.3.0", f"/v2/charts/web/blobs/sha256:{first.digest}"]
    assert registry.headers[0]["Accept"] == "application/vnd.oci.image.manifest.v1+json"
    assert (tmp_path / "cache" / "blobs" / "sha256" / f"{first.digest}.tgz").is_file()
    second = ChartFetcher(tmp_path / "cache").get(source(registry, "1.3.0"))
    assert second.from_cache and len(registry.requests) == 2  # a warm cache asks nothing
    registry.stop()
    offline = ChartFetcher(tmp_path / "cache").get(source(registry, "1.3.0"))
    assert offline.archive == archives["1.3.0"]


def test_range_resolves_against_the_tag_list_each_run(registry, tmp_path):
    fetched = ChartFetcher(tmp_path / "cache").get(source(registry, "^1.0"))
    assert fetched.version == "1.4.0"
    assert registry.requests[:2] == ["/v2/charts/web/tags/list", "/v2/charts/web/manifests/1.4.0"]
    registry.requests.clear()
    again = ChartFetcher(tmp_path / "cache").get(source(registry, "^1.0"))
    assert again.from_cache and registry.requests == ["/v2/charts/web/tags/list"]
    latest = ChartFetcher(tmp_path / "cache").get(source(registry, None))  # no version: the highest release
    assert latest.version == "1.4.0"
    with pytest.raises(FetchError, match="matches"):
        ChartFetcher(tmp_path / "cache").get(source(registry, ">=3"))


def test_paged_tag_list_is_followed(archives, tmp_path):
    server = serve(archives, page=1)
    try:
        assert ChartFetcher(tmp_path / "cache").get(source(server, "~1.3")).version == "1.3.0"
        assert ChartFetcher(tmp_path / "cache").get(source(server, ">=2.0.0-rc.0")).version == "2.0.0-rc.1"
    finally:
        server.stop()
    assert sum("tags/list" in r for r in server.requests) == 6  # three pages, twice


def test_digest_reference_and_tag_reference(registry, archives, tmp_path):
    digest = registry.push("charts/web", "1.4.0", archives["1.4.0"])
    pinned = ChartSource(repo_url=f"oci://{registry.host}/charts/web", version=digest, oci_reference=True)
    fetched = ChartFetcher(tmp_path / "cache").get(pinned)
    assert (fetched.version, fetched.archive) == ("1.4.0", archives["1.4.0"])
    assert registry.requests[0] == f"/v2/charts/web/manifests/{digest}"
    registry.requests.clear()
    assert ChartFetcher(tmp_path / "cache").get(pinned).from_cache and registry.requests == []
    wrong = ChartSource(repo_url=f"oci://{registry.host}/charts/web", version="sha256:" + "0" * 64,
                        oci_reference=True)
    with pytest.raises(FetchError, match="404"):
        ChartFetcher(tmp_path / "cache").get(wrong)


def test_blob_digest_mismatch_is_refused_and_nothing_cached(archives, tmp_path):
    server = serve(archives, corrupt=True)
    try:
        with pytest.raises(FetchError, match="does not match"):
            ChartFetcher(tmp_path / "cache").get(source(server, "1.4.0"))
    finally:
        server.stop()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_anonymous_bearer_token_dance(archives, tmp_path):
    server = serve(archives, auth=True)
    try:
        fetched = ChartFetcher(tmp_path / "cache").get(source(server, "1.4.0"))
        assert fetched.archive == archives["1.4.0"]
        paths = [r.split("?")[0] for r in server.requests]
        assert paths == ["/v2/charts/web/manifests/1.4.0", "/token", "/v2/charts/web/manifests/1.4.0",
                         f"/v2/charts/web/blobs/sha256:{fetched.digest}"]
        assert "scope=repository%3Acharts%2Fweb%3Apull" in server.requests[1]
        assert "Authorization" not in server.headers[1]  # no credentials to the token service
        assert server.headers[3]["Authorization"] == f"Bearer {TOKEN}"
        server.requests.clear()
        assert ChartFetcher(tmp_path / "cache").get(source(server, "1.4.0")).from_cache and server.requests == []
    finally:
        server.stop()


def test_token_is_not_forwarded_to_a_blob_redirect(archives, tmp_path):
    server = serve(archives, auth=True, redirect_blobs="self")
    try:
        fetched = ChartFetcher(tmp_path / "cache").get(source(server, "1.3.0"))
    finally:
        server.stop()
    assert fetched.archive == archives["1.3.0"]
    assert server.requests[-1] == f"/cdn/sha256:{fetched.digest}"
    assert "Authorization" not in server.headers[-1]


def test_redirect_to_plain_http_off_this_machine_is_refused(archives, tmp_path):
    server = serve(archives, redirect_blobs="http://192.0.2.1")  # TEST-NET-1: never reached
    try:
        with pytest.raises(FetchError, match="refused redirect to http://192.0.2.1"):
            ChartFetcher(tmp_path / "cache").get(source(server, "1.3.0"))
    finally:
        server.stop()


@pytest.mark.parametrize(("options", "version", "message"), [
    ({}, "9.9.9", "404 not found"),
    ({"layer_type": "application/vnd.oci.image.layer.v1.tar+gzip"}, "1.4.0", "is not a Helm chart"),
    ({"auth": True, "basic": True}, "1.4.0", "needs credentials .Basic auth.; only anonymous pulls"),
])
def test_registry_failures_are_fetch_errors(archives, tmp_path, options, version, message):
    server = serve(archives, **options)
    try:
        with pytest.raises(FetchError, match=message):
            ChartFetcher(tmp_path / "cache").get(source(server, version))
    finally:
        server.stop()


def test_oversize_chart_is_refused(registry, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "MAX_DOWNLOAD", 100)
    with pytest.raises(FetchError, match="larger than"):
        ChartFetcher(tmp_path / "cache").get(source(registry, "1.4.0"))
    assert registry.requests == ["/v2/charts/web/manifests/1.4.0"]  # refused before the download


def test_unreachable_registry_is_a_fetch_error(registry, tmp_path):
    registry.stop()
    with pytest.raises(FetchError, match="cannot fetch"):
        ChartFetcher(tmp_path / "cache").get(source(registry, "1.4.0"))


@pytest.mark.parametrize(("ref", "version", "exact"), [
    ("{}", "latest", True),  # no ref: the `latest` tag
    ("tag: 1.3.0", "1.3.0", True),
    ("{tag: 1.3.0, semver: '~1.4'}", "~1.4", False),  # semver over tag
    ("{tag: 1.3.0, semver: '~1.4', digest: 'sha256:" + "a" * 64 + "'}", "sha256:" + "a" * 64, True),
])
def test_ocirepository_ref_precedence(make_repo, ref, version, exact):
    from gitops_lint.deploy.helm_releases import releases

    files = {"apps/shop/release.yaml": OCI_REPOSITORY.format(host="127.0.0.1:9", ref=ref)}
    [release] = releases(lint_path(make_repo(files)).repo)
    assert (release.chart.version, release.chart.oci_reference, release.chart.name) == (version, exact, "web")
    assert release.chart.label == f"oci://127.0.0.1:9/charts/web@{version}"


def test_argo_native_oci_source_is_a_chart_only_with_a_helm_block(make_repo):
    from gitops_lint.deploy.helm_releases import releases

    files = _files("argo-native-oci", "127.0.0.1:9")
    [release] = releases(lint_path(make_repo(files)).repo)
    assert (release.chart.repo_url, release.chart.version, release.chart.oci_reference) == \
        ("oci://127.0.0.1:9/charts/web", "1.4.0", True)
    plain = files["argocd/shop.yaml"].replace("    helm:\n      releaseName: shop\n      valuesObject:\n"
                                              "        replicas: 3\n", "")
    assert releases(lint_path(make_repo({"argocd/shop.yaml": plain})).repo) == []  # plain manifests, maybe


def test_version_ranges_and_tags():
    assert [is_range(t) for t in ("", "*", "1.x", "^1.0", ">=1.0.0 <2", "1.0 - 2.0")] == [True] * 6
    assert [is_range(t) for t in ("1.4.0", "v1.2.3", "latest", "sha256:" + "0" * 64)] == [False] * 4
    assert (tag_of("1.0.0+build.1"), version_of("1.0.0_build.1")) == ("1.0.0_build.1", "1.0.0+build.1")


def test_plain_http_only_for_loopback_hosts():
    assert artifact("oci://127.0.0.1:5000/charts", "web").base == "http://127.0.0.1:5000"
    assert artifact("oci://localhost/charts/web", None).base == "http://localhost"
    assert artifact("oci://ghcr.io/acme/charts", "web").base == "https://ghcr.io"
    assert artifact("oci://docker.io/bitnamicharts", "nginx").url == "oci://registry-1.docker.io/bitnamicharts/nginx"
    assert not is_loopback("127.0.0.1.example.com") and is_loopback("[::1]:5000")
    with pytest.raises(RegistryError):
        artifact("oci://ghcr.io/../charts", "web")
    with pytest.raises(RegistryError) as refused:
        artifact("oci://user:s3cret@ghcr.io/charts", "web")
    assert "s3cret" not in str(refused.value)


# -- every source kind that names an OCI chart, through `check` -------------------------------------------

HELM_REPOSITORY = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: prod
spec:
  type: oci
  url: oci://{host}/charts
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: shop
  namespace: prod
spec:
  chart:
    spec:
      chart: web
      version: "{version}"
      sourceRef:
        kind: HelmRepository
        name: charts
  values:
    replicas: 3
"""

OCI_REPOSITORY = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: web
  namespace: prod
spec:
  url: oci://{host}/charts/web
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
  ref:
    {ref}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: shop
  namespace: prod
spec:
  chartRef:
    kind: OCIRepository
    name: web
  values:
    replicas: 3
"""

ARGO_APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
spec:
  project: default
  source:
    repoURL: {repo_url}
    chart: web
    targetRevision: {version}
    helm:
      releaseName: shop
      valuesObject:
        replicas: 3
  destination:
    server: https://kubernetes.default.svc
    namespace: prod
"""

KUSTOMIZATION = """\
helmCharts:
  - name: web
    repo: oci://{host}/charts
    version: {version}
    releaseName: shop
    namespace: prod
    includeCRDs: true
    valuesInline:
      replicas: 3
"""


def _files(kind: str, host: str, version: str = "1.4.0") -> dict[str, str]:
    if kind == "flux-helmrepository":
        return {"apps/shop/release.yaml": HELM_REPOSITORY.format(host=host, version=version)}
    if kind.startswith("flux-ocirepository"):
        ref = {"tag": f"tag: {version}", "semver": f'semver: "{version}"', "digest": f"digest: {version}"}
        return {"apps/shop/release.yaml": OCI_REPOSITORY.format(host=host, ref=ref[kind.rsplit("-", 1)[1]])}
    if kind == "argo-native-oci":  # Argo CD 3.1+: the artifact is the chart, `path: .`, a `helm` block
        app = ARGO_APPLICATION.format(repo_url=f"oci://{host}/charts/web", version=version)
        return {"argocd/shop.yaml": app.replace("    chart: web\n", "    path: .\n")}
    if kind.startswith("argo"):
        url = f"oci://{host}/charts" if kind == "argo-oci-scheme" else f"{host}/charts"  # Argo writes both
        return {"argocd/shop.yaml": ARGO_APPLICATION.format(repo_url=url, version=version)}
    return {"apps/shop/kustomization.yaml": KUSTOMIZATION.format(host=host, version=version)}


def _objects(result, kind: str) -> list:
    from gitops_lint.deploy.helm_releases import release_renders

    if kind == "kustomize":
        root = result.repo.rendered.root("apps/shop")
        assert root.ok, root.error
        return root.objects
    [render] = release_renders(result.repo)
    assert render.ok, render.skipped or render.error
    return render.objects


KINDS = ["flux-helmrepository", "flux-ocirepository-tag", "argo-bare-host", "argo-oci-scheme", "argo-native-oci",
         "kustomize"]


@needs_sdk
@pytest.mark.parametrize("kind", KINDS)
def test_each_source_kind_fetches_renders_caches_and_reruns_offline(registry, make_repo, tmp_path, kind):
    repo = make_repo(_files(kind, registry.host))
    cache = str(tmp_path / "cache")
    first = lint_path(repo, helm_fetch=True, helm_cache=cache)
    assert by_kind_name(_objects(first, kind)) == expected_web("shop", "prod", replicas=3)
    assert registry.requests == ["/v2/charts/web/manifests/1.4.0",
                                 f"/v2/charts/web/blobs/sha256:{sha(pack_archive(registry, '1.4.0'))}"]
    second = lint_path(repo, helm_fetch=True, helm_cache=cache)
    assert len(registry.requests) == 2  # a cache hit asks the registry nothing
    registry.stop()
    offline = lint_path(repo, helm_fetch=True, helm_cache=cache)
    for result in (second, offline):
        assert by_kind_name(_objects(result, kind)) == expected_web("shop", "prod", replicas=3)
        assert not [f for f in result.findings if f.rule in ("GL205", "GL209")]


def pack_archive(registry: Registry, version: str) -> bytes:
    """The archive the registry serves for `version`."""
    import json

    manifest = json.loads(registry.tags["charts/web"][version])
    return registry.blobs[manifest["layers"][0]["digest"].removeprefix("sha256:")]


@needs_sdk
@pytest.mark.parametrize(("kind", "version", "chosen"), [
    ("flux-helmrepository", "~1.3", "1.3.0"),
    ("flux-ocirepository-semver", ">=1.0.0 <2.0.0", "1.4.0"),
    ("argo-bare-host", "1.*", "1.4.0"),
    ("argo-native-oci", "~1.3.0", "1.3.0"),
    ("kustomize", "^1.3.0", "1.4.0"),
])
def test_ranges_resolve_against_the_tags(registry, make_repo, tmp_path, kind, version, chosen):
    result = lint_path(make_repo(_files(kind, registry.host, version)), helm_fetch=True,
                       helm_cache=str(tmp_path / "cache"))
    assert registry.requests[:2] == ["/v2/charts/web/tags/list", f"/v2/charts/web/manifests/{chosen}"]
    assert by_kind_name(_objects(result, kind)) == expected_web("shop", "prod", replicas=3)


@needs_sdk
def test_ocirepository_digest_ref(registry, archives, make_repo, tmp_path):
    digest = registry.push("charts/web", "1.3.0", archives["1.3.0"])
    result = lint_path(make_repo(_files("flux-ocirepository-digest", registry.host, digest)), helm_fetch=True,
                       helm_cache=str(tmp_path / "cache"))
    assert registry.requests[0] == f"/v2/charts/web/manifests/{digest}"
    assert by_kind_name(_objects(result, "flux")) == expected_web("shop", "prod", replicas=3)


@pytest.mark.parametrize("kind", ["flux-helmrepository", "flux-ocirepository-tag", "argo-bare-host"])
def test_digest_mismatch_is_gl209_at_the_release(archives, make_repo, tmp_path, kind):
    server = serve(archives, corrupt=True)
    try:
        result = lint_path(make_repo(_files(kind, server.host)), helm_fetch=True, helm_cache=str(tmp_path / "c"))
    finally:
        server.stop()
    [found] = [f for f in result.findings if f.rule == "GL209"]
    assert "does not match the manifest" in found.message
    assert found.path == ("argocd/shop.yaml" if kind.startswith("argo") else "apps/shop/release.yaml")
    assert not (tmp_path / "c" / "blobs").exists()


@pytest.mark.parametrize("kind", ["flux-helmrepository", "flux-ocirepository-tag", "argo-bare-host",
                                  "argo-oci-scheme", "argo-native-oci"])
def test_nothing_is_requested_without_the_opt_in(registry, make_repo, kind):
    result = lint_path(make_repo(_files(kind, registry.host)))
    assert registry.requests == []
    [info] = [f for f in result.findings if f.rule == "GL209"]
    assert info.severity.name == "INFO" and "pass --helm-fetch" in info.message


FLUX_KUSTOMIZATION = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: shop
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/shop
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def test_kustomize_chart_digest_mismatch_is_gl209_at_the_entry(archives, make_repo, tmp_path):
    server = serve(archives, corrupt=True)
    files = {**_files("kustomize", server.host), "clusters/prod/shop.yaml": FLUX_KUSTOMIZATION}
    try:
        result = lint_path(make_repo(files), helm_fetch=True, helm_cache=str(tmp_path / "c"))
    finally:
        server.stop()
    [found] = [f for f in result.findings if f.rule == "GL209"]
    assert (found.path, found.line, found.severity.name) == ("apps/shop/kustomization.yaml", 2, "INFO")
    assert "helm chart 'web' not rendered" in found.message and "does not match the manifest" in found.message
    assert not [f for f in result.findings if f.rule == "GL205"]


def test_kustomize_oci_chart_without_the_opt_in_is_not_fetched(registry, make_repo):
    from gitops_lint.core.config import Config
    from gitops_lint.model.repository import Repository

    repo = Repository.build(WorkingTree(make_repo(_files("kustomize", registry.host))), Config())
    root = repo.rendered.root("apps/shop")
    assert type(root.error).__name__ == "NotRendered" and registry.requests == []
