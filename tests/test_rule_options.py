"""Typed rule options: card option schemas, config validation at load (exit 2), defaults reaching checks."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gitops_lint import api
from gitops_lint.cli import main
from gitops_lint.lint.cards import CardError, load_card, load_cards
from gitops_lint.lint.options import check_option_schema

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
"""

CARD_HEAD = """id: ORG300
name: org-image-policy
severity: error
summary: s
rationale: r
fix: f
check: gitops_lint.checks.workloads:image_mutable_tag
examples: {bad: a, good: b}
"""


def check(repo, *args):
    return CliRunner().invoke(main, ["check", str(repo), "--format", "json", "-j", "1", *args])


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"GL702": {"options": {"min_replicas": "two"}}}, ["GL702", "min_replicas", "expects integer >= 1", "'two'"]),
        ({"GL702": {"options": {"min_replicas": 0}}}, ["GL702", "min_replicas", "expects integer >= 1"]),
        ({"image-mutable-tag": {"options": {"require_digest": "yes"}}},
         ["GL701 (image-mutable-tag)", "require_digest", "expects boolean"]),
        ({"GL203": {"options": {"branches": "main"}}}, ["GL203", "branches", "expects array of string"]),
        ({"GL702": {"options": {"max_replicas": 3}}},
         ["GL702", "has no option 'max_replicas'", "its options: min_replicas"]),
    ],
    ids=["wrong-type", "below-minimum", "by-name", "array-items", "unknown-option"],
)
def test_a_bad_option_is_a_config_error_exit_2(make_repo, rules, expected):
    repo = make_repo({"deployment.yaml": DEPLOYMENT}, {"rules": rules})
    result = check(repo)
    assert result.exit_code == 2, result.output
    assert ".gitops-lint.yaml: rules." in result.output
    for text in expected:
        assert text in result.output
    assert "internal error" not in result.output and "GL000" not in result.output


def test_a_bad_option_in_an_override_is_a_config_error(make_repo):
    config = {"overrides": [{"paths": ["legacy/**"], "rules": {"GL701": {"options": {"mutable_tags": [1]}}}}]}
    result = check(make_repo({"deployment.yaml": DEPLOYMENT}, config))
    assert result.exit_code == 2
    assert "overrides.0.rules.GL701.options" in result.output and "mutable_tags" in result.output


def test_valid_options_reach_the_check_and_defaults_fill_the_rest(make_repo):
    plain = api.lint_path(make_repo({"deployment.yaml": DEPLOYMENT}), select=["GL701"]).findings
    assert plain == []  # default: require_digest false
    config = {"rules": {"GL701": {"options": {"require_digest": True}}}}
    (finding,) = api.lint_path(make_repo({"deployment.yaml": DEPLOYMENT}, config), select=["GL701"]).findings
    assert "digest" in finding.message and finding.line == 12


def test_every_card_option_has_a_default_of_its_type():
    for card in load_cards():
        check_option_schema(card.options, against_metaschema=True)  # skipped for built-in cards at run time
        assert card.options["type"] == "object" and card.options["additionalProperties"] is False
        for name, prop in card.options["properties"].items():
            assert card.options_for({})[name] == prop["default"]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ("options: {type: object, additionalProperties: false, properties: {n: {type: integer}}}",
         "'default' is a required property"),
        ("options: {type: object, additionalProperties: false, properties: {n: {type: integer, default: x}}}",
         "options.n: default 'x' is invalid"),
        ("options: {n: 3}", "options"),  # today's old shape: values instead of a schema
        ("options: {type: object, additionalProperties: false, properties: {n: {type: integr, default: 1}}}",
         "not a valid JSON Schema"),
    ],
    ids=["no-default", "default-of-wrong-type", "not-a-schema", "unknown-type"],
)
def test_a_card_with_a_malformed_option_schema_is_refused(tmp_path, options, error):
    path = tmp_path / "ORG300.yaml"
    path.write_text(CARD_HEAD + options + "\n")
    with pytest.raises(CardError, match=error):
        load_card(path, builtin=False)


def test_organisation_cards_reusing_a_builtin_check_get_its_options(make_repo, tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ORG300.yaml").write_text(
        CARD_HEAD + "options:\n  type: object\n  additionalProperties: false\n  properties:\n"
        "    require_digest: {type: boolean, default: true}\n")
    repo = make_repo({"deployment.yaml": DEPLOYMENT}, {"rule_dirs": [str(policies)]})
    config = str(repo / ".gitops-lint.yaml")
    (card,) = [c for c in load_cards([policies]) if c.id == "ORG300"]
    assert card.options_for({}) == {"mutable_tags": ["latest"], "require_digest": True}
    (finding,) = api.lint_path(repo, config_path=config, select=["ORG300"]).findings
    assert "digest" in finding.message
    bad = make_repo({"deployment.yaml": DEPLOYMENT},
                    {"rule_dirs": [str(policies)], "rules": {"ORG300": {"options": {"mutable_tags": "edge"}}}})
    result = check(bad, "--config", str(bad / ".gitops-lint.yaml"))
    assert result.exit_code == 2 and "ORG300 (org-image-policy)" in result.output and "mutable_tags" in result.output


def test_diff_validates_the_options_of_the_change_rules(make_repo):
    from gitops_lint.api import resolve_config
    from gitops_lint.core.config import ConfigError
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.diff.pipeline import diff_trees

    base = make_repo({"deployment.yaml": DEPLOYMENT})
    head = make_repo({"deployment.yaml": DEPLOYMENT.replace("1.27.3", "1.27.4")},
                     {"rules": {"GL803": {"options": {"similarity": "high"}}}})
    with pytest.raises(ConfigError, match=r"GL803 \(change-rename\) option 'similarity' expects number from 0 to 1"):
        diff_trees(WorkingTree(base, use_git=False), WorkingTree(head, use_git=False), resolve_config(head, None))



def test_the_typed_accessor_reads_defaults_and_names_undeclared_options():
    from gitops_lint.lint.cards import builtin_card
    from gitops_lint.lint.engine import CheckContext

    card = builtin_card("GL702")
    ctx = CheckContext(repo=None, card=card, options=card.options_for({}))  # type: ignore[arg-type]
    assert ctx.option("min_replicas") == 2
    with pytest.raises(KeyError, match="'max_replicas' is not declared by the card of GL702"):
        ctx.option("max_replicas")
