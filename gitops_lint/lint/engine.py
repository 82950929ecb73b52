"""Bind rule cards to checks, run them over a Repository, apply config, suppressions and baseline."""

from __future__ import annotations

import fnmatch
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from gitops_lint.core.findings import (
    INTERNAL_ERROR,
    Finding,
    Severity,
    Violation,
    fingerprint,
)
from gitops_lint.core.loader import Document
from gitops_lint.lint.cards import Card
from gitops_lint.lint.run_result import RunResult
from gitops_lint.lint.suppressions import Suppression, from_annotation, scan_text
from gitops_lint.model.repository import Repository


@dataclass
class CheckContext:
    """What a check receives: the repository, its own card and its effective options.

    Cards of stage `suppressions` also receive every suppression found (with what each silenced)
    and the ids and names of the rules that ran."""

    repo: Repository
    card: Card
    options: dict
    suppressions: list[Suppression] = field(default_factory=list)
    rules_run: frozenset[str] = frozenset()

    def runs(self, rule: str, name: str, path: str) -> bool:
        """Whether another rule of the pack reports on `path` in this run (so a check may leave a
        shared cause to it, and say so in one finding instead of two)."""
        ran = not self.rules_run or rule in self.rules_run
        return ran and self.repo.config.rule_setting(rule, name, path).enabled

    def option(self, name: str) -> Any:
        """One option, typed and defaulted by the card's option schema (the config was validated at load)."""
        if name not in self.options:  # a check reading an option its card does not declare: a pack bug
            raise KeyError(f"option {name!r} is not declared by the card of {self.card.id}")
        return self.options[name]

    def owns(self, path: str) -> bool:
        """Whether this run judges `path` on its own: always, but in a shard only the files the shard
        owns (`Repository.owns_file`; a check iterating more than `documents()` skips the others early)."""
        return self.repo.owns_file(path)

    def documents(self) -> list[Document]:
        """Documents matching the card's `applies_to` kinds (every document when it names none); in a
        shard, a file-scoped card's share of them (`owns`)."""
        kinds = self.card.kinds()
        docs = self.repo.objects(*kinds) if kinds else self.repo.documents
        share = self.repo.active_share
        if self.card.scope == "file" and share is not None:  # what `owns` keeps, one share look-up per document
            owns = share.owns_file
            docs = [d for d in docs if owns(d.path)]
        paths = self.card.applies_to.get("paths")
        if paths:
            docs = [d for d in docs if any(fnmatch.fnmatchcase(d.path, p) for p in paths)]
        return docs

    def is_production(self, environment: str | None) -> bool:
        return self.repo.config.is_production(environment)


class ChangeSet(Protocol):
    """What change rules read of a diff (`gitops_lint.diff.pipeline.DiffResult` is one)."""

    @property
    def changes(self) -> list[Any]: ...

    base_side: Any
    head_side: Any


@dataclass
class ChangeContext(CheckContext):
    """What a change rule (card tagged `diff`) receives: the head repository's context and the diff."""

    diff: ChangeSet | None = None


def select_cards(cards: Iterable[Card], repo: Repository, select: Iterable[str] = (),
                 ignore: Iterable[str] = ()) -> list[Card]:
    """Cards enabled by config and matching --select/--ignore (ids, names or id prefixes like GL4)."""
    select, ignore = list(select), list(ignore)

    def named(card: Card, patterns: list[str]) -> bool:
        return any(card.id.startswith(p) or card.name == p for p in patterns)

    chosen = []
    for card in cards:
        if select and not named(card, select):
            continue
        if ignore and named(card, ignore):
            continue
        if not repo.config.rule_setting(card.id, card.name).enabled and not any(
            o.rules.get(card.id, o.rules.get(card.name)) for o in repo.config.overrides
        ):
            continue
        chosen.append(card)
    return chosen


def run_checks(repo: Repository, cards: list[Card], baseline: set[str] | None = None,
               progress: Callable[[Card], None] | None = None, *, diff: ChangeSet | None = None,
               suppressions: Iterable[Suppression] = (), selection: Iterable[Card] | None = None) -> RunResult:
    """Run the cards' checks and turn violations into findings filtered by config, suppressions and baseline.

    Without `diff` (`check`) change rules are skipped; with it (`diff`) only change rules run, each
    with a ChangeContext. `suppressions`: more than the repository's own comments and annotations.
    `selection`: the run's whole selection when `cards` is a share of it (`check --shard`).
    """
    cards = [c for c in cards if c.diff_only == (diff is not None)]
    selected = [c for c in selection if c.diff_only == (diff is not None)] if selection is not None else cards
    ran = frozenset(c.id for c in selected) | {c.name for c in selected}
    findings: list[Finding] = []
    for card in cards:
        if progress is not None:
            progress(card)
        if card.stage == "repository":
            findings.extend(_run_scoped(repo, card, ran, diff))
    findings = merge_repeats(_apply_config(repo, findings))
    kept, suppressed, found = apply_suppressions(repo, findings, suppressions)
    for card in cards:
        if card.stage == "suppressions":  # rules about the suppressions themselves: now that they are known
            kept.extend(_shard_files(repo, card, _run_card(repo, card, found, ran)))
    baselined = []
    if baseline:
        baselined = [f for f in kept if f.fingerprint in baseline]
        kept = [f for f in kept if f.fingerprint not in baseline]
    kept.sort(key=Finding.sort_key)
    return RunResult(kept, suppressed, baselined, [c.id for c in cards])


