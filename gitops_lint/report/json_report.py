"""JSON: `{"version", "findings": [...], "summary": {...}}` with repo-relative POSIX paths."""

from __future__ import annotations

import json

from gitops_lint import __version__
from gitops_lint.core.findings import Finding
from gitops_lint.report.summary import Summary


def render(findings: list[Finding], summary: Summary) -> str:
    payload = {
        "version": __version__,
        "findings": [f.to_dict() for f in findings],
        "summary": summary.to_dict(),
    }
    return json.dumps(payload, indent=2) + "\n"
