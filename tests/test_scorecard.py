"""`gitops-lint scorecard`: the reference repo passes every item; the anti-patterns fail them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import REPO_ROOT
from gitops_lint.cli import main
from gitops_lint.lint.cards import load_cards

EXAMPLES = REPO_ROOT / "examples"


def _score(path, fmt="json"):
    return CliRunner().invoke(main, ["scorecard", str(path), "--format", fmt], catch_exceptions=False)


def test_reference_repo_passes_every_item():
    result = _score(EXAMPLES / "k8s-manifests")
    payload = json.loads(result.output)
    assert result.exit_code == 0
    assert [i["status"] for i in payload["items"]] == ["pass"] * 9


def test_anti_patterns_fail_with_the_findings_behind_them():
    result = _score(EXAMPLES / "anti-patterns")
    items = {i["key"]: i for i in json.loads(result.output)["items"]}
    assert result.exit_code == 1
    assert items["operator"]["status"] == "pass"
    for key in ("all-in-git", "automated-sync", "base-overlays", "external-secrets", "progressive-delivery",
                "drift-alerts", "reviewed-production", "clean-rollback"):
        assert items[key]["status"] == "fail", key
        assert all(f["rule"] in items[key]["rules"] for f in items[key]["findings"])
    assert "correct-horse" not in result.output


def test_markdown_and_not_applicable(make_repo):
    repo = make_repo({"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"})
    output = _score(repo, "markdown").output
    assert output.startswith("## GitOps scorecard")
    assert "➖ | Automated sync" in output  # no operator: not applicable


def test_items_take_their_rules_from_the_card_tags(make_repo, tmp_path):
    payload = json.loads(_score(EXAMPLES / "k8s-manifests").output)
    rules = {i["key"]: i["rules"] for i in payload["items"]}
    tagged = {c.id for c in load_cards() if "scorecard:clean-rollback" in c.tags}
    assert set(rules["clean-rollback"]) == tagged and len(tagged) >= 2
    assert all(rules.values()), rules  # every item is decided by at least one card
    # an organisation card joins an item by its tag: its findings now fail that item
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "ORG500.yaml").write_text(
        "id: ORG500\nname: configmap-owner\nseverity: warning\nsummary: s\nrationale: r\nfix: f\n"
        "applies_to: {kinds: [ConfigMap]}\nmessage: '{resource} has no owner'\n"
        "schema: {type: object, required: [metadata], properties: {metadata: {type: object, required: [labels]}}}\n"
        "tags: [scorecard:all-in-git]\nexamples: {bad: a, good: b}\n")
    repo = make_repo({"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"},
                     {"rule_dirs": [str(policies)]})
    result = CliRunner().invoke(main, ["scorecard", str(repo), "--format", "json", "--config",
                                       str(repo / ".gitops-lint.yaml")], catch_exceptions=False)
    item = next(i for i in json.loads(result.output)["items"] if i["key"] == "all-in-git")
    assert "ORG500" in item["rules"] and item["status"] == "fail"
    assert [f["rule"] for f in item["findings"]] == ["ORG500"]
