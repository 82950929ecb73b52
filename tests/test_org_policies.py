"""Organisation policies: the README's worked example, evaluated on rendered production output."""

from __future__ import annotations

import pytest

from conftest import REPO_ROOT
from gitops_lint import api
from gitops_lint.core.config import ConfigError
from gitops_lint.lint.cards import load_card

POLICY_DIR = REPO_ROOT / "examples" / "policies"
POLICIES = sorted(POLICY_DIR.glob("*.yaml"))


def _lint(repo, rule):
    """The policies live outside the fixture repo, so the config is passed explicitly (trusted)."""
    return api.lint_path(repo, config_path=str(repo / ".gitops-lint.yaml"), select=[rule]).findings


def test_a_repository_config_cannot_reach_outside_the_repository(make_repo):
    repo = make_repo({"a.yaml": "a: 1\n"}, {"rule_dirs": [str(POLICY_DIR)]})
    with pytest.raises(ConfigError, match="outside the repository"):
        api.lint_path(repo)


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_policy_examples(path, make_repo):
    card = load_card(path, builtin=False)
    config = {"rule_dirs": [str(POLICY_DIR)]}
    for example in card.examples:
        found = _lint(make_repo(example.files, config), card.id)
        if not example.bad:
            assert found == [], example.name
            continue
        assert [f.rule for f in found] == [card.id], example.name
        if example.bad_line is not None:
            assert found[0].line == example.bad_line


def test_team_label_policy_is_judged_per_environment(make_repo):
    base = {
        "apps/web/base/kustomization.yaml": "resources: [deployment.yaml]\n",
        "apps/web/base/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
            "    spec: {containers: [{name: web, image: 'nginx:1.27.3'}]}\n"),
        "apps/web/overlays/development/kustomization.yaml": "resources: [../../base]\n",
        "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\n",
    }
    repo = make_repo(base, {"rule_dirs": [str(POLICY_DIR)]})
    (finding,) = _lint(repo, "ORG100")
    assert finding.environment == "production" and finding.path == "apps/web/base/deployment.yaml"
    assert "Deployment/web in production has no team label" in finding.message
