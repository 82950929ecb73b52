"""Every source kind that names a chart in an OCI registry, through `check` with --helm-fetch against a
loopback registry: Flux HelmRepository `type: oci`, Flux OCIRepository by `chartRef` (tag, semver,
digest), Argo CD `chart` + `repoURL` (bare host or oci://) and its native OCI source, kustomize
`helmCharts` with an oci:// `repo`; rendered, cached, re-run offline; nothing fetched without the opt-in."""

from __future__ import annotations

import pytest

from gitops_lint.api import lint_path
from gitops_lint.core.source import WorkingTree
from helm_charts import (
    argo_app,
    argo_source,
    by_kind_name,
    expected_web,
    flux_chart_ref_release,
    flux_kustomization,
    flux_release,
    needs_sdk,
)
from oci_registry import chart_archives, serve, served_archive, sha


@pytest.fixture
def archives(make_repo):
    return chart_archives(make_repo)


@pytest.fixture
def registry(archives):
    server = serve(archives)
    yield server
    server.stop()


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
""" + flux_release(chart="web", version='"{version}"', source=("HelmRepository", "charts", None),
                   spec="  values:\n    replicas: 3\n")

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
""" + flux_chart_ref_release("OCIRepository", "web", spec="  values:\n    replicas: 3\n")

ARGO_APPLICATION = argo_app(argo_source("{repo_url}", "{version}", chart="web",
                                         helm="releaseName: shop\nvaluesObject:\n  replicas: 3\n"),
                             destination="prod")

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
                                 f"/v2/charts/web/blobs/sha256:{sha(served_archive(registry, '1.4.0'))}"]
    assert [(c.chart, c.version, c.origin) for c in first.fetched] == [("web", "1.4.0", "downloaded")]
    second = lint_path(repo, helm_fetch=True, helm_cache=cache)
    assert len(registry.requests) == 2  # a cache hit asks the registry nothing
    assert [(c.chart, c.version, c.origin) for c in second.fetched] == [("web", "1.4.0", "cache")]
    registry.stop()
    offline = lint_path(repo, helm_fetch=True, helm_cache=cache)
    for result in (second, offline):
        assert by_kind_name(_objects(result, kind)) == expected_web("shop", "prod", replicas=3)
        assert not [f for f in result.findings if f.rule in ("GL205", "GL209")]


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


FLUX_KUSTOMIZATION = flux_kustomization("shop", "./apps/shop")


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
