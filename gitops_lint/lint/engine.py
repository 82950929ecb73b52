"""Bind rule cards to checks, run them over a Repository, apply config, suppressions and baseline."""

from __future__ import annotations

import fnmatch
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from gitops_lint.core.findings import FILE_START, Finding, Position, Severity, Violation, fingerprint
from gitops_lint.core.loader import Document
from gitops_lint.lint.cards import Card
from gitops_lint.lint.suppressions import Suppression, from_annotation, scan_text
from gitops_lint.model.repository import Repository

INTERNAL_ERROR = "GL000"
UNUSED_SUPPRESSION = "GL001"
SUPPRESSION_WITHOUT_REASON = "GL002"


@dataclass
class CheckContext:
    """What a check receives: the repository, its own card and its effective options."""

    repo: Repository
    card: Card
    options: dict
    selected: frozenset[str] = frozenset()  # ids of every card of this run (empty: unknown, assume all)

    def runs(self, rule: str, name: str, path: str) -> bool:
        """Whether another rule of the pack reports on `path` in this run (so a check may leave a
        shared cause to it, and say so in one finding instead of two)."""
        return (not self.selected or rule in self.selected) and self.repo.config.rule_setting(rule, name, path).enabled

    def documents(self) -> list[Document]:
        """Documents matching the card's `applies_to` kinds (every document when it names none)."""
        kinds = self.card.kinds()
        docs = self.repo.objects(*kinds) if kinds else self.repo.documents
        paths = self.card.applies_to.get("paths")
        if paths:
            docs = [d for d in docs if any(fnmatch.fnmatchcase(d.path, p) for p in paths)]
        return docs

    def is_production(self, environment: str | None) -> bool:
        return self.repo.config.is_production(environment)


@dataclass
class RunResult:
    """Findings after suppressions and baseline, plus what was filtered (for `baseline` and stats)."""

    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

    @property
    def internal_error(self) -> bool:
        return any(f.rule == INTERNAL_ERROR for f in self.findings)


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
               progress: Callable[[Card], None] | None = None) -> RunResult:
    """Run every card's check and turn violations into filtered findings."""
    cards = [c for c in cards if not c.diff_only]  # change rules (tag `diff`) run in `gitops-lint diff` only
    findings: list[Finding] = []
    for card in cards:
        if progress is not None:
            progress(card)
        if card.id in (UNUSED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON):
            continue  # evaluated below, once suppressions are known
        findings.extend(_run_card(repo, card, frozenset(c.id for c in cards)))
    findings = merge_repeats(_apply_config(repo, findings))
    kept, suppressed, suppressions = apply_suppressions(repo, findings)
    by_id = {c.id: c for c in cards}
    kept.extend(_suppression_findings(repo, by_id, suppressions))
    baselined = []
    if baseline:
        baselined = [f for f in kept if f.fingerprint in baseline]
        kept = [f for f in kept if f.fingerprint not in baseline]
    kept.sort(key=Finding.sort_key)
    return RunResult(kept, suppressed, baselined, [c.id for c in cards])


def _run_card(repo: Repository, card: Card, selected: frozenset[str] = frozenset()) -> list[Finding]:
    setting = repo.config.rule_setting(card.id, card.name)
    ctx = CheckContext(repo=repo, card=card, options={**card.options, **setting.options}, selected=selected)
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
        if f.rule == INTERNAL_ERROR:
            out.append(f)
            continue
        setting = repo.config.rule_setting(f.rule, f.name, f.path)
        if not setting.enabled:
            continue
        out.append(f.with_severity(setting.severity) if setting.severity else f)
    return out


def _collect_suppressions(repo: Repository, paths: Iterable[str]) -> list[Suppression]:
    found: list[Suppression] = []
    for path in sorted(set(paths)):
        text = repo.text(path)
        if text and "gitops-lint" in text:
            found.extend(scan_text(path, text))
    for doc in repo.documents:
        found.extend(from_annotation(doc))
    return found


def apply_suppressions(repo: Repository, findings: list[Finding]):
    """Split findings into (kept, suppressed) by inline comments and object annotations."""
    paths = set(repo.parsed_files) | {f.path for f in findings}
    suppressions = _collect_suppressions(repo, paths)
    kept, suppressed = [], []
    for f in findings:
        token = None
        if f.rule != INTERNAL_ERROR:
            for s in suppressions:
                token = s.match(f)
                if token is not None:
                    s.used.add(token)
                    break
        (kept if token is None else suppressed).append(f)
    return kept, suppressed, suppressions


def _suppression_findings(repo: Repository, cards: dict[str, Card], suppressions: list[Suppression]):
    """GL001 for suppressions that silenced nothing, GL002 for ones without a reason (when required)."""
    out = []
    unused_card = cards.get(UNUSED_SUPPRESSION)
    reason_card = cards.get(SUPPRESSION_WITHOUT_REASON)
    ran = set(cards)
    for s in suppressions:
        if unused_card and repo.config.report_unused_suppressions:
            unused = [r for r in s.rules if r not in s.used and _rule_ran(r, cards, ran)]
            for rule in unused:
                v = Violation(s.path, f"suppression of {rule} silences nothing here; remove it",
                              s.position, resource=s.resource, key=f"{s.scope}:{rule}")
                out.append(to_finding(unused_card, v, repo))
        if reason_card and repo.config.require_reason and not s.reason:
            v = Violation(s.path, f"suppression of {', '.join(s.rules)} gives no reason; add `-- why`",
                          s.position, resource=s.resource, key=f"{s.scope}:{','.join(s.rules)}")
            out.append(to_finding(reason_card, v, repo))
    return out


def _rule_ran(rule: str, cards: dict[str, Card], ran: set[str]) -> bool:
    """Only report a suppression unused when its rule actually ran (not deselected)."""
    return rule in ran or any(c.name == rule for c in cards.values())


def internal_finding(message: str, path: str = "", position: Position = FILE_START) -> Finding:
    """An internal-error finding for failures outside any check (exit code 2)."""
    return Finding(INTERNAL_ERROR, "internal-error", Severity.ERROR, path, position.line, position.column,
                   message, fingerprint=fingerprint(INTERNAL_ERROR, path, None, message, None))
