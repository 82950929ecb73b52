"""Every rule card's examples: `bad` raises the rule (at `bad_line` when given), `good` does not."""

from __future__ import annotations

import pytest

from gitops_lint.api import lint_path
from gitops_lint.lint.cards import load_cards

CARDS = load_cards()


def _findings(repo, rule, before=None):
    if before is not None:  # change rules (GL8xx): diff the `before` tree against this one
        from gitops_lint.api import resolve_config
        from gitops_lint.core.source import WorkingTree
        from gitops_lint.diff.pipeline import diff_trees

        result = diff_trees(WorkingTree(before, use_git=False), WorkingTree(repo, use_git=False),
                            resolve_config(repo, None))
        return [f for f in result.findings if f.rule == rule]
    result = lint_path(repo)
    internal = [f for f in result.findings if f.rule == "GL000"]
    assert not internal, internal
    return [f for f in result.findings if f.rule == rule]


def test_the_pack_is_not_empty():
    assert len(CARDS) >= 10


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.id)
def test_card_examples(card, make_repo):
    examples = card.examples
    assert examples.get("bad") and examples.get("good"), f"{card.id} needs both a bad and a good example"
    config = examples.get("config")
    before = make_repo(examples["before"], config) if "before" in examples else None
    bad = _findings(make_repo(examples["bad"], config), card.id, before)
    assert bad, f"{card.id}: the bad example raised nothing"
    if "bad_line" in examples:
        assert examples["bad_line"] in {f.line for f in bad}, [(f.line, f.message) for f in bad]
    good = _findings(make_repo(examples["good"], config), card.id, before)
    assert not good, [(f.path, f.line, f.message) for f in good]


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.id)
def test_card_is_documented(card):
    assert card.summary and card.rationale and card.fix
    assert card.check or card.schema
    card.resolve_check()  # the named check exists
