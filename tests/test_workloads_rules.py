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


def test_a_base_line_rendered_into_three_environments_is_one_finding():
    found = findings(FIXTURES / "three-envs", "GL701")
    assert [(f.path, f.line) for f in found] == [("apps/api/base/deployment.yaml", 13)]
    assert found[0].message.endswith("(environments: development, production, staging)")
    assert found[0].severity.name == "ERROR"  # GL701's production severity: one environment is production
