"""Typed rule options: each card declares its options as a JSON Schema with defaults; the config's
`rules.<id>.options` (and those of its overrides) are validated against it when the rules are loaded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gitops_lint.core.config import Config, ConfigError, RuleSetting

# The shape a card's `options` must have: an object schema whose every property has a default.
OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "properties", "additionalProperties"],
    "properties": {
        "type": {"const": "object"},
        "additionalProperties": {"const": False},
        "properties": {
            "type": "object",
            "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "required": ["type", "default"],
                "properties": {"description": {"type": "string"}},
            },
        },
    },
}


class OptionsSchemaError(ValueError):
    """A card's option schema is not a valid JSON Schema, or a default does not match it."""


def check_option_schema(schema: dict, against_metaschema: bool = True) -> None:
    """Raise OptionsSchemaError when a (shape-checked) option schema is unusable or a default is invalid.

    The metaschema check costs a few milliseconds a card: the built-in pack skips it at run time
    (its test checks every card), organisation cards always get it."""
    import jsonschema  # imported here: loading the rule pack must stay fast

    if not schema["properties"]:
        return
    try:
        if against_metaschema:
            jsonschema.Draft202012Validator.check_schema(schema)
        for name, prop in schema["properties"].items():
            _check_default(name, prop)
    except jsonschema.SchemaError as exc:
        raise OptionsSchemaError(f"options: not a valid JSON Schema: {exc.message}") from exc


def _check_default(name: str, prop: dict) -> None:
    import jsonschema  # imported here: loading the rule pack must stay fast

    errors = list(jsonschema.Draft202012Validator(prop).iter_errors(prop["default"]))
    if errors:
        raise OptionsSchemaError(f"options.{name}: default {prop['default']!r} is invalid: {errors[0].message}")


def inherit_options(base: dict, own: dict) -> dict:
    """A card's option schema on top of another's (an organisation card reusing a built-in check)."""
    return {**base, "properties": {**base.get("properties", {}), **own.get("properties", {})}}


def defaults(schema: dict) -> dict[str, Any]:
    """Every option at its declared default."""
    return {name: prop["default"] for name, prop in schema.get("properties", {}).items()}


def expected_type(prop: dict) -> str:
    """A short description of what an option takes (`integer >= 1`, `array of string`)."""
    kind = prop.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    items = prop.get("items")
    if kind == "array" and isinstance(items, dict) and "type" in items:
        text += f" of {expected_type(items)}"
    if "enum" in prop:
        text += " (one of " + ", ".join(map(repr, prop["enum"])) + ")"
    if "minimum" in prop and "maximum" in prop:
        return text + f" from {prop['minimum']} to {prop['maximum']}"
    for word, sign in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">"), ("exclusiveMaximum", "<")):
        if word in prop:
            text += f" {sign} {prop[word]}"
    return text


def option_errors(rule: str, schema: dict, given: dict) -> list[str]:
    """Why `given` does not fit the card's option schema: one message per bad option, naming rule,
    option and expected type (empty when it fits)."""
    import jsonschema  # imported here: loading the rule pack must stay fast

    props = schema.get("properties", {})
    messages = []
    for name, value in given.items():
        if name not in props:
            known = ", ".join(sorted(props)) or "none"
            messages.append(f"rule {rule} has no option {name!r} (its options: {known})")
            continue
        errors = list(jsonschema.Draft202012Validator(props[name]).iter_errors(value))
        if errors:
            messages.append(f"rule {rule} option {name!r} expects {expected_type(props[name])}, "
                            f"got {value!r} ({errors[0].message})")
    return messages


def effective_options(schema: dict, given: dict) -> dict[str, Any]:
    """The options a check receives: the card's defaults, overridden by the (validated) config."""
    return {**defaults(schema), **given}


def validate_config_options(config: Config, cards: Iterable[Any]) -> None:
    """Raise ConfigError (exit 2) for the first rule option in the config that its card does not accept."""
    by_key: dict[str, Any] = {}
    for card in cards:
        by_key[card.id] = by_key[card.name] = card
    scopes: list[tuple[str, dict[str, RuleSetting]]] = [("rules", config.rules)]
    scopes += [(f"overrides.{i}.rules", o.rules) for i, o in enumerate(config.overrides)]
    for where, settings in scopes:
        for key, setting in settings.items():
            card = by_key.get(key)
            if card is None or not setting.options:
                continue
            errors = option_errors(f"{card.id} ({card.name})", card.options, setting.options)
            if errors:
                raise ConfigError(f"{config.source or 'config'}: {where}.{key}.options: {errors[0]}")
