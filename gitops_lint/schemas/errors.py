"""jsonschema errors → one-sentence problems located at a document path.

A problem names the field with a readable path (`spec.template.spec.containers[0].image`) and
says what was expected, never quoting the offending value (it may be a secret).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # errors come from jsonschema, which is imported only once a resource is invalid
    from jsonschema import ValidationError

_TYPE_WORDS = {
    "string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
    "object": "a mapping", "array": "a list", "null": "null",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Problem:
    """One schema violation: where (`path` into the document; `at_key` for the key's position) and what."""

    path: tuple
    message: str
    at_key: bool = False
    missing: bool = False  # a required field is absent (kustomize may still add it, e.g. a selector)
    case_only: bool = False  # an unknown key that differs from a known one only in letter case

    @property
    def field(self) -> str:
        return render_path(self.path)


def _at(path: tuple, text: str) -> str:
    """`spec.replicas: text`, or just the text for the document itself."""
    return f"{render_path(path)}: {text}" if path else text


def render_path(path: Iterable) -> str:
    """`("spec", "containers", 0, "image")` → `spec.containers[0].image`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


def type_name(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    for name, py in (
        ("null", type(None)),
        ("integer", int),
        ("number", float),
        ("string", str),
        ("object", dict),
        ("array", list),
    ):
        if isinstance(value, py):
            return name
    return type(value).__name__


def problems(errors: Iterable[ValidationError]) -> list[Problem]:
    """Distinct problems for a document's errors, in document order of their paths."""
    seen: dict[tuple, Problem] = {}
    for error in errors:
        for problem in _explain(error):
            seen.setdefault((problem.path, problem.message), problem)
    return sorted(seen.values(), key=lambda p: [str(x) for x in p.path])


def _explain(error: ValidationError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    if _is_placeholder(error.instance) and kind not in ("additionalProperties", "required"):
        return  # a Flux post-build `${VAR}` substitution: its value is only known in the cluster
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        for extra in _unexpected(error.instance, error.schema):
            known = error.schema.get("properties") or {}
            hint = _did_you_mean(extra, known)
            case_only = str(extra).lower() in {str(k).lower() for k in known}
            yield Problem(
                (*path, extra), _at((*path, extra), f"unknown field{hint}"), at_key=True, case_only=case_only
            )
        return
    if kind == "required" and isinstance(error.instance, dict):
        for name in value:
            if name not in error.instance:
                yield Problem(
                    path, _at(path, f"missing required field {name!r}"), at_key=bool(path), missing=True
                )
        return
    if kind == "type":
        yield Problem(path, _at(path, f"expected {_expected(value)}, got {_got(error.instance)}"))
        return
    if kind in ("oneOf", "anyOf"):
        yield from _alternatives(error, path)
        return
    yield Problem(path, _at(path, _constraint(kind, value)))


def _alternatives(error: ValidationError, path: tuple) -> Iterator[Problem]:
    if error.validator == "oneOf" and not error.context and error.instance is None:
        return  # null ("not set") matches every nullable branch of int-or-string and quantity fields
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    types = [b.get("type") for b in branches if isinstance(b, dict)]
    if (
        types
        and len(types) == len(branches)
        and all(t is not None for t in types)
        and all(len(b) == 1 for b in branches)
    ):
        flat = [t for group in types for t in (group if isinstance(group, list) else [group])]
        yield Problem(path, _at(path, f"expected {_expected(flat)}, got {_got(error.instance)}"))
        return
    if error.validator == "oneOf" and not error.context:
        yield Problem(path, _at(path, "matches more than one of the allowed forms"))
        return
    from jsonschema.exceptions import best_match

    inner = best_match(error.context) if error.context else None
    if inner is None:
        yield Problem(path, _at(path, "does not match any of the allowed forms"))
        return
    yield from _explain(inner)


def _expected(types) -> str:
    names = [types] if isinstance(types, str) else [t for t in types if t != "null"] or list(types)
    words = list(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in names))
    return " or ".join(words)


def _got(instance) -> str:
    return _TYPE_WORDS.get(type_name(instance), "a value")


def _constraint(kind: str, value) -> str:
    simple = {
        "enum": lambda: "must be one of " + ", ".join(str(v) for v in value if v is not None),
        "const": lambda: f"must be {value}",
        "pattern": lambda: f"does not match the pattern {value}",
        "minLength": lambda: f"must be at least {value} character(s) long",
        "maxLength": lambda: f"must be at most {value} character(s) long",
        "minimum": lambda: f"must be at least {value}",
        "maximum": lambda: f"must be at most {value}",
        "exclusiveMinimum": lambda: f"must be greater than {value}",
        "exclusiveMaximum": lambda: f"must be less than {value}",
        "minItems": lambda: f"must have at least {value} item(s)",
        "maxItems": lambda: f"must have at most {value} item(s)",
        "uniqueItems": lambda: "must not repeat items",
        "minProperties": lambda: f"must have at least {value} field(s)",
        "maxProperties": lambda: f"must have at most {value} field(s)",
        "multipleOf": lambda: f"must be a multiple of {value}",
        "not": lambda: "is not allowed here",
        "format": lambda: f"is not a valid {value}",
    }
    explain = simple.get(kind)
    return explain() if explain else f"fails the schema's {kind!r} rule"


def _unexpected(instance: dict, schema: dict) -> list[str]:
    props = schema.get("properties") or {}
    patterns = [re.compile(p) for p in (schema.get("patternProperties") or {})]
    return [k for k in instance if k not in props and not any(p.search(str(k)) for p in patterns)]


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.75)
    if not close:
        lower = {str(k).lower(): str(k) for k in known}
        close = [lower[str(name).lower()]] if str(name).lower() in lower else []
    return f"; did you mean {close[0]}?" if close else ""


def _is_placeholder(value) -> bool:
    return isinstance(value, str) and bool(_PLACEHOLDER.search(value))