def _run_scoped(repo: Repository, card: Card, ran: frozenset[str], diff: ChangeSet | None) -> list[Finding]:
    """Run one card; with a share (`repo.share`: a shard, `check FILE…`), a root- or file-scoped card over
    the share only."""
    share = repo.share
    if share is None or card.scope == "repository":
        return _run_card(repo, card, rules_run=ran, diff=diff)
    with repo.restricted():
        found = _run_card(repo, card, rules_run=ran, diff=diff)
    return _shard_files(repo, card, found)


def _shard_files(repo: Repository, card: Card, found: list[Finding]) -> list[Finding]:
    """In a shard, a file-scoped card's findings on the files the shard owns (whatever the check iterated:
    each file's findings belong to one shard); otherwise all of them."""
    share = repo.share
    if share is None or card.scope != "file":
        return found
    return [f for f in found if f.is_internal_error or share.owns_file(f.path)]


def _run_card(repo: Repository, card: Card, suppressions: list[Suppression] | None = None,
              rules_run: frozenset[str] = frozenset(), *, diff: ChangeSet | None = None) -> list[Finding]:
    setting = repo.config.rule_setting(card.id, card.name)
    options = card.options_for(setting.options)
    ctx = (CheckContext(repo=repo, card=card, options=options, suppressions=suppressions or [],
                        rules_run=rules_run) if diff is None
           else ChangeContext(repo=repo, card=card, options=options, rules_run=rules_run, diff=diff))
    try:
        check: Callable[[CheckContext], Iterable[Violation]] = card.resolve_check()
        return [to_finding(card, v, repo) for v in check(ctx)]
    except Exception as exc:  # a bug in a check or the pack: reported, never swallowed
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = (f"internal error in rule {card.id} ({card.name}): {exc.__class__.__name__}: {exc} "
                   f"[{where.filename.rsplit('/', 1)[-1]}:{where.lineno}]")
        return [Finding(INTERNAL_ERROR, "internal-error", Severity.ERROR, card.path.rsplit("/", 1)[-1], 1, 1,
                        message, fingerprint=fingerprint(INTERNAL_ERROR, card.id, None, message, None))]


def to_finding(card: Card, v: Violation, repo: Repository) -> Finding:
    """A violation bound to its card, with the default or production severity."""
    severity = v.severity or card.severity
    if card.production_severity is not None and repo.config.is_production(v.environment):
        severity = max(severity, card.production_severity)
    return Finding(
        rule=card.id,
        name=card.name,
        severity=severity,
        path=v.path,
        line=v.position.line,
        column=v.position.column,
        message=v.message,
        resource=v.resource,
        environment=v.environment,
        fingerprint=fingerprint(card.id, v.path, v.resource, v.key or v.message, v.environment),
        fixable=v.fixable or card.fixable,
    )


def merge_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, path, line, message): a base line rendered into several environments
    is reported once, with the environments listed."""
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule, f.path, f.line, f.message), []).append(f)
    out = []
    for same in groups.values():
        envs = sorted({f.environment for f in same if f.environment})
        first = same[0]
        if len(envs) > 1:
            first = replace(first, environment=None, message=f"{first.message} (environments: {', '.join(envs)})",
                            severity=max(f.severity for f in same))
        out.append(first)
    return out


def _apply_config(repo: Repository, findings: list[Finding]) -> list[Finding]:
    """Per-rule and per-path severity and enablement from the config."""
    out = []
    for f in findings:
        if f.is_internal_error:
            out.append(f)
            continue
        setting = repo.config.rule_setting(f.rule, f.name, f.path)
        if not setting.enabled:
            continue
        out.append(f.with_severity(setting.severity) if setting.severity else f)
    return out


def _collect_suppressions(repo: Repository, paths: Iterable[str],
                          extra: Iterable[Suppression] = ()) -> list[Suppression]:
    found: list[Suppression] = []
    for path in sorted(set(paths)):
        text = repo.text(path)
        if text and "gitops-lint" in text:
            found.extend(scan_text(path, text))
    for doc in repo.documents:
        found.extend(from_annotation(doc))
    found.extend(extra)
    return found


def apply_suppressions(repo: Repository, findings: list[Finding], extra: Iterable[Suppression] = ()
                       ) -> tuple[list[Finding], list[Finding], list[Suppression]]:
    """Split findings into (kept, suppressed) by inline comments and object annotations (the
    repository's own, plus `extra`); also returns every suppression seen."""
    paths = set(repo.parsed_files) | {f.path for f in findings}
    suppressions = _collect_suppressions(repo, paths, extra)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for f in findings:
        token = None
        if not f.is_internal_error:
            for s in suppressions:
                token = s.match(f)
                if token is not None:
                    s.used.add(token)
                    break
        (kept if token is None else suppressed).append(f)
    return kept, suppressed, suppressions
