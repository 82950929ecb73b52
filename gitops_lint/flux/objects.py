"""Flux objects as each build deploys them: a document rendered by every kustomization root that reads
its file (overlay patches, kustomize `namespace:` and name prefixes applied), else as written.

Positions point at the line that set a field, in a patch file when a patch set it. `${VAR}` post-build
substitutions and Flux Operator `<< inputs.x >>` templates are recognised as placeholders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from gitops_lint.core.datapath import as_dict, dig
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.model.locator import FieldLocator
from gitops_lint.model.repository import Repository

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<<[^>]*>>")  # Flux post-build, Flux Operator ResourceSet inputs


def is_flux(doc_or_group: Document | str) -> bool:
    """Whether a document (or API group) belongs to Flux (`*.toolkit.fluxcd.io`, source-watcher)."""
    group = doc_or_group if isinstance(doc_or_group, str) else doc_or_group.group
    return group.endswith(".fluxcd.io")


def has_placeholder(value) -> bool:
    """A `${VAR}` post-build substitution: its value is only known in the cluster."""
    return isinstance(value, str) and bool(_PLACEHOLDER.search(value))


@dataclass
class FluxObject:
    """One Flux object as one build deploys it (or as written, when no kustomization root reads it)."""

    doc: Document
    data: dict
    environment: str | None
    locate: FieldLocator
    root: str | None = None  # the kustomization root that rendered it
    inherited: dict = field(default_factory=dict)  # spec fields a parent Kustomization's patches set

    def setting(self, key: str):
        """A spec field as Flux applies it: the object's own value, else what a parent's patch sets."""
        spec = self.spec
        return spec[key] if key in spec else self.inherited.get(key)

    @property
    def kind(self) -> str:
        kind = self.data.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def name(self) -> str:
        name = (
            (self.data.get("metadata") or {}).get("name")
            if isinstance(self.data.get("metadata"), dict)
            else ""
        )
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        meta = self.data.get("metadata")
        ns = meta.get("namespace") if isinstance(meta, dict) else None
        return ns if isinstance(ns, str) else ""

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name or '?'}"

    @property
    def spec(self) -> dict:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    def get(self, *path, default=None):
        return dig(self.data, path, default)

    def at(self, *path) -> tuple[str, Position]:
        """File and position of the deepest existing field on `path` (the line that set it)."""
        depth = len(path)
        while depth and self.get(*path[:depth]) is None:
            depth -= 1
        return self.locate(tuple(path[:depth]))


def instances(repo: Repository, docs: list[Document]) -> Iterator[FluxObject]:
    """Each Flux document as rendered by every root that reads it, else as written."""
    if not docs:
        return
    wanted = {d.path for d in docs}
    roots_of: dict[str, list[str]] = defaultdict(list)
    for root in repo.top_level_roots:
        if repo.kustomizations[root].kind == "Component":
            continue
        for f in repo.files_read_by(root) & wanted:
            roots_of[f].append(root)
    rendered: dict[tuple[str, int], list[tuple[dict, str | None, FieldLocator, str]]] = defaultdict(list)
    for root in sorted({r for roots in roots_of.values() for r in roots}):
        view = repo.rendered.root(root)
        if not view.ok:
            continue
        for obj in view.objects:
            if obj.source in wanted and isinstance(obj.data, dict):
                env = view.environment or repo.environment_of(obj.source)
                rendered[(obj.source, obj.position.line)].append(
                    (obj.data, env, repo.rendered.locator(obj, into_patches=True), root)
                )
    for doc in docs:
        copies = rendered.get((doc.path, doc.start.line))
        if copies:
            for data, env, locate, root in copies:
                yield FluxObject(doc, data, env, locate, root)
        else:
            yield FluxObject(doc, doc.data, repo.environment_of(doc.path), FieldLocator.of_document(doc))


def resource_set_names(doc: Document) -> Iterator[tuple[str, str, str]]:
    """(kind, namespace, name pattern) of the objects a Flux Operator ResourceSet generates."""
    resources = doc.get("spec", "resources")
    for item in resources if isinstance(resources, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
            continue
        meta = as_dict(item.get("metadata"))
        name, namespace = meta.get("name"), meta.get("namespace")
        if isinstance(name, str):
            ns = namespace if isinstance(namespace, str) and not has_placeholder(namespace) else ""
            yield item["kind"], ns, _PLACEHOLDER.sub("*", name)
