"""Rule cards: one YAML file per rule, the single source of truth for a rule's identity and docs."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gitops_lint.core.findings import Severity
from gitops_lint.core.loader import LOADER_KINDS, load_yaml
from gitops_lint.lint.options import (
    OPTIONS_SCHEMA,
    OptionsSchemaError,
    check_option_schema,
    effective_options,
    inherit_options,
)

SCOPES = ("file", "root", "repository")

_EXAMPLE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "bad": {"type": ["string", "object"]},
        "good": {"type": ["string", "object"]},
        "bad_line": {"type": "integer"},
        "config": {"type": "object"},
        "before": {"type": ["string", "object"]},  # change rules: base tree; bad/good are heads
    },
}

CARD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "severity", "summary", "rationale", "fix", "examples"],
    "oneOf": [{"required": ["check"]}, {"required": ["schema"]}],
    "if": {"required": ["fixable"], "properties": {"fixable": {"const": True}}},
    "then": {"required": ["fix_safety"]},  # a rule with an automatic fix says whether the fix is safe
    "properties": {
        "id": {"type": "string", "pattern": r"^[A-Z]{2,}[0-9]{3,}$"},
        "name": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
        "severity": {"enum": ["error", "warning", "info"]},
        "production_severity": {"enum": ["error", "warning", "info"]},
        "summary": {"type": "string"},
        "rationale": {"type": "string"},
        "fix": {"type": "string"},
        "fixable": {"type": "boolean"},
        "check": {"type": "string", "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"},
        "schema": {"type": "object"},
        "message": {"type": "string"},
        "rendered": {"type": "boolean"},
        "applies_to": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "kinds": {"type": "array", "items": {"type": "string"}},
                "environments": {"type": "array", "items": {"type": "string"}},
                "paths": {"type": "array", "items": {"type": "string"}},
            },
        },
        "options": OPTIONS_SCHEMA,
        "tags": {"type": "array", "items": {"type": "string"}},
        "reports": {"type": "array", "items": {"type": "string"}},  # loader violation kinds (LOADER_KINDS)
        "stage": {"enum": ["repository", "suppressions"]},  # suppressions: runs once suppressions are applied
        # what a finding depends on (`check --shard`): one file's content, one kustomization root's render
        # and the files it reads, or the whole repository (the default: run once, in shard 1)
        "scope": {"enum": list(SCOPES)},
        "fix_safety": {
            "type": "object",
            "additionalProperties": False,
            "required": ["safe", "reason"],
            "properties": {"safe": {"type": "boolean"}, "reason": {"type": "string"}},
        },
        "examples": {
            "oneOf": [
                {**_EXAMPLE, "required": ["bad", "good"]},  # today's single pair
                {"type": "array", "minItems": 2, "items": {  # named examples, each either bad or good
                    **_EXAMPLE, "required": ["name"], "oneOf": [{"required": ["bad"]}, {"required": ["good"]}],
                    "properties": {**_EXAMPLE["properties"], "name": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$"}},
                }},
            ],
        },
    },
}

BUILTIN_CHECK_PREFIX = "gitops_lint."
OPTIONS_NONE: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


class CardError(ValueError):
    """A rule card is malformed (exit code 2: the rule pack itself is broken)."""


@dataclass(frozen=True)
class Example:
    """One card example: files that raise the rule (`bad`) or that do not (good)."""

    name: str
    bad: bool
    files: str | dict
    bad_line: int | None = None
    config: dict | None = None
    before: str | dict | None = None  # change rules: the base tree the example is diffed against
    named: bool = True  # False for the two examples of a card's single {bad, good} pair


def _examples(raw: dict | list) -> tuple[Example, ...]:
    """Named examples as written, or today's single {bad, good} pair as two examples `bad` and `good`."""
    if isinstance(raw, dict):
        shared = {"config": raw.get("config"), "before": raw.get("before")}
        return (Example("bad", True, raw["bad"], raw.get("bad_line"), named=False, **shared),
                Example("good", False, raw["good"], named=False, **shared))
    return tuple(Example(e["name"], "bad" in e, e["bad"] if "bad" in e else e["good"], e.get("bad_line"),
                         e.get("config"), e.get("before")) for e in raw)


@dataclass(frozen=True)
class Card:
    """A rule: identity, docs, examples and how it is checked."""

    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    examples: tuple[Example, ...]
    path: str
    production_severity: Severity | None = None
    check: str | None = None
    schema: dict | None = None
    message: str | None = None
    rendered: bool = False
    applies_to: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)  # JSON Schema of the options, each with a default
    fixable: bool = False
    fix_safety: dict | None = None  # {safe, reason}: the card's rule has an automatic fix (`check --fix`)
    builtin: bool = True
    diff_only: bool = False  # tagged `diff`: evaluated on `gitops-lint diff` (before/after), not by `check`
    tags: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()  # loader violation kinds this rule reports
    stage: str = "repository"  # "suppressions": run once suppressions are known, over them
    scope: str = "repository"  # "file" | "root" | "repository": the share of the work a shard runs (lint.shard)

    def options_for(self, given: dict) -> dict[str, Any]:
        """The effective options: defaults from the card, overridden by config (validated at load)."""
        return effective_options(self.options, given)

    def resolve_check(self) -> Callable:
        """Import the check function this card names (built-in checks only)."""
        if self.check is None:
            from gitops_lint.checks.declarative import schema_check

            return schema_check
        module_name, _, func_name = self.check.partition(":")
        if not module_name.startswith(BUILTIN_CHECK_PREFIX):
            raise CardError(f"{self.path}: check {self.check!r} is outside gitops_lint; organisation cards use schema:")
        module = importlib.import_module(module_name)
        try:
            return getattr(module, func_name)
        except AttributeError as exc:
            raise CardError(f"{self.path}: check {self.check!r} does not exist") from exc

    def kinds(self) -> list[str]:
        return list(self.applies_to.get("kinds", []))


