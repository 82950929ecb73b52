"""JSON: `{"version", "findings": [...], "summary": {...}}` with repo-relative POSIX paths."""

from __future__ import annotations

import json

from .. import __version__
from ..findings import Finding
from . import Summary


def render(findings: list[Finding], summary: Summary) -> str:
    payload = {
        "version": __version__,
        "findings": [f.to_dict() for f in findings],
        "summary": summary.to_dict(),
    }
    return json.dumps(payload, indent=2) + "\n"
