"""The one field locator: where a field of a rendered or derived object was set.

A rendered object comes from one source document and carries `field_origins` (dotted field path ->
the file and position of the patch or transformer entry that set it; see render/origin.py). Every
position reported on such an object, or on anything derived from it (a workload, an Argo CD
Application or a Flux object as an overlay renders it, a schema error in a build, a changed resource
of a diff), is found here, in this order:

1. an origin recorded for the field itself;
2. the field's own line in the source document, when the document has it (a patch that touched a
   sibling list item leaves this one where the base wrote it);
3. the origin of the nearest ancestor (a list or block a patch set as a whole);
4. the first origin below the field, when the source document does not have it (a block a patch added);
5. the nearest ancestor's line in the source document, else where the object came from.

Where the caller gives the parsed documents of the origin files (`documents_of`), an origin of steps
1 and 3 is refined to the field's own line when its file holds a patch document that has the field (a
patch mirrors the object; a kustomization does not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document
from gitops_lint.model.kustomizations import is_kustomization_file
from gitops_lint.render.origin import origin_of

Origin = tuple[str, Position]
SourcePath = TypeVar("SourcePath", str, "str | None")  # an object's own file: None where it has none
DocumentsOf = Callable[[str], Sequence[Document]]  # the parsed documents of a file


def document_at(documents: Iterable[Document], position: Position) -> Document | None:
    """The document that starts at `position` (the document a rendered object came from)."""
    return next((d for d in documents if d.start == position), None)


def document_containing(documents: Iterable[Document], position: Position) -> Document | None:
    """The document whose lines hold `position`."""
    return next((d for d in documents if d.start <= position and position.line <= d.end_line), None)


def _holds(doc: Document, path: tuple) -> bool:
    return path in doc.values or path in doc.keys


class FieldLocator(Generic[SourcePath]):
    """Where each field of one object was set: call it with a field path (`("spec", "replicas")`)."""

    def __init__(
        self,
        source: SourcePath,
        position: Position,
        origins: Mapping[str, Origin] | None = None,
        document: Document | None = None,
        documents_of: DocumentsOf | None = None,
    ) -> None:
        self.source: SourcePath = source
        self.position = position
        self.origins = origins or {}
        self.document = document
        self.documents_of = documents_of

    @classmethod
    def of_document(cls, doc: Document) -> FieldLocator[str]:
        """Fields of a document as written (no rendering)."""
        return FieldLocator(doc.path, doc.start, document=doc)

    def __call__(self, path: Iterable, key: bool = False) -> tuple[SourcePath, Position]:
        """File and position that set the field at `path` (of its key with `key=True`)."""
        path = tuple(path)
        doc = self.document
        hit = self.origins.get(".".join(map(str, path))) if self.origins and path else None
        if hit is None and doc is not None and _holds(doc, path):
            return self.source, doc.position(path, key=key)
        if hit is None and self.origins and path:
            hit = origin_of(self.origins, path)
            if hit is None:
                below = self._first_below(path)
                if below is not None:
                    return below
        if hit is not None:
            return self._refined(hit, path, key)
        if doc is not None:
            return self.source, doc.position(path, key=key)
        return self.source, self.position

    def _first_below(self, path: tuple) -> Origin | None:
        prefix = ".".join(map(str, path)) + "."
        below = [o for k, o in self.origins.items() if k.startswith(prefix)]
        return min(below) if below else None

    def _refined(self, origin: Origin, path: tuple, key: bool) -> Origin:
        file, position = origin
        if self.documents_of is None or is_kustomization_file(file):
            return origin
        patch = document_containing(self.documents_of(file), position)
        if patch is not None and path and _holds(patch, path):
            return file, patch.position(path, key=key)
        return origin
