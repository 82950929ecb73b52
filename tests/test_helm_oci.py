"""Helm charts in OCI registries, the protocol and the cache: a loopback registry served by the test
(tags/list, manifests, blobs, optionally behind the anonymous token dance) fetched into the same
content-addressed cache as HTTP chart repositories. The source kinds: test_helm_oci_sources.py."""

from __future__ import annotations

import pytest

from gitops_lint.helm import fetch
from gitops_lint.helm.fetch import ChartFetcher, FetchError
from gitops_lint.helm.oci import RegistryError, artifact, is_loopback, tag_of, version_of
from gitops_lint.helm.release import ChartSource
from gitops_lint.helm.versions import is_range
from oci_registry import TOKEN, Registry, chart_archives, serve, sha


@pytest.fixture
def archives(make_repo):
    return chart_archives(make_repo)


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


def test_a_moving_tag_is_resolved_each_run_and_its_archive_cached(registry, archives, tmp_path):
    registry.push("charts/web", "latest", archives["1.3.0"])
    moving = ChartSource(repo_url=f"oci://{registry.host}/charts/web", version="latest", oci_reference=True)
    assert ChartFetcher(tmp_path / "cache").get(moving).archive == archives["1.3.0"]
    registry.push("charts/web", "latest", archives["1.4.0"])  # `latest` moves on
    registry.requests.clear()
    again = ChartFetcher(tmp_path / "cache").get(moving)
    assert again.archive == archives["1.4.0"]
    assert registry.requests[0] == "/v2/charts/web/manifests/latest"  # asked again, never frozen
    registry.requests.clear()
    assert ChartFetcher(tmp_path / "cache").get(moving).from_cache  # same digest: the archive is not downloaded
    assert registry.requests == ["/v2/charts/web/manifests/latest"]


def test_oci_tags_v1_and_1_are_different_tags(registry, archives, tmp_path):
    registry.push("charts/web", "v1.3.0", archives["1.4.0"])  # a tag that differs from 1.3.0 by its `v`
    cache = tmp_path / "cache"
    assert ChartFetcher(cache).get(source(registry, "1.3.0")).archive == archives["1.3.0"]
    assert ChartFetcher(cache).get(source(registry, "v1.3.0")).archive == archives["1.4.0"]


def test_a_tag_page_leaving_the_registry_is_refused(archives, tmp_path, monkeypatch):
    server = serve(archives, page=1)
    original = server._tags

    def elsewhere(h, name, query):  # the next-page link points at another host
        h.send_response(200)
        body = b'{"name": "charts/web", "tags": ["1.3.0"]}'
        h.send_header("Link", '<https://elsewhere.example.com/v2/charts/web/tags/list?last=1.3.0>; rel="next"')
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    server._tags = elsewhere
    try:
        with pytest.raises(FetchError, match="leaves the registry"):
            ChartFetcher(tmp_path / "cache").get(source(server, "~1.3"))
    finally:
        server._tags = original
        server.stop()


def test_a_server_that_does_not_speak_http_is_a_fetch_error(tmp_path):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def garbage():
        for _ in range(4):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(4096)
            conn.sendall(b"GARBAGE\r\n\r\n")
            conn.close()

    server = threading.Thread(target=garbage, daemon=True)
    server.start()
    host = f"127.0.0.1:{listener.getsockname()[1]}"
    try:
        with pytest.raises(FetchError, match="cannot fetch"):
            ChartFetcher(tmp_path / "cache").get(ChartSource(repo_url=f"oci://{host}/charts", chart="web",
                                                             version="1.3.0"))
        with pytest.raises(FetchError, match="cannot fetch"):
            ChartFetcher(tmp_path / "cache").get(ChartSource(repo_url=f"http://{host}", chart="web",
                                                             version="1.3.0"))
    finally:
        # Wake the thread out of accept() before closing: a thread left blocked there would, after the
        # process is stopped and continued, restart accept() on whatever socket next gets the same
        # descriptor number (a later test's registry) and answer its requests with GARBAGE.
        listener.shutdown(socket.SHUT_RDWR)
        server.join(timeout=10)
        listener.close()
    assert not server.is_alive()
