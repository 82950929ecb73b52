"""Checks: plain functions `check(ctx) -> Iterable[Violation]`, bound to rules by the cards in `rules/`."""
