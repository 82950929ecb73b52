"""What a run fetched: every remote chart handed to a render, once each, with where it came from and
whether the chart cache already held it. The reports list these beside the findings (not as findings)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from gitops_lint.helm.fetch import ChartFetcher, Fetched
from gitops_lint.helm.release import ChartSource


@dataclass(frozen=True)
class FetchedChart:
    """One remote chart used by the run."""

    chart: str
    version: str
    repository: str  # the repository URL without credentials, query or fragment
    digest: str  # sha256 of the archive
    from_cache: bool  # False: downloaded by this run

    @property
    def origin(self) -> str:
        return "cache" if self.from_cache else "downloaded"

    def to_dict(self) -> dict:
        """The JSON form (`helm.fetched[]` of the JSON report, the SARIF run's properties)."""
        return {"chart": self.chart, "version": self.version, "repository": self.repository,
                "digest": f"sha256:{self.digest}", "source": self.origin}

    @classmethod
    def from_dict(cls, data: dict) -> FetchedChart:
        """The chart `to_dict` wrote (a shard's report, read by `merge`)."""
        return cls(str(data["chart"]), str(data["version"]), str(data["repository"]),
                   str(data["digest"]).removeprefix("sha256:"), data.get("source") == "cache")


def public_url(url: str) -> str:
    """`url` without user name, password, query or fragment (they may hold credentials)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", "")) if parts.scheme else url


@dataclass
class RecordingFetcher(ChartFetcher):
    """A ChartFetcher that remembers every chart it returned (the first time each is asked for: a chart
    downloaded for one release is not listed again as a cache hit for the next)."""

    charts: list[FetchedChart] = field(default_factory=list)

    def get(self, source: ChartSource) -> Fetched:
        """The archive of `source` (see ChartFetcher.get), recorded."""
        fetched = super().get(source)
        record = FetchedChart(source.name, fetched.version, public_url(source.repo_url or ""),
                              fetched.digest, fetched.from_cache)
        if not any((c.chart, c.version, c.repository) == (record.chart, record.version, record.repository)
                   for c in self.charts):
            self.charts.append(record)
        return fetched
