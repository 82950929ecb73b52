"""What the loader made of each file, kept between runs by content hash, so that a warm run parses
only the files that changed.

One bundle per tree (and tool, and parse limits) maps each path to its content hash and its parse:
text, documents (data and position tables) and loader violations. A document's position tables stay
encoded (one small pickle each) until something asks where a field is: most documents of a warm run
are never asked, and decoding their tables was a third of loading the bundle (tables that turn out
not to decode are rebuilt from the kept text, never used). A file is kept only when nothing
in it is a secret value as far as this run can tell (`keepable`): GL602's scan of it in this run found
nothing, and it is not a Secret, a SOPS file, a generator input, a file a `.sops.yaml` rule covers,
a kustomization with a secretGenerator or a CI file. So a run without GL602 over the whole tree
keeps nothing new. The bundle is pickles of plain data read by an unpickler that refuses every
global, so only builtin containers and scalars can come out of it (a cache entry is never code); a
bundle that does not decode, or decodes to the wrong shapes, is a miss, and an entry is used only
for a file whose current hash is the one recorded with it.
"""

from __future__ import annotations

import io
import pickle
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from gitops_lint.core.findings import FILE_START, Position, Violation
from gitops_lint.core.loader import DEFAULT_LIMITS, Document, Limits, ParsedFile, PathKey, parse_text
from gitops_lint.lint.cache import CacheStore
from gitops_lint.lint.file_hashes import hash_bytes

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository

PARSES_KIND = "parses"
# a bundle is rewritten only when this many of its entries changed (or it has none): after a small
# edit the few changed files are simply parsed again, which costs less than rewriting the bundle
REWRITE_AT = 64
CHUNK = 1000  # entries per pickle in a bundle
_INTERN_LENGTH = 64  # strings up to this long are shared between documents (`_shared_strings`)
# any object whose kind names a secret (Secret, SealedSecret, ExternalSecret…): its file is never kept
_SECRET_KIND = re.compile(r"""^[\s-]*["']?kind["']?\s*:\s*["']?\w*Secret\b""", re.M)


def load(store: CacheStore, key: str, hashes: Mapping[str, str],
         limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, ParsedFile], dict[str, str]]:
    """The kept parses of files whose content hash is still `hashes[path]`, and the hash of every
    entry of the bundle (for `save`). Anything that does not decode is a miss. `limits`: the loader's
    (the bundle's key holds them), for a document whose position tables turn out not to decode."""
    payload = store.get(PARSES_KIND, key)
    if payload is None:
        return {}, {}
    try:
        entries = read_entries(payload)
        recorded = {path: entry[0] for path, entry in entries.items()}
        parses = {path: _parsed(path, entries[path][1], limits) for path, h in recorded.items()
                  if hashes.get(path) == h}
    except Exception:  # whatever a damaged or foreign bundle makes the unpickler raise: a miss
        return {}, {}
    return parses, recorded


def save(store: CacheStore, key: str, hashes: Mapping[str, str], repo: Repository,
         previous: Mapping[str, str], keep: Iterable[str]) -> None:
    """Rewrite the bundle with the parses of `keep` (paths `keepable` says yes to), when it changed
    enough to be worth it (`REWRITE_AT`); `previous`: the hashes the bundle recorded (`load`)."""
    kept = {p for p in keep if p in repo.parsed_files}
    unchanged = {p for p in kept if p in previous and previous[p] == hashes.get(p)}
    changes = len(kept) - len(unchanged) + sum(1 for p in previous if p not in kept)
    if changes == 0 or (previous and changes < REWRITE_AT):
        return
    try:
        files = {path: [hashes[path], _encoded(repo.parsed_files[path])] for path in sorted(kept)
                 if path in unchanged or _parsed_as_hashed(repo.parsed_files[path], hashes.get(path))}
        body = bundle_payload(files)
    except (pickle.PicklingError, TypeError, RecursionError):
        return
    store.put(PARSES_KIND, key, body)


def rewrite_due(repo: Repository, hashes: Mapping[str, str], previous: Mapping[str, str]) -> bool:
    """Whether so many parses differ from the bundle's (or there is none) that `save` would rewrite it."""
    changed = sum(1 for p in repo.parsed_files if previous.get(p) != hashes.get(p))
    return changed > 0 and (not previous or changed >= REWRITE_AT)


