"""Every rule card's examples, each by name: `bad` ones raise the rule (at `bad_line` when given),
`good` ones do not."""

from __future__ import annotations

import pytest

from gitops_lint.api import lint_path
from gitops_lint.core.loader import LOADER_KINDS
from gitops_lint.lint.cards import CardError, load_card, load_cards
from gitops_lint.lint.docs import explain_card

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


def _card(tmp_path, body: str):
    path = tmp_path / "ORG900.yaml"
    path.write_text("id: ORG900\nname: org-rule\nseverity: warning\nsummary: s\nrationale: r\nfix: f\n" + body)
    return load_card(path, builtin=False)


def test_named_examples_are_explained_by_name_with_their_config(tmp_path):
    card = _card(tmp_path, (
        "check: gitops_lint.checks.workloads:image_mutable_tag\n"
        "examples:\n"
        "  - {name: floating, bad: 'image: a:latest', bad_line: 1}\n"
        "  - {name: strict, bad: 'image: a:1', config: {rules: {ORG900: {options: {require_digest: true}}}}}\n"
        "  - {name: pinned, good: 'image: a:1'}\n"))
    assert [(e.name, e.bad, e.bad_line) for e in card.examples] == [
        ("floating", True, 1), ("strict", True, None), ("pinned", False, None)]
    text = explain_card(card)
    assert "Example (raises it) [floating]:\n    image: a:latest" in text
    assert "Example (raises it) [strict]:\n    # .gitops-lint.yaml\n    rules:" in text
    assert "Use instead [pinned]:\n    image: a:1" in text


def test_a_named_example_is_either_bad_or_good(tmp_path):
    with pytest.raises(CardError, match="examples"):
        _card(tmp_path, "check: gitops_lint.checks.meta:unused_suppression\n"
                        "examples: [{name: both, bad: a, good: b}, {name: good, good: c}]\n")


def test_fixable_rules_state_their_fix_safety(tmp_path):
    with pytest.raises(CardError, match="fix_safety"):
        _card(tmp_path, "check: gitops_lint.checks.meta:unused_suppression\nfixable: true\n"
                        "examples: {bad: a, good: b}\n")
    text = explain_card(next(c for c in CARDS if c.id == "GL204"))
    assert "Fix safety (fixable with `check --fix`):\n    Safe: Each rewrite is what kustomize itself does" in text


def test_the_rules_the_fixer_serves_are_the_cards_with_a_fix_safety():
    from gitops_lint.lint import env_rename
    from gitops_lint.lint.fixers import FIXERS

    fixable = {c.id for c in CARDS if c.fix_safety}
    # GL204: the kustomization rewrite of lint/fix.py; GL106: the directory rename of lint/env_rename.py
    assert fixable == set(FIXERS) | {"GL204", env_rename.RULE}


def test_loader_kinds_a_card_reports_must_exist(tmp_path):
    with pytest.raises(CardError, match="unknown kinds"):
        _card(tmp_path, "check: gitops_lint.checks.syntax:loader_violations\nreports: [yaml-typo]\n"
                        "examples: {bad: a, good: b}\n")
    claimed = [kind for c in CARDS for kind in c.reports]
    assert sorted(claimed) == sorted(LOADER_KINDS)  # each loader kind is reported by exactly one card
