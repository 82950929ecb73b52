"""Remote charts, fetched only by explicit opt-in (`--helm-fetch`, config `helm.fetch: true`) into a
content-addressed cache: `blobs/sha256/<digest>.tgz` holds each archive once, and `refs/<key>.json`
maps (repository URL, chart, exact version) to a digest, so a warm cache renders with no network at all.
A version range needs the repository's index (fetched each run); the archive itself still comes from
the cache when its digest is there. OCI registries (`oci://`, `helm/oci.py`) share the cache: an exact
version or a digest is a ref, a range lists the tags and a moving tag asks for its manifest each run, and
the chart layer is a blob like any archive."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gitops_lint.core.loader import Limits, parse_text
from gitops_lint.helm.oci import RegistryClient, RegistryError, artifact, tag_of, version_of
from gitops_lint.helm.release import ChartSource
from gitops_lint.helm.versions import EXACT, best

MAX_DOWNLOAD = 64 * 1024 * 1024
INDEX_LIMITS = Limits(max_file_bytes=MAX_DOWNLOAD, max_nodes=2_000_000, max_depth=64)
HTTP_TIMEOUT = 30


class FetchError(Exception):
    """The chart could not be fetched (unreachable repository, unknown chart or version, bad digest)."""


def default_cache_dir() -> Path:
    """The user's cache directory for fetched charts (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gitops-lint" / "helm"


@dataclass
class Fetched:
    """A remote chart ready to render."""

    archive: bytes
    version: str
    digest: str
    from_cache: bool


