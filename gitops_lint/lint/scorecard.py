"""The GitOps checklist as a scorecard: each item passes, fails or does not apply, with its findings.

Which rules decide an item is said by the cards: a card tagged `scorecard:<item key>` counts for it
(organisation cards may join an item the same way)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from gitops_lint.core.findings import Finding
from gitops_lint.lint.cards import Card
from gitops_lint.model.repository import Repository

TAG_PREFIX = "scorecard:"


def _has_operator(repo: Repository) -> bool:
    return bool(repo.objects("argoproj.io/Application", "argoproj.io/ApplicationSet",
                             "kustomize.toolkit.fluxcd.io/Kustomization", "helm.toolkit.fluxcd.io/HelmRelease"))


def _has_apps(repo: Repository) -> bool:
    return any(app.classic for app in repo.apps.values())


def _has_production(repo: Repository) -> bool:
    return any(repo.config.is_production(env) for _root, env in repo.environment_roots())


def _always(repo: Repository) -> bool:
    return True


@dataclass(frozen=True)
class Item:
    """One checklist item (its rules are the cards tagged `scorecard:<key>`), and when it applies at all."""

    key: str
    title: str
    applies: Callable[[Repository], bool] = _always


CHECKLIST: tuple[Item, ...] = (
    Item("operator", "An operator (Argo CD or Flux) pulls this repository"),
    Item("all-in-git", "Everything deployed is declared in Git (no CI pushes, no manual applies, no orphans)"),
    Item("automated-sync", "Automated sync with self-heal and prune", _has_operator),
    Item("base-overlays", "Apps use a base plus one overlay per environment", _has_apps),
    Item("external-secrets", "Secrets are managed outside Git (SOPS, Sealed Secrets, External Secrets)"),
    Item("progressive-delivery", "Critical services ship with canary or blue-green", _has_production),
    Item("drift-alerts", "Drift and sync failures raise alerts", _has_operator),
    Item("reviewed-production", "Production changes need an owner's review", _has_production),
    Item("clean-rollback", "Reverting a commit rolls back cleanly (pinned images, charts and revisions)"),
)


@dataclass
class ItemResult:
    item: Item
    rules: tuple[str, ...]  # ids of the cards tagged for the item
    status: str  # "pass", "fail" or "n/a"
    findings: list[Finding]


def item_rules(item: Item, cards: list[Card]) -> tuple[str, ...]:
    """The ids of the cards tagged `scorecard:<item key>`."""
    return tuple(c.id for c in cards if TAG_PREFIX + item.key in c.tags)


def score(repo: Repository, findings: list[Finding], cards: list[Card], rules_run: list[str]) -> list[ItemResult]:
    """Judge each checklist item from the findings of a full run; `cards` is the whole rule pack.

    An item fails on any finding of its rules (each was chosen because its findings mean the item
    is not met — drift alerting's GL905 is only info in `check`, yet it decides that item).
    An item whose rules did not run at all (deselected) does not apply.
    """
    results = []
    ran = set(rules_run)
    for item in CHECKLIST:
        rules = item_rules(item, cards)
        mine = [f for f in findings if f.rule in rules]
        if not item.applies(repo) or not ran.intersection(rules):
            status = "n/a"
        elif mine:
            status = "fail"
        else:
            status = "pass"
        results.append(ItemResult(item, rules, status, mine))
    return results


_MARK = {"pass": "PASS", "fail": "FAIL", "n/a": "N/A "}
_ICON = {"pass": "✅", "fail": "❌", "n/a": "➖"}


def render(results: list[ItemResult], fmt: str) -> str:
    """The scorecard as text, markdown or json."""
    if fmt == "json":
        return json.dumps({"items": [{
            "key": r.item.key, "title": r.item.title, "status": r.status, "rules": list(r.rules),
            "findings": [f.to_dict() for f in r.findings],
        } for r in results], "passed": sum(r.status == "pass" for r in results),
            "failed": sum(r.status == "fail" for r in results)}, indent=2) + "\n"
    lines = []
    if fmt == "markdown":
        lines += ["## GitOps scorecard", "", "| | item | findings |", "| --- | --- | --- |"]
        for r in results:
            lines.append(f"| {_ICON[r.status]} | {r.item.title} | {_count(r)} |")
    else:
        for r in results:
            lines.append(f"{_MARK[r.status]}  {r.item.title}  [{', '.join(r.rules)}]")
            for f in r.findings[:5]:
                lines.append(f"      {f.path}:{f.line}: {f.rule} {f.message}")
            if len(r.findings) > 5:
                lines.append(f"      … and {len(r.findings) - 5} more")
    passed = sum(r.status == "pass" for r in results)
    applicable = sum(r.status != "n/a" for r in results)
    lines += ["", f"{passed}/{applicable} applicable checklist items pass"]
    return "\n".join(lines) + "\n"


def _count(r: ItemResult) -> str:
    if not r.findings:
        return "—"
    rules = sorted({f.rule for f in r.findings})
    return f"{len(r.findings)} ({', '.join(rules)})"
