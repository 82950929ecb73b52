"""GitLab Code Quality (the Code Climate issue subset GitLab reads from `artifacts:reports:codequality`).

A JSON array of issues, each with `description`, `check_name`, `fingerprint`, `severity` (one of
GitLab's `info`, `minor`, `major`, `critical`, `blocker`) and `location.path` + `location.lines.begin`.
"""

from __future__ import annotations

import hashlib
import json

from gitops_lint.core.findings import Finding

# error fails the pipeline by default: critical; blocker is kept for GL000 (the run itself broke).
SEVERITY = {"error": "critical", "warning": "minor", "info": "info"}
INTERNAL_ERROR_RULE = "GL000"


def unique_fingerprints(findings: list[Finding]) -> list[str]:
    """One fingerprint per finding, unique within the report.

    The first finding with a given stable fingerprint keeps it; later ones with the same identity
    (e.g. the same key reported twice in one file) get a hash of it and their occurrence number, so
    GitLab does not merge them and the values still survive line moves.
    """
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        count = seen.get(f.fingerprint, 0)
        seen[f.fingerprint] = count + 1
        if count == 0:
            out.append(f.fingerprint)
        else:
            out.append(hashlib.sha256(f"{f.fingerprint}:{count}".encode()).hexdigest()[:32])
    return out


def severity(f: Finding) -> str:
    """GitLab's severity level for a finding."""
    return "blocker" if f.rule == INTERNAL_ERROR_RULE else SEVERITY[str(f.severity)]


def issues(findings: list[Finding]) -> list[dict]:
    """The Code Quality issues, in report order."""
    ordered = sorted(findings, key=Finding.sort_key)
    out = []
    for f, fingerprint in zip(ordered, unique_fingerprints(ordered), strict=True):
        env = f" ({f.environment})" if f.environment else ""
        out.append({
            "description": f"{f.rule} {f.name}: {f.message}{env}",
            "check_name": f.rule,
            "fingerprint": fingerprint,
            "severity": severity(f),
            "location": {"path": f.path, "lines": {"begin": max(f.line, 1)}},
        })
    return out


def render(findings: list[Finding]) -> str:
    """The Code Quality report as JSON text."""
    return json.dumps(issues(findings), indent=2, ensure_ascii=False) + "\n"
