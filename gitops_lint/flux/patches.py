"""Spec fields that a parent Flux Kustomization's `spec.patches` sets on the objects it applies.

A common layout (e.g. the cluster-template family) patches every child Kustomization from the parent:
`decryption`, `prune`, `postBuild` and so on are then never written in the children's files. This module
reads those patches (strategic-merge documents or JSON 6902 `add`/`replace` operations on `/spec/...`)
so that the rules judge each child with what the parent gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_lint.core.datapath import as_dict
from gitops_lint.core.loader import parse_text


@dataclass(frozen=True)
class SpecPatch:
    """Top-level spec fields a parent sets on children of one kind (and optional name regex)."""

    kind: str | None
    name: str | None
    fields: dict

    def applies_to(self, kind: str, name: str) -> bool:
        if self.kind and self.kind != kind:
            return False
        if not self.name:
            return True
        try:
            return re.fullmatch(self.name, name) is not None
        except re.error:
            return self.name == name


def spec_patches(parent_spec: dict) -> list[SpecPatch]:
    """The spec fields each entry of a Flux Kustomization's `spec.patches` sets."""
    out = []
    patches = parent_spec.get("patches")
    for entry in patches if isinstance(patches, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("patch"), str):
            continue
        target = as_dict(entry.get("target"))
        parsed = parse_text("<patch>", entry["patch"])
        if parsed.violations or not parsed.documents:
            continue
        data = parsed.documents[0].data
        fields = _smp_fields(data) if isinstance(data, dict) else _json6902_fields(data)
        if fields:
            kind = target.get("kind") if isinstance(target.get("kind"), str) else None
            if kind is None and isinstance(data, dict) and isinstance(data.get("kind"), str):
                kind = data["kind"]
            name = target.get("name") if isinstance(target.get("name"), str) else None
            out.append(SpecPatch(kind, name, fields))
    return out


def _smp_fields(data: dict) -> dict:
    spec = data.get("spec")
    return dict(spec) if isinstance(spec, dict) else {}


def _json6902_fields(data) -> dict:
    fields = {}
    for op in data if isinstance(data, list) else []:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace"):
            continue
        path = op.get("path")
        if isinstance(path, str) and path.startswith("/spec/"):
            key = path[len("/spec/") :].split("/", 1)
            if len(key) == 1 and key[0]:
                fields[key[0]] = op.get("value")
            elif key[0]:
                fields.setdefault(key[0], {})  # a field below it is set, so the parent exists
    return fields
