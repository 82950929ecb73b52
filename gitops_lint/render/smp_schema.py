"""The merge schema of strategic merge patches: which lists merge by key, from the OpenAPI definitions
bundled with kubernetes-validate, restricted to what kustomize v5.5 knows.

Kinds unknown there (CRDs) get no merge keys: their lists are replaced wholesale, their maps merged.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint.render.errors import RenderError

_SCHEMA_VERSION = "v1.37.0-local"

# kustomize v5.5 embeds the Kubernetes 1.21 OpenAPI document; these merge lists are newer than that and
# are therefore replaced, not merged, by kustomize. (definition name suffix, field)
_NEWER_THAN_KUSTOMIZE = frozenset(
    {
        ("core.v1.PodSpec", "schedulingGates"),
        ("core.v1.PodSpec", "resourceClaims"),
        ("core.v1.PodSpec", "evictionResponders"),
        ("admissionregistration.v1.MutatingWebhook", "matchConditions"),
        ("admissionregistration.v1.ValidatingWebhook", "matchConditions"),
    }
)
_NEWER_KINDS = frozenset({"ValidatingAdmissionPolicy", "MutatingAdmissionPolicy"})
_NEWER_GROUPS = frozenset({"resource.k8s.io"})
# Versions served by Kubernetes 1.21 (so known to kustomize) but gone from the bundled schemas, with
# merge lists: they are looked up under their successor.
_REMOVED_VERSIONS = {
    ("batch/v1beta1", "CronJob"): ("batch/v1", "CronJob"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"): (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"): (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    ("storage.k8s.io/v1beta1", "CSINode"): ("storage.k8s.io/v1", "CSINode"),
}


class Prop(NamedTuple):
    """What the schema says about one field: patch strategy, merge keys, and the definition it refers to
    (for arrays: the definition of the items)."""

    strategy: str
    keys: tuple[str, ...]
    target: str | None


class _Schemas(NamedTuple):
    by_gvk: dict[tuple[str, str], str]  # (apiVersion, kind) -> definition name
    fields: dict[str, dict[str, Prop]]  # definition -> field ("*" = additionalProperties) -> Prop
    plain: frozenset[str]  # definitions below which nothing merges by key and no schema is opaque


def _ref_name(node: dict) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _compile_prop(owner: str, name: str, node: dict) -> Prop:
    target = _ref_name(node)
    items = node.get("items")
    if target is None and isinstance(items, dict):
        target = _ref_name(items)
    strategy = str(node.get("x-kubernetes-patch-strategy") or "")
    keys: tuple[str, ...] = ()
    if strategy:
        map_keys = node.get("x-kubernetes-list-map-keys")
        merge_key = node.get("x-kubernetes-patch-merge-key")
        keys = tuple(map_keys) if map_keys else ((merge_key,) if merge_key else ())
    if any(owner.endswith(suffix) and name == field for suffix, field in _NEWER_THAN_KUSTOMIZE):
        strategy, keys = "", ()
    return Prop(strategy, keys, target)


@functools.cache
def _schemas() -> _Schemas:
    """Compact lookup built once from kubernetes-validate's bundled `_definitions.json` (the package
    is located, not imported: importing it costs a quarter of a second)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RenderError("the kubernetes-validate package is required for strategic merge patches")
    path = Path(spec.origin).parent / "kubernetes-json-schema" / _SCHEMA_VERSION
    definitions = json.loads((path / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
    by_gvk: dict[tuple[str, str], str] = {}
    fields: dict[str, dict[str, Prop]] = {}
    for name, definition in definitions.items():
        props = {k: _compile_prop(name, k, v) for k, v in (definition.get("properties") or {}).items()}
        extra = definition.get("additionalProperties")
        if isinstance(extra, dict):
            props["*"] = _compile_prop(name, "*", extra)
        fields[name] = props
        for gvk in definition.get("x-kubernetes-group-version-kind") or ():
            group, version, kind = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
            if kind in _NEWER_KINDS or group in _NEWER_GROUPS:
                continue
            by_gvk[(f"{group}/{version}" if group else version, kind)] = name
    for old_gvk, new_gvk in _REMOVED_VERSIONS.items():
        if new_gvk in by_gvk:
            by_gvk.setdefault(old_gvk, by_gvk[new_gvk])
    return _Schemas(by_gvk, fields, _plain_definitions(definitions, fields))


def _plain_definitions(definitions: dict, fields: dict[str, dict[str, Prop]]) -> frozenset[str]:
    """Definitions whose whole subtree has schemas and no merge keys: a walk there changes nothing."""
    special = {
        name
        for name, props in fields.items()
        if any(p.strategy for p in props.values())
        or (not props and "object" in _types(definitions[name]))  # opaque, e.g. RawExtension
    }
    changed = True
    while changed:
        changed = False
        for name, props in fields.items():
            if name not in special and any(p.target in special for p in props.values()):
                special.add(name)
                changed = True
    return frozenset(fields) - special


def _types(node: dict) -> tuple:
    kind = node.get("type")
    return tuple(kind) if isinstance(kind, list) else (kind,)


def schema_for(api_version: str, kind: str) -> Prop | None:
    """The root schema for a kind, or None for kinds the bundled schemas do not know (CRDs)."""
    name = _schemas().by_gvk.get((api_version, kind))
    return Prop("", (), name) if name else None


def merge_keys(api_version: str, kind: str, *path: str) -> Prop | None:
    """Strategy and merge keys of the field at `path` (list indexes omitted), e.g.
    `merge_keys("apps/v1", "Deployment", "spec", "template", "spec", "containers")`."""
    prop = schema_for(api_version, kind)
    for part in path:
        prop = field_prop(prop, part)
    return prop


def field_prop(prop: Prop | None, key: str) -> Prop | None:
    """The schema of field `key` of an object described by `prop` (None when unknown)."""
    if prop is None or prop.target is None:
        return None
    table = _schemas().fields.get(prop.target, {})
    return table.get(key) or table.get("*")


def element_prop(prop: Prop | None) -> Prop | None:
    """The schema of the items of the list described by `prop`."""
    return None if prop is None else Prop("", (), prop.target)


def meta_schema(*values: Any) -> Prop | None:
    """The root schema of the first value whose apiVersion and kind the bundled schemas know."""
    for value in values:
        if isinstance(value, dict):
            api_version, kind = value.get("apiVersion"), value.get("kind")
            if isinstance(api_version, str) and isinstance(kind, str) and api_version and kind:
                found = schema_for(api_version, kind)
                if found is not None:
                    return found
    return None


def plain_definitions() -> frozenset[str]:
    """Definitions below which a walk changes nothing (no merge keys, no opaque schema)."""
    return _schemas().plain
