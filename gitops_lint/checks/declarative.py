"""Declarative rules: a card's `schema:` (JSON Schema) evaluated on the documents it applies to.

This is how organisations write policies without Python: the card names kinds, environments and
paths in `applies_to`, a JSON Schema the object must satisfy, and a `message` template with
`{resource}`, `{kind}`, `{name}`, `{namespace}`, `{environment}`, `{path}` and `{error}`.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from functools import lru_cache

import jsonschema

from ..findings import Violation


@lru_cache(maxsize=256)
def _validator(schema_json: str):
    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)


def compiled(schema: dict):
    """A compiled validator for a card's schema (compiled once per distinct schema)."""
    return _validator(json.dumps(schema, sort_keys=True))


def _error_text(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def schema_check(ctx) -> Iterator[Violation]:
    """Validate each applicable document against the card's schema; one violation per failing document."""
    card = ctx.card
    validator = compiled(card.schema or {})
    environments = card.applies_to.get("environments")
    for doc, environment in _targets(ctx, environments):
        errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(e.absolute_path))
        if not errors:
            continue
        first = errors[0]
        template = card.message or "{resource}: {error}"
        values = {
            "resource": doc.ref, "kind": doc.kind, "name": doc.name, "namespace": doc.namespace,
            "environment": environment or "", "path": doc.path, "error": _error_text(first),
        }
        yield Violation(
            doc.path,
            template.format_map(_Default(values)),
            doc.position(tuple(first.absolute_path)),
            resource=doc.ref,
            environment=environment,
            key=f"{doc.ref}:{'.'.join(map(str, first.absolute_path))}",
        )


def _targets(ctx, environments):
    """(document, environment) pairs: source documents, filtered by environment when asked."""
    for doc in ctx.documents():
        env = ctx.repo.environment_of(doc.path)
        if environments and not _env_matches(ctx, env, environments):
            continue
        yield doc, env


def _env_matches(ctx, env: str | None, wanted: list[str]) -> bool:
    if env is None:
        return False
    for pattern in wanted:
        if pattern == "production" and ctx.is_production(env):
            return True
        if fnmatch.fnmatchcase(env, pattern):
            return True
    return False


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
