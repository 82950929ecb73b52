"""Offline schema lookup and validation for Kubernetes objects, custom resources and kustomizations.

Lookup order for an object's `apiVersion`/`kind`: the user's `schema_dirs`, then CRDs found in the
repository, then Kubernetes' own (strict) schemas for the target version, then the schemas bundled
with gitops-lint. Identical objects (by content hash) are validated once per store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops_lint.schemas.crds import CrdSchema, crd_index
from gitops_lint.schemas.errors import Problem, problems, render_path
from gitops_lint.schemas.files import SchemaDirectory, SchemaFileError, bundled_directory, schema_directories
from gitops_lint.schemas.kubernetes import DEFINITIONS_URI, KubernetesSchemas, format_version, resolve_version
from gitops_lint.schemas.validators import BACKENDS, ValidatorCache, default_backend

__all__ = [
    "Problem", "Result", "SchemaStore", "content_hash", "render_path", "validate_objects",
    "KUSTOMIZE_API_VERSION", "COMPONENT_API_VERSION",
]  # fmt: skip

KUSTOMIZE_API_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_API_VERSION = "kustomize.config.k8s.io/v1alpha1"

VALID, INVALID, NO_SCHEMA = "valid", "invalid", "no-schema"


@dataclass(frozen=True)
class Result:
    """The outcome of validating one object: `valid`, `invalid` (with problems) or `no-schema`."""

    status: str
    source: str = ""  # where the schema came from: "kubernetes 1.37", "crd path/to/crd.yaml", …
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != INVALID


@dataclass
class Stats:
    validated: int = 0  # objects actually run through a validator
    reused: int = 0  # identical objects answered from the cache


@dataclass
class SchemaStore:
    """Schemas of one lint run, their compiled validators and the verdict cache."""

    kubernetes_version: str | None = None
    schema_dirs: Sequence[str | Path] = ()
    crds: Iterable[tuple[str, Any]] = ()  # (repo path, CRD data)
    backend: str | None = None
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self) -> None:
        self.version = resolve_version(self.kubernetes_version)
        self.kubernetes = KubernetesSchemas(self.version)
        self.user_dirs: list[SchemaDirectory] = schema_directories(self.schema_dirs)
        self.bundled = bundled_directory()
        self.crd_schemas: dict[tuple[str, str], CrdSchema] = crd_index(self.crds)
        self.backend = self.backend or default_backend()
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown schema backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        self._validators: ValidatorCache | None = None
        self._results: dict[str, Result] = {}

    @property
    def kubernetes_label(self) -> str:
        return f"kubernetes {format_version(self.version)}" if self.version else "kubernetes"

    @property
    def validators(self) -> ValidatorCache:
        if self._validators is None:
            self._validators = ValidatorCache({DEFINITIONS_URI: self.kubernetes.definitions}, self.backend)
        return self._validators

    def lookup(self, api_version: object, kind: object) -> tuple[dict, str] | None:
        """The schema for an apiVersion/kind and a label of where it came from, or None.

        Raises SchemaFileError for a user schema file that is not a JSON object."""
        if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
            return None
        for directory in self.user_dirs:
            schema = directory.lookup(api_version, kind)  # SchemaFileError for a broken file
            if schema is not None:
                return schema, directory.label
        crd = self.crd_schemas.get((api_version, kind))
        if crd is not None:
            return crd.schema, f"CRD in {crd.origin}" if crd.origin else "CRD"
        schema = self.kubernetes.lookup(api_version, kind)
        if schema is not None:
            return schema, self.kubernetes_label
        schema = self.bundled.lookup(api_version, kind)
        return (schema, "bundled") if schema is not None else None

    def has_schema(self, api_version: str, kind: str) -> bool:
        """Whether a schema is known (a broken schema file counts: GL304 reports it)."""
        try:
            return self.lookup(api_version, kind) is not None
        except SchemaFileError:
            return True

    def validate(self, obj: Any) -> Result:
        """Validate one Kubernetes object (a dict with apiVersion and kind)."""
        if not isinstance(obj, dict):
            return Result(NO_SCHEMA)
        try:
            found = self.lookup(obj.get("apiVersion"), obj.get("kind"))
        except SchemaFileError as exc:
            return Result(INVALID, "schema_dirs", (Problem((), f"its schema cannot be used: {exc}"),))
        if found is None:
            return Result(NO_SCHEMA)
        return self._run(obj, *found)

    def validate_kustomization(self, data: Any) -> Result:
        """Validate a kustomization file (`Kustomization` or `Component`) against kustomize's fields."""
        is_component = isinstance(data, dict) and data.get("kind") == "Component"
        api_version, kind = (
            (COMPONENT_API_VERSION, "Component") if is_component else (KUSTOMIZE_API_VERSION, "Kustomization")
        )
        schema = self.bundled.lookup(api_version, kind)
        if schema is None:  # pragma: no cover - shipped with the package
            return Result(NO_SCHEMA)
        result = self._run(data, schema, "bundled kustomize")
        # kustomize decodes with Go's encoding/json, which matches field names case-insensitively
        kept = tuple(p for p in result.problems if not p.case_only)
        if len(kept) == len(result.problems):
            return result
        return Result(INVALID, result.source, kept) if kept else Result(VALID, result.source)

    def _run(self, obj: Any, schema: dict, source: str) -> Result:
        key = content_hash(obj, source)
        hit = self._results.get(key)
        if hit is not None:
            self.stats.reused += 1
            return hit
        self.stats.validated += 1
        try:
            compiled = self.validators.compile(schema)
            valid = compiled.is_valid(obj)
            found = () if valid else tuple(problems(compiled.errors(obj)))
        except Exception as exc:  # a broken schema (a user's file or a CRD) is a finding, not a crash
            reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else exc.__class__.__name__
            found, valid = (Problem((), f"its schema ({source}) cannot be used: {reason}"),), False
        # every reported error may have been a `${VAR}` placeholder: then nothing is known to be wrong
        result = Result(INVALID, source, found) if not valid and found else Result(VALID, source)
        self._results[key] = result
        return result


def content_hash(obj: Any, salt: str = "") -> str:
    """A digest of an object's content, independent of key order."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(f"{salt}\x00{text}".encode(), digest_size=16).hexdigest()


def validate_objects(
    objects: Iterable[Any],
    store: SchemaStore | None = None,
    *,
    kubernetes_version: str | None = None,
    schema_dirs: Sequence[str | Path] = (),
    crds: Iterable[tuple[str, Any]] = (),
) -> list[Result]:
    """Validate rendered objects (e.g. one environment's build output), identical ones once.

    CRDs among `objects` are used for the custom resources beside them when no store is given.
    """
    objects = list(objects)
    if store is None:
        own = [
            ("rendered", o)
            for o in objects
            if isinstance(o, dict) and o.get("kind") == "CustomResourceDefinition"
        ]
        store = SchemaStore(kubernetes_version, schema_dirs, [*crds, *own])
    return [store.validate(o) for o in objects]
