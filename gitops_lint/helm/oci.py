"""Helm charts in OCI registries, read as the OCI distribution spec describes: `GET /v2/<name>/tags/list`
(following `Link: <…>; rel="next"` pages), `GET /v2/<name>/manifests/<tag or digest>` with the OCI
manifest media type, the layer of media type `application/vnd.cncf.helm.chart.content.v1.tar+gzip`, and
`GET /v2/<name>/blobs/<digest>`, whose sha256 is verified. A registry that answers 401 with
`WWW-Authenticate: Bearer realm=…,service=…,scope=…` gets the anonymous token dance (GET the realm for a
token, retry with `Authorization: Bearer`); no credentials are ever sent. Registries are spoken to over
https; plain http only to loopback hosts (127.0.0.1, ::1, localhost), and no redirect leaves https for
anything else. The cache lives in `helm/fetch.py`; this module only speaks the protocol."""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
MAX_MANIFEST = 4 * 1024 * 1024  # the distribution spec's manifest size registries must accept
MAX_TAG_PAGES = 100
VERSION_ANNOTATION = "org.opencontainers.image.version"
_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_REGISTRY = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                       r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_REGISTRY_ALIASES = {"docker.io": "registry-1.docker.io", "index.docker.io": "registry-1.docker.io"}


class RegistryError(Exception):
    """The registry cannot give the chart (unreachable, unknown name or tag, no chart layer, bad digest)."""


@dataclass(frozen=True)
class Artifact:
    """A repository in a registry: `oci://<registry>/<name>`."""

    registry: str  # host[:port]
    name: str  # repository path inside the registry

    @property
    def url(self) -> str:
        return f"oci://{self.registry}/{self.name}"

    @property
    def base(self) -> str:
        """The registry's HTTP base: https, or http for a loopback host."""
        return f"{'http' if is_loopback(self.registry) else 'https'}://{self.registry}"


@dataclass(frozen=True)
class ChartLayer:
    """The chart archive a manifest points at."""

    digest: str  # hex sha256 of the archive
    size: int
    version: str  # the manifest's version annotation, else the reference asked for


