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
from typing import TYPE_CHECKING

import jsonschema

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

from gitops_lint.core.findings import Violation
from gitops_lint.deploy.file_roles import judged
from gitops_lint.model.workloads import Workload, source_locator


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


def schema_check(ctx: CheckContext) -> Iterator[Violation]:
    """Validate each applicable object against the card's schema; one violation per failing object."""
    card = ctx.card
    validator = compiled(card.schema or {})
    for target in _targets(ctx, card.applies_to.get("environments")):
        errors = sorted(validator.iter_errors(target.data), key=lambda e: list(e.absolute_path))
        if not errors:
            continue
        first = errors[0]
        values = {
            "resource": target.ref, "kind": target.kind, "name": target.name,
            "namespace": target.get("metadata", "namespace", default="") or "",
            "environment": target.environment or "", "error": _error_text(first),
        }
        file, position = target.locate(tuple(first.absolute_path))
        values["path"] = file
        yield Violation(
            file,
            (card.message or "{resource}: {error}").format_map(_Default(values)),
            position,
            resource=target.ref,
            environment=target.environment,
            key=f"{target.ref}:{'.'.join(map(str, first.absolute_path))}",
        )


def _targets(ctx: CheckContext, environments) -> Iterator[Workload]:
    """Objects the card applies to: source documents, or each environment's rendered objects."""
    if ctx.card.rendered:
        kinds = set(ctx.card.kinds())
        for render in ctx.repo.rendered.deployed_roots(lambda path: judged(ctx.repo, path)):
            if not render.ok or (environments and not _env_matches(ctx, render.environment, environments)):
                continue
            for obj in render.objects:
                if not kinds or _kind_matches(obj.data, kinds):
                    yield Workload(obj.data, render.environment, ctx.repo.rendered.locator(obj))
        return
    for doc in ctx.documents():
        if not judged(ctx.repo, doc.path):
            continue  # a patch, fixture, template… (the repository's one decision, `deploy/file_roles.py`)
        env = ctx.repo.environment_of(doc.path)
        if environments and not _env_matches(ctx, env, environments):
            continue
        yield Workload(doc.data, env, source_locator(doc))


def _kind_matches(data: dict, kinds: set[str]) -> bool:
    kind = data.get("kind")
    api_version = data.get("apiVersion")
    group = api_version.rpartition("/")[0] if isinstance(api_version, str) and "/" in api_version else ""
    return kind in kinds or f"{group}/{kind}" in kinds


def _env_matches(ctx: CheckContext, env: str | None, wanted: list[str]) -> bool:
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
