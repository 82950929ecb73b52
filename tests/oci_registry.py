"""A loopback OCI registry for the Helm OCI tests: tags/list (paged), manifests by tag or digest, blobs,
optionally behind the anonymous bearer-token dance; it records every request (path and headers)."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import urllib.parse

from gitops_lint.core.source import WorkingTree
from gitops_lint.helm.charts import pack_chart
from helm_charts import web_chart

CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
CONFIG_TYPE = "application/vnd.cncf.helm.config.v1+json"
TOKEN = "anonymous-pull-token"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Registry:
    """Serves charts pushed with `push(name, version, archive)` on 127.0.0.1.

    auth: every /v2/ request needs `Authorization: Bearer <TOKEN>` (401 + challenge otherwise);
    basic: the challenge asks for Basic credentials instead (a private registry)
    corrupt: blobs are served with one byte changed; layer_type: the chart layer's media type
    page: tags/list answers this many tags per page with a `Link` to the next
    redirect_blobs: blobs answer 307 to `<redirect_blobs>/cdn/<digest>` ("self": this registry)"""

    def __init__(self, auth: bool = False, corrupt: bool = False, layer_type: str = CHART_LAYER,
                 page: int = 0, redirect_blobs: str = "", basic: bool = False):
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.tags: dict[str, dict[str, bytes]] = {}
        self.manifests: dict[str, dict[str, bytes]] = {}
        self.blobs: dict[str, bytes] = {}
        self.auth, self.corrupt, self.layer_type, self.page = auth, corrupt, layer_type, page
        self.redirect_blobs, self.basic = redirect_blobs, basic
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                registry.requests.append(self.path)
                registry.headers.append(dict(self.headers.items()))
                registry.answer(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def push(self, name: str, version: str, archive: bytes) -> str:
        """Store a chart under tag `version` (`+` as `_`); the manifest's digest."""
        config = json.dumps({"name": name.rsplit("/", 1)[-1], "version": version}).encode()
        self.blobs[sha(config)] = config
        self.blobs[sha(archive)] = archive
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": CONFIG_TYPE, "digest": f"sha256:{sha(config)}", "size": len(config)},
            "layers": [{"mediaType": self.layer_type, "digest": f"sha256:{sha(archive)}",
                        "size": len(archive)}],
            "annotations": {"org.opencontainers.image.version": version}}).encode()
        self.tags.setdefault(name, {})[version.replace("+", "_")] = manifest
        self.manifests.setdefault(name, {})[f"sha256:{sha(manifest)}"] = manifest
        return f"sha256:{sha(manifest)}"

    def answer(self, h: http.server.BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(h.path)
        if url.path == "/token":
            query = urllib.parse.parse_qs(url.query)
            return self._send(h, 200, json.dumps({"token": TOKEN, "scope": query.get("scope")}).encode())
        if url.path.startswith("/cdn/"):
            return self._send(h, 200, self._blob(url.path.removeprefix("/cdn/")))
        if self.auth and h.headers.get("Authorization") != f"Bearer {TOKEN}":
            name = url.path.removeprefix("/v2/").rsplit("/", 2)[0]
            challenge = (f'Bearer realm="http://{self.host}/token",service="test-registry",'
                         f'scope="repository:{name}:pull"')
            if self.basic:
                challenge = 'Basic realm="private"'
            return self._send(h, 401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": challenge})
        if url.path.endswith("/tags/list"):
            return self._tags(h, url.path.removeprefix("/v2/").removesuffix("/tags/list"), url.query)
        name, kind, ref = self._split(url.path)
        if kind == "manifests":
            body = self.tags.get(name, {}).get(ref) or self.manifests.get(name, {}).get(ref)
            return self._send(h, 200 if body else 404, body or b"{}",
                              {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        if kind == "blobs":
            if self.redirect_blobs:
                target = f"http://{self.host}" if self.redirect_blobs == "self" else self.redirect_blobs
                return self._send(h, 307, b"", {"Location": f"{target}/cdn/{ref}"})
            return self._send(h, 200, self._blob(ref))
        return self._send(h, 404, b"{}")

    def _blob(self, ref: str) -> bytes:
        data = self.blobs.get(ref.removeprefix("sha256:"), b"")
        return data[:-1] + bytes([data[-1] ^ 1]) if self.corrupt and data else data

    def _tags(self, h, name: str, query: str) -> None:
        tags = sorted(self.tags.get(name, {}))
        if not tags:
            return self._send(h, 404, b"{}")
        last = urllib.parse.parse_qs(query).get("last", [""])[0]
        rest = [t for t in tags if t > last]
        chunk = rest[:self.page] if self.page else rest
        headers = {}
        if self.page and len(rest) > self.page:
            headers["Link"] = f'</v2/{name}/tags/list?n={self.page}&last={chunk[-1]}>; rel="next"'
        return self._send(h, 200, json.dumps({"name": name, "tags": chunk}).encode(), headers)

    @staticmethod
    def _split(path: str) -> tuple[str, str, str]:
        head, kind, ref = path.removeprefix("/v2/").rsplit("/", 2)
        return head, kind, ref

    @staticmethod
    def _send(h, code: int, body: bytes, headers: dict | None = None) -> None:
        h.send_response(code)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def chart_archives(make_repo) -> dict[str, bytes]:
    """The `web` test chart packed at three versions (one a prerelease)."""
    out = {}
    for version in ("1.3.0", "1.4.0", "2.0.0-rc.1"):
        files = web_chart()
        files["charts/web/Chart.yaml"] = files["charts/web/Chart.yaml"].replace("1.4.0", version)
        out[version] = pack_chart(WorkingTree(make_repo(files)), "charts/web").archive
    return out


def serve(archives: dict[str, bytes], **options) -> Registry:
    """A registry holding `archives` as `charts/web:<version>`."""
    registry = Registry(**options)
    for version, archive in archives.items():
        registry.push("charts/web", version, archive)
    return registry


def served_archive(registry: Registry, version: str) -> bytes:
    """The chart archive the registry serves for tag `version`."""
    manifest = json.loads(registry.tags["charts/web"][version])
    return registry.blobs[manifest["layers"][0]["digest"].removeprefix("sha256:")]