def is_loopback(netloc: str) -> bool:
    """Whether host[:port] names this machine (the only hosts spoken to over plain http)."""
    host = urllib.parse.urlsplit(f"//{netloc}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def artifact(url: str, chart: str | None) -> Artifact:
    """The repository of `oci://registry/path` with the chart name appended (when given)."""
    rest = url.strip().removeprefix("oci://").strip("/")
    registry, _, name = rest.partition("/")
    if chart:
        name = f"{name}/{chart}" if name else chart
    if not _REGISTRY.fullmatch(registry):  # not echoed: it may hold credentials (user:password@host)
        raise RegistryError("an oci:// reference without a valid registry host (credentials are not supported)")
    if not name or any(part in ("", ".", "..") for part in name.split("/")):
        raise RegistryError(f"{url!r} is not an OCI repository reference (oci://registry/path)")
    if not re.fullmatch(r"[a-z0-9]+(?:[._/-]+[a-z0-9]+)*", name):
        raise RegistryError(f"{name!r} is not a valid OCI repository name")
    return Artifact(_REGISTRY_ALIASES.get(registry, registry), name)


def tag_of(version: str) -> str:
    """The OCI tag Helm pushes a chart version under (`+` is not allowed in tags: `_` stands for it)."""
    return version.replace("+", "_")


def version_of(tag: str) -> str:
    """The chart version a tag stands for (the inverse of `tag_of`)."""
    return tag.replace("_", "+")


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects (registries send blobs to CDNs) but never to plain http off this machine."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 (urllib's signature)
        parts = urllib.parse.urlsplit(newurl)
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.netloc)):
            raise urllib.error.HTTPError(newurl, code, f"refused redirect to {parts.scheme}://{parts.netloc}",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _default_open() -> Callable:
    return urllib.request.build_opener(_SafeRedirects).open


@dataclass
class RegistryClient:
    """Reads one repository of a registry; remembers an anonymous token once one was needed."""

    target: Artifact
    limit: int
    timeout: float = 30
    open: Callable = field(default_factory=_default_open)
    token: str | None = None

    def tags(self) -> list[str]:
        """Every tag of the repository (all pages)."""
        out: list[str] = []
        url: str | None = f"{self.target.base}/v2/{self.target.name}/tags/list"
        for _ in range(MAX_TAG_PAGES):
            if url is None:
                return out
            body, headers = self._get(url, "application/json", self.limit)
            data = _json(body, "tag list")
            tags = data.get("tags") if isinstance(data, dict) else None
            if isinstance(tags, list):
                out.extend(t for t in tags if isinstance(t, str))
            found = _NEXT.search(headers.get("Link") or "")
            url = urllib.parse.urljoin(url, found.group(1)) if found else None
            if url is not None and not url.startswith(f"{self.target.base}/"):  # the token goes with it
                raise RegistryError(f"{self.target.url}: the tag list's next page leaves the registry")
        raise RegistryError(f"{self.target.url}: more than {MAX_TAG_PAGES} pages of tags")

    def chart_layer(self, reference: str) -> ChartLayer:
        """The chart layer of the manifest `reference` (a tag, or `sha256:<hex>`; `tag@digest`: the
        digest) points at; a manifest fetched by digest must have that digest."""
        reference = reference.rpartition("@")[2]
        digest = _DIGEST.match(reference)
        if digest is None and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}", reference):
            raise RegistryError(f"{reference!r} is neither a tag nor a sha256 digest")
        url = f"{self.target.base}/v2/{self.target.name}/manifests/{reference}"
        body, _ = self._get(url, MANIFEST_TYPE, MAX_MANIFEST)
        if digest is not None and hashlib.sha256(body).hexdigest() != digest.group(1):
            raise RegistryError(f"{self.target.url}@{reference}: the manifest does not have that digest")
        manifest = _json(body, "manifest")
        if not isinstance(manifest, dict):
            raise RegistryError(f"{self.target.url}:{reference}: the manifest is not a JSON object")
        layers = manifest.get("layers")
        layer = next((x for x in layers if isinstance(x, dict) and x.get("mediaType") == CHART_LAYER), None) \
            if isinstance(layers, list) else None
        if layer is None:
            raise RegistryError(f"{self.target.url}:{reference} is not a Helm chart (no {CHART_LAYER} layer)")
        found = _DIGEST.match(str(layer.get("digest") or ""))
        if found is None:
            raise RegistryError(f"{self.target.url}:{reference}: the chart layer has no sha256 digest")
        size = layer.get("size")
        size = size if isinstance(size, int) and not isinstance(size, bool) else 0
        if size > self.limit:
            raise RegistryError(f"{self.target.url}:{reference}: the chart is larger than "
                                f"{self.limit // (1024 * 1024)} MB")
        annotations = manifest.get("annotations")
        version = annotations.get(VERSION_ANNOTATION) if isinstance(annotations, dict) else None
        named = version if isinstance(version, str) and version else version_of(reference)
        return ChartLayer(found.group(1), size, named)

    def blob(self, layer: ChartLayer) -> bytes:
        """The layer's bytes, verified against its digest."""
        body, _ = self._get(f"{self.target.base}/v2/{self.target.name}/blobs/sha256:{layer.digest}",
                            "application/octet-stream", self.limit)
        actual = hashlib.sha256(body).hexdigest()
        if actual != layer.digest:
            raise RegistryError(f"{self.target.url}: blob digest {actual} does not match the manifest "
                                f"({layer.digest})")
        return body

    # -- HTTP ---------------------------------------------------------------------------------------
    def _get(self, url: str, accept: str, limit: int) -> tuple[bytes, dict]:
        try:
            return self._read(url, accept, limit)
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate") if exc.headers else None
            if exc.code != 401 or self.token is not None or not challenge:
                raise RegistryError(_http_error(url, exc)) from None
            self.token = self._anonymous_token(challenge)
        try:
            return self._read(url, accept, limit)
        except urllib.error.HTTPError as exc:
            raise RegistryError(_http_error(url, exc)) from None

    def _read(self, url: str, accept: str, limit: int) -> tuple[bytes, dict]:
        request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "gitops-lint"})
        if self.token:  # not forwarded on redirects (blob CDNs)
            request.add_unredirected_header("Authorization", f"Bearer {self.token}")
        try:
            with self.open(request, timeout=self.timeout) as response:
                body = response.read(limit + 1)
                headers = dict(response.headers.items())
        except urllib.error.HTTPError as exc:
            exc.close()  # the error body is not read; status and headers say enough
            raise
        except (OSError, ValueError, http.client.HTTPException) as exc:  # unreachable, or not speaking HTTP
            raise RegistryError(f"cannot fetch {url}: {exc.__class__.__name__}: {exc}") from None
        if len(body) > limit:
            raise RegistryError(f"{url} is larger than {limit // (1024 * 1024)} MB")
        return body, headers

    def _anonymous_token(self, challenge: str) -> str:
        """A pull token from the challenge's realm, asked for without credentials."""
        scheme, _, params = challenge.strip().partition(" ")
        fields = dict(_CHALLENGE.findall(params))
        realm = fields.get("realm", "")
        parts = urllib.parse.urlsplit(realm)
        if scheme.lower() != "bearer" or not (parts.scheme == "https" or parts.scheme == "http"
                                              and is_loopback(parts.netloc)):
            raise RegistryError(f"{self.target.url} needs credentials ({scheme or 'unknown'} auth); "
                                "only anonymous pulls are supported")
        query = {"service": fields.get("service", ""), "scope": fields.get("scope")
                 or f"repository:{self.target.name}:pull"}
        url = f"{realm}{'&' if parts.query else '?'}{urllib.parse.urlencode({k: v for k, v in query.items() if v})}"
        try:
            body, _ = self._read(url, "application/json", 1024 * 1024)
        except urllib.error.HTTPError as exc:
            raise RegistryError(f"{self.target.url}: no anonymous token ({_http_error(realm, exc)})") from None
        data = _json(body, "token response")
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{self.target.url}: the token service gave no token")
        return token


def _json(body: bytes, what: str) -> object:
    try:
        return json.loads(body)
    except ValueError:
        raise RegistryError(f"the registry's {what} is not JSON") from None


def _http_error(url: str, exc: urllib.error.HTTPError) -> str:
    if exc.code == 401:
        return f"{url}: 401 unauthorized (only anonymous pulls are supported)"
    if exc.code == 404:
        return f"{url}: 404 not found"
    return f"{url}: HTTP {exc.code} {exc.reason}"
