"""`--format codequality` and `--format junit`, validated against GitLab's Code Quality schema and the
Jenkins/GitLab JUnit XSD (both kept as data under tests/schemas/)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import REPO_ROOT
from gitops_lint.cli import main

SCHEMAS = Path(__file__).parent / "schemas"
CODEQUALITY_SCHEMA = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text())
JUNIT_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-jenkins.xsd")))
ANTI_PATTERNS = REPO_ROOT / "examples" / "anti-patterns"
DUP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n  k: 2\n"


def run(*args) -> str:
    result = CliRunner().invoke(main, ["check", "-j", "1", *map(str, args)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.output


def codequality(repo, *args) -> list[dict]:
    report = json.loads(run(repo, "--format", "codequality", *args))
    jsonschema.Draft202012Validator(CODEQUALITY_SCHEMA).validate(report)
    return report


def junit(repo, *args):
    doc = etree.fromstring(run(repo, "--format", "junit", *args).encode())
    JUNIT_XSD.assertValid(doc)
    return doc


def test_codequality_matches_the_json_report(tmp_path):
    issues = codequality(ANTI_PATTERNS)
    findings = json.loads(run(ANTI_PATTERNS, "--format", "json"))["findings"]
    assert len(issues) == len(findings) > 0
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_fp = {f["fingerprint"]: f for f in findings}
    levels = {"error": "critical", "warning": "minor", "info": "info"}
    for issue in issues:
        f = by_fp[issue["fingerprint"]]
        assert issue["check_name"] == f["rule"] and f["message"] in issue["description"]
        assert issue["location"] == {"path": f["path"], "lines": {"begin": f["line"]}}
        assert issue["severity"] == levels[f["severity"]]


def test_junit_has_a_suite_per_rule_and_a_case_per_finding():
    doc = junit(ANTI_PATTERNS)
    payload = json.loads(run(ANTI_PATTERNS, "--format", "json"))
    suites = doc.findall("testsuite")
    assert len(suites) == payload["summary"]["rules"]
    assert sum(len(s.findall("testcase/failure")) for s in suites) == len(payload["findings"])
    assert int(doc.get("failures")) == len(payload["findings"])
    passing = [s for s in suites if s.get("failures") == "0"]
    assert passing and all(len(s.findall("testcase")) == 1 and s.find("testcase/failure") is None
                           for s in passing)
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
    rules = {f["rule"] for f in payload["findings"]}
    failing = {s.get("name").split()[0] for s in suites if s.get("failures") != "0"}
    assert failing == rules


def test_fingerprints_survive_reruns_and_line_moves(make_repo):
    repo = make_repo({"apps/web/cm.yaml": DUP + "  k: 3\n", "apps/web/other.yaml": DUP})
    first = codequality(repo, "--select", "GL302")
    assert codequality(repo, "--select", "GL302") == first
    (repo / "apps/web/cm.yaml").write_text("# a comment\n\n" + DUP + "  k: 3\n")
    moved = codequality(repo, "--select", "GL302")
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in first]
    assert [i["location"]["lines"]["begin"] for i in moved] == [
        i["location"]["lines"]["begin"] + (2 if i["location"]["path"].endswith("cm.yaml") else 0) for i in first]
    assert len({i["fingerprint"] for i in moved}) == len(moved) == 3  # a repeated key stays two issues


def test_hostile_text_stays_valid_xml_and_json(make_repo):
    repo = make_repo({"apps/a&<b>\u0001.yaml": DUP})
    issues = codequality(repo, "--select", "GL302")
    assert issues[0]["location"]["path"] == "apps/a&<b>\u0001.yaml"
    doc = junit(repo, "--select", "GL302")
    assert "\ufffd" in doc.find("testsuite/testcase").get("name")


def test_no_findings_is_an_empty_report_and_passing_suites(make_repo):
    repo = make_repo({"apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    assert codequality(repo, "--select", "GL302") == []
    doc = junit(repo, "--select", "GL302")
    assert doc.get("failures") == "0" and [s.get("name") for s in doc] == ["GL302 yaml-duplicate-key"]


@pytest.mark.parametrize("name", ["fluxcd__flux2-multi-tenancy"])
def test_corpus_reports_validate(corpus, name):
    repo = corpus / name
    if not repo.is_dir():
        pytest.skip(f"{name} not in the corpus")
    issues = codequality(repo)
    doc = junit(repo)
    assert int(doc.get("failures")) == len(issues)


def test_severity_levels_and_duplicate_fingerprints_stay_apart():
    from gitops_lint.core.findings import Finding, Severity
    from gitops_lint.report import codequality

    def finding(rule: str, severity: Severity, line: int) -> Finding:
        return Finding(rule, "n", severity, "a.yaml", line, 1, "m", fingerprint="f" * 32)

    issues = codequality.issues([finding("GL302", Severity.ERROR, 3), finding("GL302", Severity.ERROR, 9),
                                 finding("GL000", Severity.ERROR, 1), finding("GL105", Severity.WARNING, 2),
                                 finding("GL404", Severity.INFO, 4)])
    assert [(i["check_name"], i["severity"]) for i in issues] == [
        ("GL000", "blocker"), ("GL105", "minor"), ("GL302", "critical"), ("GL404", "info"), ("GL302", "critical")]
    assert len({i["fingerprint"] for i in issues}) == 5 and issues[0]["fingerprint"] == "f" * 32  # the first keeps it