def bundle_payload(files: Mapping[str, list]) -> bytes:
    """{path: [hash, parse]} as a bundle: pickles of `CHUNK` entries each, then None. A pickler's memo
    holds every object it wrote: chunks keep that (and the peak memory of a rewrite) small."""
    out = io.BytesIO()
    paths = list(files)
    for start in range(0, len(paths), CHUNK):
        pickle.Pickler(out, protocol=5).dump({p: files[p] for p in paths[start:start + CHUNK]})
    pickle.Pickler(out, protocol=5).dump(None)
    return out.getvalue()


def read_entries(payload: bytes) -> dict:
    """The entries of a bundle (`bundle_payload`); raises on anything else (a missing end included)."""
    stream = io.BytesIO(payload)
    entries: dict = {}
    while (chunk := _PlainUnpickler(stream).load()) is not None:
        if type(chunk) is not dict:
            raise TypeError("not a bundle")
        entries.update(chunk)
    return entries


def _parsed_as_hashed(parsed: ParsedFile, recorded: str | None) -> bool:
    """Whether the text parsed is the content hashed (a file saved again between the two reads is
    not kept under the other version's hash)."""
    data = (parsed.text or "").encode("utf-8")
    return recorded is not None and recorded in (hash_bytes(data), hash_bytes(b"\xef\xbb\xbf" + data))


def keepable(repo: Repository, scanned: set[str], flagged: set[str]) -> set[str]:
    """Parsed files whose parse may be kept: GL602 scanned them in this run (`scanned`) and found
    nothing (`flagged`: files with any hit, accepted by the baseline or not), and none of the other
    places where secret values live applies (see the module doc)."""
    from gitops_lint.hygiene.ci_units import is_ci_path
    from gitops_lint.secrets import sops
    from gitops_lint.secrets.scan import generator_inputs

    rules = sops.creation_rules(repo)
    owned = generator_inputs(repo)
    out = set()
    for path, parsed in repo.parsed_files.items():
        text = parsed.text
        if (not text or path not in scanned or path in flagged or path in owned or is_ci_path(path)
                or "sops" in text or "ENC[" in text or "secretGenerator" in text or _SECRET_KIND.search(text)):
            continue
        if rules and sops.rule_for(rules, path) is not None:
            continue
        out.add(path)
    return out


