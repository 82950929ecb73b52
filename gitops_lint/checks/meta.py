"""Rules about suppressions themselves (GL001, GL002), evaluated by the engine once suppressions are known."""

from __future__ import annotations

from collections.abc import Iterator

from gitops_lint.core.findings import Violation


def evaluated_by_engine(ctx) -> Iterator[Violation]:
    """Nothing to do per check: `engine.run_checks` evaluates these after applying suppressions."""
    return iter(())
