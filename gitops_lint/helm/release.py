"""A Helm release as an operator declares it: which chart, which release name and namespace, and the
values in the operator's merge order. Flux (`flux/helm_release.py`), Argo CD (`argo/helm_source.py`)
build these; `helm/releases.py` renders them."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitops_lint.core.findings import Position
from gitops_lint.helm.values import TracedValues


@dataclass(frozen=True)
class ChartSource:
    """Where the chart comes from: a directory of this repository, or a remote repository."""

    directory: str | None = None  # repo-relative chart directory (local chart)
    repo_url: str | None = None  # HTTP(S) chart repository or oci:// registry (remote chart)
    chart: str | None = None  # chart name in the remote repository
    version: str | None = None  # version or constraint; None/empty = latest
    oci_reference: bool = False  # `version` is an OCI tag or digest taken as is, not a constraint
    unresolved: str | None = None  # why the chart cannot be located at all (reported, not rendered)
    broken_reference: bool = False  # `unresolved` is a reference to nothing: the source rules report it

    @property
    def remote(self) -> bool:
        return self.directory is None and self.repo_url is not None

    @property
    def label(self) -> str:
        if self.directory is not None:
            return self.directory or "."
        base = f"{self.repo_url}/{self.chart}" if self.chart else str(self.repo_url)
        return f"{base}@{self.version or 'latest'}"

    @property
    def name(self) -> str:
        """The chart's name: `chart`, else the last segment of the artifact URL (Flux OCIRepository)."""
        if self.chart:
            return self.chart
        return (self.repo_url or "").rstrip("/").rsplit("/", 1)[-1] if self.repo_url else ""


@dataclass
class Problem:
    """A values or chart problem found while resolving a release (missing valuesFrom, bad file)."""

    message: str
    file: str
    position: Position
    fatal: bool = True  # the operator would not render the release at all
    reported: bool = True  # False when another rule already reports it (a missing Argo value file)
    info: bool = False  # reported as info even when fatal (the values are elsewhere, not wrong)


@dataclass(frozen=True)
class ChartValueFile:
    """A values file shipped inside a remote chart (Argo CD `valueFiles` of a `chart:` source): read from
    the archive once it is fetched, and merged at its place among the release's values."""

    path: str  # as written (relative to the chart's root; a leading `/` is the chart's root too)
    file: str  # where it is named
    position: Position
    ignore_missing: bool = False  # `ignoreMissingValueFiles`: a missing file is skipped
    step: int = 0  # merged before this step of the release's TracedValues (its place in the list)


@dataclass
class Release:
    """One release to render."""

    operator: str  # "flux", "argo"
    label: str  # "HelmRelease/podinfo", "Application/shop"
    file: str  # the document that declares it
    position: Position
    release_name: str
    namespace: str
    chart: ChartSource
    values: TracedValues = field(default_factory=TracedValues)
    environment: str | None = None
    include_crds: bool = True
    problems: list[Problem] = field(default_factory=list)
    resource: str | None = None  # the declaring object's ref, for findings
    chart_value_files: list[ChartValueFile] = field(default_factory=list)  # in the order written

    @property
    def key(self) -> str:
        """A stable identity across the two sides of a diff."""
        return f"{self.operator}:{self.label}:{self.namespace}:{self.file}"
