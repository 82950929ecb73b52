"""What a diff is made of: one resource's change (masked unified diff) and the changes of one root."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from gitops_lint.diff import normalise as diffnorm
from gitops_lint.diff.sides import Resource

ACTIONS = ("removed", "modified", "added")
U = TypeVar("U")


def changed_units(base: Collection[U], head: Collection[U], modified: Callable[[U], bool],
                  order: Callable[[U], Any] | None = None) -> list[tuple[U, str]]:
    """(unit, status) for the units of a diff (kustomize roots, Helm releases) that need rendering: only in
    head ("added"), only in base ("removed"), or on both sides and `modified` ("modified"); in `order`."""
    out = []
    for unit in sorted({*base, *head}, key=order or _itself):
        if unit not in base:
            out.append((unit, "added"))
        elif unit not in head:
            out.append((unit, "removed"))
        elif modified(unit):
            out.append((unit, "modified"))
    return out


def _itself(unit: Any) -> Any:
    return unit


@dataclass
class Change:
    """One resource added, removed or modified in one root."""

    root: str
    app: str | None
    environment: str | None
    action: str
    base: Resource | None
    head: Resource | None
    diff: str  # masked unified diff

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.resource.key

    @property
    def ref(self) -> str:
        return self.resource.ref

    @property
    def resource(self) -> Resource:
        """The head object, or the base one of a removal (a change has at least one side)."""
        return cast(Resource, self.head or self.base)

    def to_dict(self) -> dict:
        api_version, kind, namespace, name = self.key
        return {
            "root": self.root,
            "app": self.app,
            "environment": self.environment,
            "action": self.action,
            "apiVersion": api_version,
            "kind": kind,
            "namespace": namespace or None,
            "name": name,
            "diff": self.diff,
        }


@dataclass
class RootDiff:
    """The changes of one root (a kustomization or a directory of plain manifests)."""

    root: str
    app: str | None
    environment: str | None
    status: str  # added | removed | modified
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def to_dict(self) -> dict:
        return {
            "root": self.root,
            "app": self.app,
            "environment": self.environment,
            "status": self.status,
            **{a: self.count(a) for a in ACTIONS},
            "errors": self.errors,
        }


def compare(before: Resource | None, after: Resource | None, patterns, context: int = 3):
    """(action, masked unified diff) for one resource identity, None when nothing changed."""
    b = diffnorm.canonical(diffnorm.strip(before.data, patterns)) if before else None
    a = diffnorm.canonical(diffnorm.strip(after.data, patterns)) if after else None
    if b is not None and a is not None and b == a:
        return None
    if b is not None and a is not None:
        mb, ma = diffnorm.mask_pair(b, a)
        action = "modified"
    else:
        mb = diffnorm.mask_single(b) if b is not None else None
        ma = diffnorm.mask_single(a) if a is not None else None
        action = "added" if b is None else "removed"
    label = cast(Resource, after or before).ref  # one side at least: the caller pairs objects
    text = diffnorm.unified(
        diffnorm.to_yaml(mb) if mb is not None else "",
        diffnorm.to_yaml(ma) if ma is not None else "",
        label,
        context,
    )
    return action, text
