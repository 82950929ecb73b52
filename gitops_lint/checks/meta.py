"""Rules about suppressions themselves (GL001, GL002): cards of stage `suppressions`, which the engine
runs once every other rule's findings have met the suppressions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Violation

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext


def unused_suppression(ctx: CheckContext) -> Iterator[Violation]:
    """Suppressions naming a rule that ran, yet silenced nothing of it (unless the config turns this off)."""
    if not ctx.repo.config.report_unused_suppressions:
        return
    for s in ctx.suppressions:
        for rule in s.rules:
            if rule not in s.used and rule in ctx.rules_run:
                yield Violation(s.path, f"suppression of {rule} silences nothing here; remove it",
                                s.position, resource=s.resource, key=f"{s.scope}:{rule}")


def suppression_without_reason(ctx: CheckContext) -> Iterator[Violation]:
    """Suppressions without `-- reason`, when the config sets `require_reason`."""
    if not ctx.repo.config.require_reason:
        return
    for s in ctx.suppressions:
        if not s.reason:
            yield Violation(s.path, f"suppression of {', '.join(s.rules)} gives no reason; add `-- why`",
                            s.position, resource=s.resource, key=f"{s.scope}:{','.join(s.rules)}")
