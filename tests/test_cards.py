"""Every rule card's examples, each by name: `bad` ones raise the rule (at `bad_line` when given),
`good` ones do not."""

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
    internal = [f for f in result.findings if f.is_internal_error]
    assert not internal, internal
    return [f for f in result.findings if f.rule == rule]


def test_the_pack_is_not_empty():
    assert len(CARDS) >= 10


EXAMPLES = [(card, example) for card in CARDS for example in card.examples]


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.id)
def test_card_has_bad_and_good_examples(card):
    kinds = {e.bad for e in card.examples}
    assert kinds == {True, False}, f"{card.id} needs at least one bad and one good example"
    names = [e.name for e in card.examples]
    assert len(names) == len(set(names)), f"{card.id}: example names repeat: {names}"


@pytest.mark.parametrize(("card", "example"), EXAMPLES, ids=[f"{c.id}-{e.name}" for c, e in EXAMPLES])
def test_card_example(card, example, make_repo):
    """A bad example raises the rule (at `bad_line` when given); a good one does not."""
    before = make_repo(example.before, example.config) if example.before is not None else None
    found = _findings(make_repo(example.files, example.config), card.id, before)
    if not example.bad:
        assert not found, [(f.path, f.line, f.message) for f in found]
        return
    assert found, f"{card.id} {example.name}: the bad example raised nothing"
    if example.bad_line is not None:
        assert example.bad_line in {f.line for f in found}, [(f.line, f.message) for f in found]


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.id)
def test_card_is_documented(card):
    assert card.summary and card.rationale and card.fix
    assert card.check or card.schema
    card.resolve_check()  # the named check exists
