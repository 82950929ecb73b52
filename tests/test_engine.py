"""Engine behaviour: config, suppressions, baseline, internal errors, exit codes, organisation cards."""

from __future__ import annotations

import pytest

from gitops_lint import api
from gitops_lint.core.config import ConfigError, config_from_dict
from gitops_lint.lint.cards import Card

DUPLICATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
  mode: slow
"""


def lint(repo, **kwargs):
    """Lint with the YAML and suppression rules only, so that other rules' findings don't interfere."""
    kwargs.setdefault("select", ["GL00", "GL302"])
    return api.lint_path(repo, **kwargs)


def rules(result):
    return [(f.rule, f.line) for f in result.findings]


def test_config_errors_name_the_bad_key():
    with pytest.raises(ConfigError, match="rulez"):
        config_from_dict({"rulez": {}})
    with pytest.raises(ConfigError, match="fail_on"):
        config_from_dict({"fail_on": "sometimes"})


def test_config_disables_and_reseverities_rules(make_repo):
    assert rules(lint(make_repo(DUPLICATE))) == [("GL302", 7)]
    assert rules(lint(make_repo(DUPLICATE, {"rules": {"GL302": "off"}}))) == []
    result = lint(make_repo(DUPLICATE, {"rules": {"yaml-duplicate-key": "info"}}))
    assert [str(f.severity) for f in result.findings] == ["info"]


def test_per_path_overrides_and_excludes(make_repo):
    files = {"legacy/a.yaml": DUPLICATE, "apps/b.yaml": DUPLICATE, "vendor/c.yaml": DUPLICATE}
    config = {"overrides": [{"paths": ["legacy/**"], "rules": {"GL302": "off"}}], "exclude": ["vendor/"]}
    assert [f.path for f in lint(make_repo(files, config)).findings] == ["apps/b.yaml"]


@pytest.mark.parametrize(
    "line, place",
    [("  mode: slow  # gitops-lint: disable=GL302 -- legacy parser", "same line"),
     ("  # gitops-lint: disable=yaml-duplicate-key\n  mode: slow", "line above")],
)
def test_inline_suppressions(make_repo, line, place):
    content = DUPLICATE.replace("  mode: slow", line)
    result = lint(make_repo(content))
    assert rules(result) == [], place
    assert len(result.result.suppressed) == 1


def test_file_suppression_and_unused_suppression(make_repo):
    silenced = lint(make_repo("# gitops-lint: disable-file=GL302\n" + DUPLICATE))
    assert rules(silenced) == []
    stale = lint(make_repo("# gitops-lint: disable-file=GL302\napiVersion: v1\nkind: ConfigMap\n"
                                    "metadata: {name: a}\n"))
    assert rules(stale) == [("GL001", 1)]


def test_object_annotation_suppresses_findings_in_that_object(make_repo):
    content = DUPLICATE.replace("  name: settings", "  name: settings\n  annotations:\n"
                                "    gitops-lint.io/ignore: 'GL302: the legacy parser reads the first value'")
    assert rules(lint(make_repo(content))) == []


def test_require_reason(make_repo):
    content = DUPLICATE.replace("  mode: slow", "  mode: slow  # gitops-lint: disable=GL302")
    assert rules(lint(make_repo(content, {"require_reason": True}))) == [("GL002", 7)]


def test_baseline_survives_unrelated_edits(make_repo, tmp_path):
    repo = make_repo(DUPLICATE)
    baseline_file = tmp_path / "baseline.json"
    api.write_baseline(lint(repo).findings, baseline_file)
    (repo / "manifest.yaml").write_text("# a comment\n# and another\n" + DUPLICATE)
    fingerprints = api.read_baseline(baseline_file)
    result = lint(repo, baseline=fingerprints)
    assert rules(result) == [] and len(result.result.baselined) == 1
    (repo / "manifest.yaml").write_text(DUPLICATE + "  size: 1\n  size: 2\n")
    assert [f.rule for f in lint(repo, baseline=fingerprints).findings] == ["GL302"]


def test_exception_in_a_check_is_an_internal_error_not_swallowed(make_repo, monkeypatch):
    def boom(self):
        def check(ctx):
            raise KeyError("spec")
        return check

    monkeypatch.setattr(Card, "resolve_check", boom)
    result = lint(make_repo(DUPLICATE), select=["GL302"])
    assert [f.rule for f in result.findings] == ["GL000"]
    assert "KeyError" in result.findings[0].message
    assert api.exit_code(result.findings, "never") == 2


def test_exit_codes_follow_the_fail_level(make_repo):
    findings = lint(make_repo(DUPLICATE)).findings
    assert api.exit_code(findings, "error") == 1
    assert api.exit_code(findings, "never") == 0
    assert api.exit_code([], "info") == 0


def test_organisation_schema_cards(make_repo, tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ORG001.yaml").write_text("""id: ORG001
name: configmap-has-owner
severity: warning
summary: ConfigMaps carry an owner label
rationale: Someone must be paged when it breaks.
fix: Add metadata.labels.owner.
applies_to: {kinds: [ConfigMap]}
message: "{resource} has no owner label ({error})"
schema:
  type: object
  required: [metadata]
  properties:
    metadata:
      type: object
      required: [labels]
      properties:
        labels: {type: object, required: [owner]}
examples:
  bad: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\n"
  good: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a, labels: {owner: team-a}}\\n"
""")
    repo = make_repo({"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
                     {"rule_dirs": [str(policies)]})
    config = str(repo / ".gitops-lint.yaml")
    (finding,) = [f for f in lint(repo, select=["ORG"], config_path=config).findings]
    assert finding.line == 4 and "ConfigMap/a has no owner label" in finding.message


def test_organisation_cards_cannot_run_python(make_repo, tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ORG002.yaml").write_text(
        "id: ORG002\nname: evil\nseverity: error\nsummary: s\nrationale: r\nfix: f\n"
        "check: os:system\nexamples: {bad: a, good: b}\n")
    repo = make_repo({"a.yaml": "a: 1\n"}, {"rule_dirs": [str(policies)]})
    with pytest.raises(Exception, match="organisation cards|may name only"):
        lint(repo, config_path=str(repo / ".gitops-lint.yaml"))
