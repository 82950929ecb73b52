"""Output formats, through the real CLI: text, json, sarif, github (with hostile names), markdown."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gitops_lint.cli import main
from gitops_lint.report.github_annotations import escape_data, escape_property

BAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n  k: 2\n"


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def check(*args, env=None):
    """`check` limited to GL302, so that these tests see only the finding they planted."""
    return run("check", "--select", "GL302", *args, env=env)


@pytest.fixture
def bad_repo(make_repo):
    return make_repo({"apps/web/cm.yaml": BAD})


def test_text_format_and_exit_code(bad_repo):
    result = check(str(bad_repo), "--format", "text")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("apps/web/cm.yaml:7:3: GL302 [error] duplicate key 'k'")
    assert "\033[" not in result.output  # not a TTY: no colour
    assert lines[-1].startswith("1 error(s)")
    assert check(str(bad_repo), "--fail-on", "never").exit_code == 0


def test_json_format(bad_repo):
    payload = json.loads(check(str(bad_repo), "--format", "json").output)
    (finding,) = payload["findings"]
    assert set(finding) == {"rule", "name", "severity", "path", "line", "column", "message", "resource",
                            "environment", "fingerprint"}
    assert finding["path"] == "apps/web/cm.yaml" and finding["line"] == 7 and finding["rule"] == "GL302"
    assert payload["summary"]["errors"] == 1 and "version" in payload


def test_sarif_has_the_structure_code_scanning_requires(bad_repo):
    log = json.loads(check(str(bad_repo), "--format", "sarif").output)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "gitops-lint"
    ids = [r["id"] for r in driver["rules"]]
    assert "GL302" in ids and len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    (result,) = run_["results"]
    assert result["ruleId"] == "GL302" and ids[result["ruleIndex"]] == "GL302"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 3}
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "apps/web/cm.yaml"
    assert result["partialFingerprints"]["gitopsLint/v1"]


def test_github_commands_escape_hostile_names(make_repo):
    repo = make_repo({"apps/we,b:x%/c m.yaml": BAD})
    result = check(str(repo), env={"GITHUB_ACTIONS": "true"})
    line = result.output.splitlines()[0]
    assert line.startswith("::error file=apps/we%2Cb%3Ax%25/c m.yaml,line=7,col=3,title=GL302 yaml-duplicate-key::")
    assert escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_markdown_escapes_cells(make_repo):
    repo = make_repo({"apps/a|b.yaml": BAD})
    output = check(str(repo), "--format", "markdown").output
    assert "| 🔴 | GL302 yaml-duplicate-key | apps/a\\|b.yaml:7 |" in output


def test_files_restrict_the_report(make_repo, monkeypatch):
    repo = make_repo({"a.yaml": BAD, "b.yaml": BAD})
    monkeypatch.chdir(repo)
    output = check("b.yaml", "--format", "json").output
    assert [f["path"] for f in json.loads(output)["findings"]] == ["b.yaml"]


def test_rules_and_explain_come_from_the_cards():
    listing = run("rules").output
    assert "GL302  yaml-duplicate-key" in listing
    explained = run("explain", "GL302")
    assert explained.exit_code == 0
    assert "yaml-duplicate-key" in explained.output and "How to fix:" in explained.output
    assert run("explain", "GL999").exit_code == 2


def test_rules_as_json_say_scope_and_fix():
    rows = {r["id"]: r for r in json.loads(run("rules", "--format", "json").output)}
    assert rows["GL701"]["scope"] == "root" and rows["GL301"]["scope"] == "file"
    assert rows["GL105"]["scope"] == "repository"
    assert [rows[i]["fix"] for i in ("GL204", "GL106", "GL105")] == ["safe", "unsafe", None]


def test_bad_config_is_exit_2(make_repo):
    repo = make_repo({"a.yaml": "a: 1\n"}, {"fail_on": "never"})
    (repo / ".gitops-lint.yaml").write_text("unknown_key: 1\n")
    result = check(str(repo))
    assert result.exit_code == 2 and "unknown_key" in result.output
