"""One cause, one finding: the engine never reports the same rule, path, line and message twice."""

from __future__ import annotations

from gitops_lint.core.findings import Finding, Severity
from gitops_lint.lint.engine import merge_repeats


def finding(environment: str | None, severity: Severity = Severity.WARNING, line: int = 7) -> Finding:
    return Finding("GL701", "image-mutable-tag", severity, "apps/api/base/deployment.yaml", line, 5,
                   "Deployment/api container api: image api:latest uses the mutable tag `latest`",
                   environment=environment, fingerprint=f"fp-{environment}")


def test_identical_findings_from_several_environments_become_one_listing_them():
    merged = merge_repeats([finding("staging"), finding("production", Severity.ERROR), finding("staging"),
                            finding(None, line=9)])
    assert [(f.line, f.environment, f.severity) for f in merged] == [
        (7, None, Severity.ERROR), (9, None, Severity.WARNING)]
    assert merged[0].message.endswith("(environments: production, staging)")


def test_identical_findings_without_environments_are_reported_once():
    merged = merge_repeats([finding(None), finding(None)])
    assert len(merged) == 1 and merged[0] == finding(None)
