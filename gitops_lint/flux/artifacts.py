"""Flux ArtifactGenerators: which directories of this repository an ExternalArtifact's paths come from,
through the generator's source aliases and `copy` rules (`from: "@alias/dir/**"`, `to: "@artifact/sub/"`).
"""

from __future__ import annotations

import posixpath
from typing import Protocol

from gitops_lint.core.loader import Document


class SourceIndex(Protocol):
    """What the copy rules need of the Flux index (flux/model.py's FluxIndex)."""

    generators: list[Document]

    def local_source(self, kind: str, namespace: str, name: str) -> str | None: ...

    def tree_path(self, rel: str, basis: str) -> str | None: ...


def list_items(value: object) -> list:
    """A list field's items; nothing when the field is missing or not a list."""
    return value if isinstance(value, list) else []


def artifact_sources(index: SourceIndex, namespace: str, name: str, inner: str) -> tuple[list[str], list[str]] | None:
    """(producing generators, candidate tree paths) for path `inner` of ExternalArtifact `name`; None when
    no generator here produces it or some of its content comes from another repository."""
    candidates: list[str] = []
    producers: list[str] = []  # generators (one per cluster, often with one name) producing it
    for gen in index.generators:
        if namespace and gen.namespace and gen.namespace != namespace:
            continue
        spec = gen.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        aliases, foreign = _local_aliases(index, spec, gen.namespace)
        for art in list_items(spec.get("artifacts")):
            if not isinstance(art, dict) or art.get("name") != name:
                continue
            if foreign:
                return None  # some content comes from elsewhere
            producers.append(f"ArtifactGenerator/{gen.name}")
            for copy in list_items(art.get("copy")):
                mapped = _map_copy(index, copy, inner, aliases) if isinstance(copy, dict) else None
                if mapped is not None and mapped not in candidates:
                    candidates.append(mapped)
    return (producers, candidates) if producers else None


def _local_aliases(index: SourceIndex, spec: dict, namespace: str) -> tuple[dict, bool]:
    """ArtifactGenerator source aliases that are this repository (alias -> basis), and whether any is not."""
    aliases, foreign = {}, False
    for s in list_items(spec.get("sources")):
        if not isinstance(s, dict):
            continue
        kind = s.get("kind") or "GitRepository"
        ns = s.get("namespace") or namespace
        basis = index.local_source(kind, ns, s["name"]) if isinstance(s.get("name"), str) else None
        if basis and isinstance(s.get("alias"), str):
            aliases[s["alias"]] = basis
        else:
            foreign = True
    return aliases, foreign


def _map_copy(index: SourceIndex, copy: dict, inner: str, aliases: dict) -> str | None:
    """`from: "@alias/dir/**"`, `to: "@artifact/sub/"`: the tree directory that `inner` comes from."""
    src, dst = copy.get("from"), copy.get("to")
    if not isinstance(src, str) or not isinstance(dst, str) or not src.startswith("@"):
        return None
    alias, _, src_path = src[1:].partition("/")
    if alias not in aliases:
        return None
    parts = src_path.strip("/").split("/")
    glob = next((i for i, p in enumerate(parts) if "*" in p), len(parts))
    src_prefix = "/".join(parts[:glob]).strip("/")
    dst_prefix = dst.partition("/")[2].strip("/") if dst.startswith("@") else dst.strip("/")
    if dst_prefix and inner != dst_prefix and not inner.startswith(dst_prefix + "/"):
        return None
    rest = inner[len(dst_prefix) :].strip("/") if dst_prefix else inner
    return index.tree_path(
        (posixpath.join(src_prefix, rest) if rest else src_prefix).strip("/"), aliases[alias]
    )
