"""`gitops-lint scorecard`: the reference repo passes every item; the anti-patterns fail them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import REPO_ROOT
from gitops_lint.cli import main

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
