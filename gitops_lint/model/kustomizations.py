"""Kustomization files as the repository model sees them: which paths each one references.

This is the static reference graph used by the layout and integrity rules (GL1xx/GL2xx) and by the
diff's affected-root detection. Rendering lives in `gitops_lint.render`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.core.source import PathEscapesRoot, base_name, normalize, parent_of

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# fields whose entries are paths (or URLs) to directories or files
_PATH_LISTS = ("resources", "bases", "components", "crds", "configurations", "patchesStrategicMerge",
               "transformers", "generators", "validators")
_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git@|git::|github\.com[/:]|gitlab\.com[/:]|bitbucket\.org[/:]|[\w.-]+\.[a-z]{2,}/[^?]+\?ref=)",
    re.IGNORECASE,
)
_REMOTE_MARKS = frozenset("/:@?")
DEPRECATED_FIELDS = {
    "bases": "resources",
    "patchesStrategicMerge": "patches",
    "patchesJson6902": "patches",
    "commonLabels": "labels",
    "vars": "replacements",
    "imageTags": "images",
}


@dataclass(frozen=True)
class Reference:
    """One path-like entry of a kustomization file."""

    field: str  # e.g. "resources", "patches", "configMapGenerator.files"
    value: str  # as written
    target: str | None = None  # normalised repo-relative path (None when remote or escaping)
    remote: bool = False
    escapes: bool = False
    # where it is written: the kustomization's document and the entry's path in it, looked up when asked
    # (most references are never reported: a kept parse's position tables are then never decoded)
    document: Document | None = dataclasses.field(default=None, repr=False, compare=False)  # `field` is a field here
    path: tuple = ()

    @property
    def position(self) -> Position:
        return _position(self.document, self.path)


@dataclass
class Kustomization:
    """A kustomization file (`kind: Kustomization` or `kind: Component`) and its references."""

    dir: str
    path: str
    document: Document | None
    kind: str = "Kustomization"
    references: list[Reference] = field(default_factory=list)

    @property
    def data(self) -> dict:
        data = self.document.data if self.document is not None else None
        return data if isinstance(data, dict) else {}

    def position(self, *path: str | int) -> Position:
        return self.document.position(tuple(path)) if self.document is not None else Position()

    def refs(self, *fields: str) -> Iterator[Reference]:
        return (r for r in self.references if not fields or r.field in fields)


def is_kustomization_file(path: str) -> bool:
    return base_name(path) in KUSTOMIZATION_FILES


def is_remote(value: str) -> bool:
    """Whether a resource entry points at remote content (never fetched)."""
    if _REMOTE_MARKS.isdisjoint(value):
        return False  # a plain name (`deployment.yaml`): every remote form has one of these characters
    return bool(_REMOTE.match(value.strip())) or ".git//" in value or "?ref=" in value


def build_kustomization(path: str, document: Document | None) -> Kustomization:
    """Index the references of one kustomization file."""
    directory = parent_of(path)
    kustomization = Kustomization(dir=directory, path=path, document=document)
    data = kustomization.data
    if data.get("kind") == "Component":
        kustomization.kind = "Component"
    kustomization.references = _references(directory, document, data)
    return kustomization


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _references(directory: str, doc: Document | None, data: dict) -> list[Reference]:
    found: list[Reference] = []

    def emit(field_name: str, value: object, path: tuple) -> None:
        if isinstance(value, str) and value.strip():
            found.append(_reference(directory, doc, field_name, value, path))

    for name in _PATH_LISTS:
        entries = data.get(name)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if name == "patchesStrategicMerge" and isinstance(entry, str) and "\n" in entry:
                    continue  # an inline patch, not a path
                if name in ("transformers", "generators", "validators") and not isinstance(entry, str):
                    continue  # inline plugin config
                emit(name, entry, (name, i))
    for name in ("patches", "patchesJson6902", "replacements"):
        entries = data.get(name)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and "path" in entry:
                    emit(name, entry["path"], (name, i, "path"))
    for name in ("configMapGenerator", "secretGenerator"):
        entries = data.get(name)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            for j, item in enumerate(_list(entry.get("files"))):
                if isinstance(item, str):
                    emit(f"{name}.files", item.split("=", 1)[-1], (name, i, "files", j))
            for j, item in enumerate(_list(entry.get("envs"))):
                emit(f"{name}.envs", item, (name, i, "envs", j))
            if isinstance(entry.get("env"), str):
                emit(f"{name}.env", entry["env"], (name, i, "env"))
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and "path" in openapi:
        emit("openapi", openapi["path"], ("openapi", "path"))
    helm = data.get("helmCharts")
    if isinstance(helm, list):
        for i, chart in enumerate(helm):
            if isinstance(chart, dict) and isinstance(chart.get("valuesFile"), str):
                emit("helmCharts.valuesFile", chart["valuesFile"], ("helmCharts", i, "valuesFile"))
    return found


def _reference(directory: str, doc: Document | None, field_name: str, value: str, path: tuple) -> Reference:
    """One non-empty path entry: remote, escaping the repository, or its repo-relative target."""
    if is_remote(value):
        return Reference(field_name, value, remote=True, document=doc, path=path)
    try:
        target = _target(value.strip(), directory)
    except PathEscapesRoot:
        return Reference(field_name, value, escapes=True, document=doc, path=path)
    return Reference(field_name, value, target=target, document=doc, path=path)


def _target(entry: str, directory: str) -> str:
    """`normalize(entry, directory)`; a plain name in a repository directory (`deployment.yaml`, the most
    common entry) is joined directly: there is nothing to normalise."""
    if "/" not in entry and entry not in (".", "..") and entry[1:2] != ":":
        return f"{directory}/{entry}" if directory else entry
    return normalize(entry, directory)


def _position(doc: Document | None, path: tuple) -> Position:
    """`doc.position(path)`, answered from the tables directly when the entry itself is there (nearly always)."""
    if doc is None:
        return Position()
    hit = doc.values.get(path) or doc.keys.get(path)
    return Position(*hit) if hit else doc.position(path)
