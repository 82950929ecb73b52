"""CustomResourceDefinitions → strict JSON Schemas for the custom resources they define.

A CRD's `openAPIV3Schema` is a structural OpenAPI v3 schema with Kubernetes extensions. The
conversion keeps what the API server enforces and makes pruning visible: an object node that
does not say `x-kubernetes-preserve-unknown-fields: true` rejects fields it does not declare
(the API server would silently drop them, or refuse them under strict field validation).

- `null` is accepted everywhere (nullable fields keep it, the API server prunes it elsewhere);
- `x-kubernetes-int-or-string: true` allows an integer or a string;
- `x-kubernetes-embedded-resource: true` makes the node an object with `apiVersion`, `kind`
  (required) and an ObjectMeta `metadata`;
- `x-kubernetes-preserve-unknown-fields: true` allows undeclared fields at that node only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from gitops_lint.schemas.kubernetes import OBJECT_META_REF

_KEEP = (
    "enum", "format", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
    "multipleOf",
)  # fmt: skip
_COMBINATORS = ("allOf", "anyOf", "oneOf")


@dataclass(frozen=True)
class CrdSchema:
    """The schema of one served version of a custom resource, and where its CRD lives."""

    group: str
    version: str
    kind: str
    schema: dict
    origin: str  # repo path of the CRD

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


def crd_schemas(crd: Any, origin: str = "") -> Iterator[CrdSchema]:
    """Every served version of a CRD (apiextensions v1 or v1beta1) with a schema. Bad input yields nothing."""
    if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
        return
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return
    group = spec.get("group")
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return
    shared = _openapi(spec.get("validation"))  # v1beta1: one schema for every version
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        versions = [{"name": spec.get("version"), "served": True}]
    for entry in versions:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("name"), str)
            or entry.get("served") is False
        ):
            continue
        raw = _openapi(entry.get("schema")) or shared
        if raw is not None:
            yield CrdSchema(group, entry["name"], kind, convert_root(raw), origin)


def crd_index(crds: Iterable[tuple[str, Any]]) -> dict[tuple[str, str], CrdSchema]:
    """(apiVersion, kind) → schema for `(path, crd_data)` pairs; the first definition wins."""
    index: dict[tuple[str, str], CrdSchema] = {}
    for origin, crd in crds:
        for s in crd_schemas(crd, origin):
            index.setdefault((s.api_version, s.kind), s)
    return index


def _openapi(holder: Any) -> dict | None:
    if isinstance(holder, dict) and isinstance(holder.get("openAPIV3Schema"), dict):
        return holder["openAPIV3Schema"]
    return None


def convert_root(raw: dict) -> dict:
    """The JSON Schema of a whole custom resource: the CRD's schema plus the implicit type fields."""
    converted = convert(raw)
    schema = dict(converted) if isinstance(converted, dict) else {}
    props = dict(schema.get("properties") or {})
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    props["metadata"] = {"$ref": OBJECT_META_REF}
    schema["properties"] = props
    schema["type"] = "object"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def convert(node: Any) -> Any:
    """Convert one structural OpenAPI v3 node to JSON Schema 2020-12 (strict where not preserving)."""
    if not isinstance(node, dict):
        return True
    out: dict = {k: node[k] for k in _KEEP if k in node}
    if "pattern" in out and not _usable_pattern(out["pattern"]):
        del out["pattern"]  # a Go (RE2) construct Python cannot run: not checked rather than a false error
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    elif isinstance(node.get("type"), str):
        out["type"] = node["type"]
    if "type" in out:
        # null means "not set": the API server accepts it for nullable fields and prunes it elsewhere
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    for name in _COMBINATORS:
        if isinstance(node.get(name), list):
            # structural schemas only constrain values in combinators, never types of unknown fields
            out[name] = [_convert_value_constraint(sub) for sub in node[name]]
    if isinstance(node.get("not"), dict):
        out["not"] = _convert_value_constraint(node["not"])
    if isinstance(node.get("items"), dict):
        out["items"] = convert(node["items"])
    _object_rules(node, out)
    return out


def _usable_pattern(pattern: Any) -> bool:
    try:
        re.compile(pattern)
    except (re.error, TypeError):
        return False
    return True


def _object_rules(node: dict, out: dict) -> None:
    props = node.get("properties")
    embedded = bool(node.get("x-kubernetes-embedded-resource"))
    preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
    if isinstance(props, dict):
        out["properties"] = {str(k): convert(v) for k, v in props.items()}
    if isinstance(node.get("required"), list):
        out["required"] = [r for r in node["required"] if isinstance(r, str)]
    if embedded:
        out["type"] = "object"
        merged = dict(out.get("properties") or {})
        merged.setdefault("apiVersion", {"type": "string", "minLength": 1})
        merged.setdefault("kind", {"type": "string", "minLength": 1})
        merged["metadata"] = {"$ref": OBJECT_META_REF}
        out["properties"] = merged
        out["required"] = sorted({*out.get("required", []), "apiVersion", "kind"})
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = convert(extra)
    elif extra is False or (not preserve and _is_object(node, out)):
        out["additionalProperties"] = False


def _is_object(node: dict, out: dict) -> bool:
    if node.get("additionalProperties") is True:
        return False
    return node.get("type") == "object" or (node.get("type") is None and "properties" in out)


def _convert_value_constraint(sub: Any) -> Any:
    """A combinator branch: its constraints apply, but it never closes an object by itself."""
    converted = convert(sub)
    if (
        isinstance(converted, dict)
        and converted.get("additionalProperties") is False
        and "properties" not in converted
    ):
        converted = {k: v for k, v in converted.items() if k != "additionalProperties"}
    if isinstance(converted, dict) and "properties" in converted:
        converted.pop("additionalProperties", None)
    return converted
