"""The README stays true: its rule table is the cards' table, its commands exist."""

from __future__ import annotations

from conftest import REPO_ROOT
from gitops_lint.lint.cards import load_cards
from gitops_lint.lint.docs import RULES_END, RULES_START, update_readme

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_is_generated_from_the_cards():
    assert RULES_START in README and RULES_END in README
    assert update_readme(README, load_cards()) == README, "run `python -m gitops_lint.lint.docs README.md`"


def test_setup_commands_are_there():
    assert "gitops-lint check examples/k8s-manifests" in README
    assert "pip install '.[test,helm]' && python -m pytest" in README
