"""Compiled validators, one per schema, and the two interchangeable validation backends.

`jsonschema` (pure Python, always available) gives detailed errors. `jsonschema-rs` (Rust, used
when installed) only decides the verdict, which it does hundreds of times faster; the errors of
the (rare) invalid resource always come from `jsonschema`, so both backends report identically.
Every schema is compiled once and resolves `$ref`s into the Kubernetes definitions offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pure-Python validator and its registry are imported when first needed (detailed
    # errors, or no jsonschema-rs): a run whose resources are all valid never pays their 40 ms import
    import jsonschema
    from referencing import Registry

try:  # optional accelerator
    import jsonschema_rs
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema_rs = None  # type: ignore[assignment]

BACKENDS = ("jsonschema", "jsonschema-rs")


def default_backend() -> str:
    return "jsonschema-rs" if jsonschema_rs is not None else "jsonschema"


class CompiledSchema:
    """One schema, compiled for fast verdicts and (lazily) for detailed errors."""

    def __init__(self, schema: dict, cache: ValidatorCache):
        self.schema = schema
        self._cache = cache
        self._python: jsonschema.protocols.Validator | None = None
        self._fast = None
        if cache.backend == "jsonschema-rs":
            self._fast = jsonschema_rs.Draft202012Validator(
                schema, registry=cache.rs_registry(), validate_formats=False
            )

    @property
    def python(self) -> jsonschema.protocols.Validator:
        if self._python is None:
            import jsonschema

            self._python = jsonschema.Draft202012Validator(self.schema, registry=self._cache.py_registry())
        return self._python

    def is_valid(self, instance) -> bool:
        if self._fast is not None:
            try:
                return self._fast.is_valid(instance)
            except (ValueError, TypeError, OverflowError):  # data the Rust side cannot take (huge ints…)
                pass
        return self.python.is_valid(instance)

    def errors(self, instance) -> Iterator[jsonschema.ValidationError]:
        return self.python.iter_errors(instance)


class ValidatorCache:
    """Compiled validators keyed by schema identity, sharing one registry of referenced resources."""

    def __init__(self, resources: dict[str, dict], backend: str | None = None):
        backend = backend or default_backend()
        if backend not in BACKENDS:
            raise ValueError(f"unknown schema backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        if backend == "jsonschema-rs" and jsonschema_rs is None:
            raise ValueError("the jsonschema-rs backend is not installed (pip install jsonschema-rs)")
        self.backend = backend
        self._resources = resources  # uri -> schema document, e.g. the Kubernetes definitions
        self._compiled: dict[int, tuple[dict, CompiledSchema]] = {}
        self._py_registry: Registry | None = None
        self._rs_registry = None

    def py_registry(self) -> Registry:
        if self._py_registry is None:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            pairs = [
                (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
                for uri, doc in self._resources.items()
            ]
            self._py_registry = Registry().with_resources(pairs).crawl()
        return self._py_registry

    def rs_registry(self):
        if self._rs_registry is None:
            self._rs_registry = jsonschema_rs.Registry(list(self._resources.items()))
        return self._rs_registry

    def compile(self, schema: dict) -> CompiledSchema:
        """The compiled validator of `schema` (compiled on first use, then reused)."""
        hit = self._compiled.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        compiled = CompiledSchema(schema, self)
        self._compiled[id(schema)] = (schema, compiled)
        return compiled
