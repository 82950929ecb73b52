"""Documentation generated from the rule cards: `rules`, `explain` and the README's rule table."""

from __future__ import annotations

import json
import textwrap

from .cards import Card


def _severity(card: Card) -> str:
    prod = f", prod: {card.production_severity}" if card.production_severity else ""
    return f"{card.severity}{prod}"


def rules_table(cards: list[Card], fmt: str = "text") -> str:
    """Every card as a text table, a Markdown table or JSON."""
    if fmt == "json":
        rows = [{"id": c.id, "name": c.name, "severity": str(c.severity),
                 "production_severity": str(c.production_severity) if c.production_severity else None,
                 "summary": c.summary} for c in cards]
        return json.dumps(rows, indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| id | name | severity | what it catches |", "| --- | --- | --- | --- |"]
        lines += [f"| {c.id} | {c.name} | {_severity(c)} | {_cell(c.summary)} |" for c in cards]
        return "\n".join(lines) + "\n"
    width = max((len(c.name) for c in cards), default=10)
    sev_width = max((len(_severity(c)) for c in cards), default=7)
    return "".join(f"{c.id}  {c.name:<{width}}  {_severity(c):<{sev_width}}  {c.summary}\n" for c in cards)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _example(value) -> str:
    if isinstance(value, dict):
        return "\n".join(f"# {path}\n{content.rstrip()}" for path, content in value.items())
    return str(value).rstrip()


def explain_card(card: Card) -> str:
    """The long form of one rule, in ruff-like fixed sections."""
    indent = "    "
    parts = [
        f"{card.id} {card.name} ({_severity(card)})",
        "",
        card.summary,
        "",
        "Why it matters:",
        textwrap.fill(card.rationale, 100, initial_indent=indent, subsequent_indent=indent),
        "",
        "How to fix:",
        textwrap.fill(card.fix, 100, initial_indent=indent, subsequent_indent=indent),
        "",
        "Example (raises it):",
        textwrap.indent(_example(card.examples["bad"]), indent),
        "",
        "Use instead:",
        textwrap.indent(_example(card.examples["good"]), indent),
    ]
    if card.fixable:
        parts += ["", "Fixable with --fix."]
    return "\n".join(parts)