def builtin_rules_dir() -> Path:
    """The rule pack: inside the installed wheel, else the source checkout's top-level `rules/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "rule_pack"
    return packaged if packaged.is_dir() else here.parent / "rules"


def load_card(path: Path, builtin: bool = True, *, validate: bool = True) -> Card:
    """The card in `path`; `validate=False` skips the schema checks (for exactly the bytes of a pack
    validated before: see `lint.cached_run.load_pack`)."""
    parsed = load_yaml(str(path), path.read_bytes())
    if parsed.violations:
        v = parsed.violations[0]
        raise CardError(f"{path}:{v.position.line}:{v.position.column}: {v.message}")
    if len(parsed.documents) != 1:
        raise CardError(f"{path}: a card is exactly one YAML document")
    data = parsed.documents[0].data
    if validate:
        _validate(path, data, builtin)
    unknown = set(data.get("reports", ())) - set(LOADER_KINDS)
    if unknown:
        raise CardError(f"{path}: reports: unknown kinds {sorted(unknown)} (known: {', '.join(LOADER_KINDS)})")
    if not builtin and "check" in data and not data["check"].startswith(BUILTIN_CHECK_PREFIX + "checks."):
        raise CardError(f"{path}: organisation cards may use schema: or a built-in check, not {data['check']!r}")
    return Card(
        id=data["id"],
        name=data["name"],
        severity=Severity.parse(data["severity"]),
        production_severity=Severity.parse(data["production_severity"]) if "production_severity" in data else None,
        summary=data["summary"].strip(),
        rationale=" ".join(data["rationale"].split()),
        fix=data["fix"].strip(),
        examples=_examples(data["examples"]),
        path=str(path),
        check=data.get("check"),
        schema=data.get("schema"),
        message=data.get("message"),
        rendered=bool(data.get("rendered", False)),
        applies_to=data.get("applies_to", {}),
        options=data.get("options", OPTIONS_NONE),
        fixable=bool(data.get("fixable", False)),
        fix_safety=data.get("fix_safety"),
        builtin=builtin,
        diff_only="diff" in (data.get("tags") or []),
        tags=tuple(data.get("tags") or ()),
        reports=tuple(data.get("reports", ())),
        stage=data.get("stage", "repository"),
        scope=data.get("scope", "repository"),
    )


def _validate(path: Path, data: Any, builtin: bool) -> None:
    import jsonschema  # here, not at module level: `gitops-lint build` and `--version` never need it

    errors = sorted(jsonschema.Draft202012Validator(CARD_SCHEMA).iter_errors(data), key=lambda e: e.path)
    if errors:
        where = ".".join(map(str, errors[0].absolute_path)) or "(top level)"
        raise CardError(f"{path}: {where}: {errors[0].message}")
    try:
        check_option_schema(data.get("options", OPTIONS_NONE), against_metaschema=not builtin)
    except OptionsSchemaError as exc:
        raise CardError(f"{path}: {exc}") from exc


def card_files(extra_dirs: Iterable[Path] = ()) -> list[tuple[Path, bool]]:
    """Every card file of the built-in pack and the organisation directories, with whether it is built in."""
    out = []
    for directory, builtin in [(builtin_rules_dir(), True)] + [(Path(d), False) for d in extra_dirs]:
        if not directory.is_dir():
            raise CardError(f"{directory}: rule directory not found")
        out += [(path, builtin) for path in sorted(directory.rglob("*.y*ml"))]
    return out


def load_cards(extra_dirs: Iterable[Path] = (), *, validate: bool = True) -> list[Card]:
    """The built-in rule pack plus organisation card directories, sorted by id; ids must be unique.

    An organisation card naming a built-in check takes that check's options from the built-in card
    using it (its own `options` may redeclare some: other defaults or tighter bounds)."""
    cards: dict[str, Card] = {}
    by_check: dict[str, Card] = {}
    for path, builtin in card_files(extra_dirs):
        card = load_card(path, builtin=builtin, validate=validate)
        if builtin and card.check:
            by_check.setdefault(card.check, card)
        elif card.check in by_check:
            card = replace(card, options=inherit_options(by_check[card.check].options, card.options))
        if card.id in cards:
            raise CardError(f"{path}: duplicate rule id {card.id} (also {cards[card.id].path})")
        cards[card.id] = card
    names = [c.name for c in cards.values()]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise CardError(f"duplicate rule names: {', '.join(sorted(duplicates))}")
    return sorted(cards.values(), key=lambda c: c.id)


def builtin_card(rule_id: str) -> Card:
    """One card of the built-in rule pack, by id (its option defaults serve library callers and tests)."""
    for card in load_cards():
        if card.id == rule_id:
            return card
    raise CardError(f"no built-in rule {rule_id}")
