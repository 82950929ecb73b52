"""JSON: `{"version", "findings": [...], "summary": {...}}` with repo-relative POSIX paths, and
`"helm": {"fetched": [...]}` when the run fetched remote Helm charts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitops_lint import __version__
from gitops_lint.core.findings import Finding
from gitops_lint.report.summary import Summary

if TYPE_CHECKING:
    from gitops_lint.helm.fetched import FetchedChart


def render(findings: list[Finding], summary: Summary, fetched: Sequence[FetchedChart] = ()) -> str:
    payload: dict[str, object] = {
        "version": __version__,
        "findings": [f.to_dict() for f in findings],
        "summary": summary.to_dict(),
    }
    if fetched:
        payload["helm"] = {"fetched": [c.to_dict() for c in fetched]}
    return json.dumps(payload, indent=2) + "\n"
