"""Workload rules on fixture repositories (tests/fixtures/workloads/)."""

from __future__ import annotations

from pathlib import Path

from gitops_lint.api import lint_path

FIXTURES = Path(__file__).parent / "fixtures" / "workloads"


def findings(repo: Path, *rules: str) -> list:
    result = lint_path(repo, select=list(rules))
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return result.findings


def test_readiness_probes_are_asked_only_of_containers_behind_a_service():
    found = findings(FIXTURES / "traffic", "GL705")
    assert sorted((f.path, f.line, f.resource) for f in found) == [
        ("apps/shop/base/api.yaml", 12, "Deployment/shop/api"),
        ("apps/shop/base/web.yaml", 12, "Deployment/shop/web"),
    ]
    assert all("serves traffic through a Service" in f.message for f in found)