@dataclass
class ChartFetcher:
    """Fetches remote charts into `cache_dir`; `log` receives one line per download."""

    cache_dir: Path
    log: Callable[[str], None] = field(default=lambda _line: None)
    opener: Callable = field(default=urllib.request.urlopen)

    def get(self, source: ChartSource) -> Fetched:
        """The archive of `source` (a remote chart), from the cache when possible."""
        url = (source.repo_url or "").rstrip("/")
        if url.startswith("oci://"):
            try:
                return self._oci(source)
            except RegistryError as exc:
                raise FetchError(str(exc)) from None
        if not url.startswith(("http://", "https://")) or not source.chart:
            raise FetchError(f"cannot fetch {source.label}")
        version = (source.version or "").strip()
        if EXACT.match(version):
            hit = self._cached_ref(url, source.chart, version)
            if hit is not None:
                return hit
        entries = self._index(url).get(source.chart)
        if not entries or not isinstance(entries, list):
            raise FetchError(f"chart {source.chart!r} is not in {url}/index.yaml")
        chosen = best([str(e.get("version")) for e in entries if isinstance(e, dict)], version)
        if chosen is None:
            raise FetchError(f"no version of {source.chart!r} in {url} matches {version or 'latest'!r}")
        entry = next(e for e in entries if isinstance(e, dict) and str(e.get("version")) == chosen)
        return self._archive(url, source.chart, chosen, entry)

    def _oci(self, source: ChartSource) -> Fetched:
        """A chart of an OCI registry: a digest or an exact version from the cache's refs when there; a
        range resolved against the tag list, and a moving tag (`latest`) against its manifest, each run
        (the archive itself still comes from the cache when its digest is there)."""
        target = artifact(source.repo_url or "", source.chart)
        wanted = (source.version or "").strip()
        exact = source.oci_reference or bool(EXACT.match(wanted))
        if bool(EXACT.match(wanted)) or "sha256:" in wanted:  # immutable: answered offline once cached
            hit = self._cached_ref(target.url, "", wanted)
            if hit is not None:
                return hit
        client = RegistryClient(target, MAX_DOWNLOAD, HTTP_TIMEOUT)
        reference = wanted if source.oci_reference else tag_of(wanted)
        if not exact:
            chosen = best([version_of(t) for t in client.tags()], wanted)
            if chosen is None:
                raise FetchError(f"no tag of {target.url} matches {wanted or 'latest'!r}")
            hit = self._cached_ref(target.url, "", chosen)
            if hit is not None:
                return hit
            reference = tag_of(chosen)
        layer = client.chart_layer(reference)
        hit = self._cached_blob(layer.digest, layer.version)
        if hit is None:
            data = client.blob(layer)
            self.log(f"helm: fetched {source.name} {layer.version} from {target.url}:{reference}")
            hit = Fetched(data, layer.version, layer.digest, False)
        key = wanted if source.oci_reference else version_of(reference)
        self._store(target.url, "", key, hit.archive, resolved=layer.version)
        return hit

    # -- cache ---------------------------------------------------------------------------------------
    def _ref_path(self, url: str, chart: str, version: str) -> Path:
        # a chart repository's `v1.2.3` is its 1.2.3; an OCI ref (chart "") is a tag, kept as written
        key = hashlib.sha256(json.dumps([url, chart, version.lstrip("v") if chart else version]).encode()).hexdigest()
        return self.cache_dir / "refs" / f"{key}.json"

    def _blob_path(self, digest: str) -> Path:
        return self.cache_dir / "blobs" / "sha256" / f"{digest}.tgz"

    def _cached_ref(self, url: str, chart: str, version: str) -> Fetched | None:
        try:
            ref = json.loads(self._ref_path(url, chart, version).read_text(encoding="utf-8"))
            return self._cached_blob(ref["digest"], ref["version"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _cached_blob(self, digest: str, version: str) -> Fetched | None:
        try:
            data = self._blob_path(digest).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            return None  # corrupted: fetch again
        return Fetched(data, version, digest, True)

    def _store(self, url: str, chart: str, version: str, data: bytes, resolved: str | None = None) -> str:
        """Keep `data` as a blob and point the ref (url, chart, version) at it (`resolved`: the chart
        version when the ref is not one, an OCI tag or digest)."""
        digest = hashlib.sha256(data).hexdigest()
        blob = self._blob_path(digest)
        blob.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(blob, data)
        ref = self._ref_path(url, chart, version)
        ref.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(ref, json.dumps({"url": url, "chart": chart, "version": resolved or version,
                                       "digest": digest}).encode())
        return digest

    # -- network ----------------------------------------------------------------------------------
    def _download(self, url: str) -> bytes:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):  # an index may name any URL: no file://
            raise FetchError(f"refused to fetch {url}: only http(s) URLs are fetched")
        try:
            with self.opener(url, timeout=HTTP_TIMEOUT) as response:
                data = response.read(MAX_DOWNLOAD + 1)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise FetchError(f"cannot fetch {url}: {exc}") from None
        if len(data) > MAX_DOWNLOAD:
            raise FetchError(f"{url} is larger than {MAX_DOWNLOAD // (1024 * 1024)} MB")
        return data

    def _index(self, url: str) -> dict:
        text = self._download(f"{url}/index.yaml").decode("utf-8", "replace")
        parsed = parse_text(f"{url}/index.yaml", text, INDEX_LIMITS)
        data = parsed.documents[0].data if parsed.documents else None
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            raise FetchError(f"{url}/index.yaml is not a chart repository index")
        return entries

    def _archive(self, url: str, chart: str, version: str, entry: dict) -> Fetched:
        raw = entry.get("digest")
        expected = "" if raw is None or raw == "" else str(raw).removeprefix("sha256:")
        if expected:
            hit = self._cached_blob(expected, version)
            if hit is not None:
                self._store(url, chart, version, hit.archive)
                return hit
        urls = entry.get("urls") if isinstance(entry.get("urls"), list) else []
        if not urls:
            raise FetchError(f"{chart} {version} has no download URL in {url}/index.yaml")
        target = urllib.parse.urljoin(f"{url}/", str(urls[0]))
        data = self._download(target)
        digest = hashlib.sha256(data).hexdigest()
        if expected and digest != expected:
            raise FetchError(f"{target}: digest {digest} does not match the index ({expected})")
        self._store(url, chart, version, data)
        self.log(f"helm: fetched {chart} {version} from {target}")
        return Fetched(data, version, digest, False)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
