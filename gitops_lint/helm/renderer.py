"""The entry point the model uses: render a packed chart with values, get parsed objects back.

One `ChartRenderer` per run holds the worker process and a cache keyed by the chart digest, release
identity and values, so the same release seen twice (both sides of a diff, several rules) renders once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from gitops_lint.core.datapath import as_dict, dig
from gitops_lint.core.loader import parse_text
from gitops_lint.helm.backends import RenderRequest, choose_backend
from gitops_lint.helm.charts import PackedChart
from gitops_lint.helm.worker import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, RenderWorker

NO_BACKEND = "no Helm backend: install gitops-lint[helm] (helm-python-sdk) or put `helm` on PATH"


@dataclass
class ChartObject:
    """One rendered object and the chart template it came from."""

    template: str
    data: dict


@dataclass
class ChartOutput:
    """A release's rendering: its objects, or the error Helm (or the limits) gave."""

    objects: list[ChartObject] = field(default_factory=list)
    error: str | None = None
    killed: bool = False
    unavailable: bool = False  # no backend installed: not rendered, not a failure of the chart


class ChartRenderer:
    """Renders charts through one worker process (started on first use). Use as a context manager."""

    def __init__(self, backend: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB):
        self.backend = choose_backend(backend)
        self._worker = RenderWorker(self.backend, timeout, memory_mb) if self.backend else None
        self._cache: dict[str, ChartOutput] = {}

    def __enter__(self) -> ChartRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def render(self, chart: PackedChart, release: str, namespace: str, values: dict[str, Any],
               include_crds: bool = True) -> ChartOutput:
        """Render `chart` as `release` in `namespace` with the merged user `values`."""
        if self._worker is None:
            return ChartOutput(error=NO_BACKEND, unavailable=True)
        key = hashlib.sha256(json.dumps([chart.digest, release, namespace, values, include_crds],
                                        sort_keys=True, default=str).encode()).hexdigest()
        hit = self._cache.get(key)
        if hit is None:
            outcome = self._worker.render(RenderRequest(chart.archive, release, namespace, values, include_crds))
            hit = ChartOutput(error=outcome.error, killed=outcome.killed)
            if outcome.error is None:
                hit.objects = parse_manifests(outcome.manifests)
            self._cache[key] = hit
        return hit

    def close(self) -> None:
        """Stop the worker."""
        if self._worker is not None:
            self._worker.close()


def parse_manifests(manifests: dict[str, str]) -> list[ChartObject]:
    """Parsed objects of every template, in template order; Helm test hooks are left out."""
    out: list[ChartObject] = []
    for template in sorted(manifests, key=_template_order):
        for doc in parse_text(template, manifests[template]).documents:
            data = doc.data
            if not isinstance(data, dict) or not data.get("kind"):
                continue
            hook = str(as_dict(dig(data, ("metadata", "annotations"))).get("helm.sh/hook", ""))
            if "test" in hook.split(","):
                continue
            out.append(ChartObject(template, data))
    return out


def _template_order(name: str) -> tuple[int, str]:
    return (0 if "/crds/" in name or name.startswith("crds/") else 1, name)