# -- encoding: lists of plain data (position tables: one pickle per document, see below) ----------
class _PlainUnpickler(pickle.Unpickler):
    """Builtin containers and scalars only: any class or function named in the stream is refused."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"{module}.{name} refused")


def _encoded(parsed: ParsedFile) -> list:
    docs = [[d.index, _shared_strings(d.data), d.start.line, d.start.column, d.end_line, _tables_blob(d),
             d.annotation_text, d.folded, d.flow_empty, d.yaml11_bools, d.timestamps]
            for d in parsed.documents]
    violations = [[v.message, v.position.line, v.position.column, v.resource, v.environment, v.key, v.kind]
                  for v in parsed.violations]
    return [parsed.text, docs, violations]


def _shared_strings(data: Any) -> Any:
    """`data` with its short strings interned: a pickler writes a string object once and then refers
    to it, so keys and values that recur across documents (`apiVersion`, `apps/v1`…) are stored and
    unpickled once per chunk (a fifth less to load). Equal data; too deep to copy: as it is."""
    try:
        return _interned(data)
    except RecursionError:
        return data


def _interned(node: Any) -> Any:
    if type(node) is str:
        return sys.intern(node) if len(node) <= _INTERN_LENGTH else node
    if type(node) is dict:
        return {_interned(k): _interned(v) for k, v in node.items()}
    if type(node) is list:
        return [_interned(item) for item in node]
    return node


def _parsed(path: str, entry: list, limits: Limits = DEFAULT_LIMITS) -> ParsedFile:
    text, docs, violations = entry
    if not isinstance(text, str) or not isinstance(docs, list):
        raise TypeError("not a kept parse")
    documents = []
    source = (path, text, limits)  # what a document's tables are rebuilt from, should they not decode
    for d in docs:
        index, data, line, column, end_line, blob, annotations, folded, flow_empty, bools, stamps = d
        if not (type(index) is type(line) is type(column) is type(end_line) is int and type(blob) is bytes):
            raise TypeError("not a kept document")
        tables = _KeptTables(blob, source, index)  # Document's fields in order (positional: cheaper than keywords)
        start = FILE_START if line == column == 1 else Position(line, column)  # most documents start a file
        documents.append(Document(path, index, data, start, end_line, _LazyTable(tables, 0),
                                  _LazyTable(tables, 1), annotations, folded, flow_empty, bools, stamps))
    found = [Violation(path, v[0], Position(v[1], v[2]), resource=v[3], environment=v[4], key=v[5], kind=v[6])
             for v in violations]
    return ParsedFile(path, text, documents, found)


# -- position tables: one pickle per document, decoded when first read -------------------------------
Table = dict[PathKey, tuple[int, int]]


def _tables_blob(doc: Document) -> bytes:
    """The document's two position tables as kept: a kept document's own bytes as they came (unread, or
    read and sound), else its tables encoded anew."""
    keys, values = doc.keys, doc.values
    kept = keys.tables if isinstance(keys, _LazyTable) else None
    if kept is not None and isinstance(values, _LazyTable) and values.tables is kept and kept.blob is not None:
        return kept.blob
    return pickle.dumps((dict(keys), dict(values)), protocol=5)


class _KeptTables:
    """The encoded tables of one kept document; `decoded()` unpickles them once (plain data only). Tables
    that do not decode to two well-formed tables are never used (their blob is dropped): the document's
    text is parsed again. `source`: the file's path, text and the loader's limits."""

    __slots__ = ("blob", "source", "index", "_decoded")

    def __init__(self, blob: bytes, source: tuple[str, str, Limits], index: int) -> None:
        self.blob: bytes | None = blob
        self.source = source
        self.index = index
        self._decoded: tuple[Table, Table] | None = None

    def decoded(self) -> tuple[Table, Table]:
        if self._decoded is None:
            pair = _decoded_tables(self.blob) if self.blob is not None else None
            if pair is None:
                self.blob = None
                pair = _reparsed_tables(*self.source, self.index)
            self._decoded = pair
        return self._decoded


def _reparsed_tables(path: str, text: str, limits: Limits, index: int) -> tuple[Table, Table]:
    """The tables of a kept file's document `index`, from a new parse of the kept text."""
    doc = next((d for d in parse_text(path, text, limits).documents if d.index == index), None)
    return (dict(doc.keys), dict(doc.values)) if doc is not None else ({}, {})


def _decoded_tables(blob: bytes) -> tuple[Table, Table] | None:
    """Two tables {path tuple: (line, column)} from a blob, or None for anything else."""
    try:
        pair: Any = _PlainUnpickler(io.BytesIO(blob)).load()
    except Exception:  # whatever damaged bytes make the unpickler raise
        return None
    if not (type(pair) is tuple and len(pair) == 2 and type(pair[0]) is type(pair[1]) is dict):
        return None
    for table in pair:
        for path, where in table.items():
            if not (type(path) is tuple and type(where) is tuple and len(where) == 2
                    and type(where[0]) is type(where[1]) is int):
                return None
    return pair


class _LazyTable(Mapping[PathKey, tuple[int, int]]):
    """One of a kept document's position tables (`which`: 0 keys, 1 values), read through `_KeptTables`."""

    __slots__ = ("tables", "which")

    def __init__(self, tables: _KeptTables, which: int) -> None:
        self.tables = tables
        self.which = which

    def __getitem__(self, path: PathKey) -> tuple[int, int]:
        return self.tables.decoded()[self.which][path]

    def get(self, path: PathKey, default: Any = None) -> Any:
        return self.tables.decoded()[self.which].get(path, default)

    def __contains__(self, path: object) -> bool:
        return path in self.tables.decoded()[self.which]

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self.tables.decoded()[self.which])

    def __len__(self) -> int:
        return len(self.tables.decoded()[self.which])

    def items(self) -> Any:
        return self.tables.decoded()[self.which].items()
