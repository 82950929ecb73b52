"""YAML → `Document`s with a 1-based position for every key, value and sequence item.

One parse per file: ruamel.yaml's libyaml-backed composer (ruamel.yaml.clib) builds the node graph,
which this module converts into plain JSON-like data plus a position table. All line/column
conversion from the parser's 0-based marks happens here, in `_pos`.

Bad input never raises: syntax errors, duplicate keys and unsafe content such as binary data,
oversized files, alias bombs and deep nesting come back as violations of a `kind` (LOADER_KINDS);
the rule cards say which kinds they report.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gitops_lint.core.datapath import dig
from gitops_lint.core.findings import FILE_START, Position, Violation
from gitops_lint.core.scalars import PLAIN, YAML11_BOOLS, is_timestamp_like, plain_value, scalar_value
from gitops_lint.core.yaml_compose import (
    ALIAS,
    compose_all,
    compose_all_pure,
    nesting_estimate,
    node_tag,
    structure_depth,
)

PathKey = tuple  # a path into a document: ("spec", "containers", 0, "image")
PositionTable = Mapping[PathKey, tuple[int, int]]  # {path: (line, column)}; a kept parse's, decoded when read
Composer = Callable[[str], Iterator["Node | None"]]  # YAML text -> its documents' node trees

SYNTAX, DUPLICATE_KEY, UNSAFE_CONTENT = "yaml-syntax", "duplicate-key", "unsafe-content"
LOADER_KINDS = (SYNTAX, DUPLICATE_KEY, UNSAFE_CONTENT)


@dataclass(frozen=True)
class Limits:
    """Bounds on what the loader will parse (configurable; defaults suit real repos)."""

    max_file_bytes: int = 32 * 1024 * 1024  # vendored CRD bundles of several MB are normal
    max_nodes: int = 250_000  # after alias expansion, per document
    max_depth: int = 100


DEFAULT_LIMITS = Limits()
# Ceilings that no configuration raises (a repository's own config may be hostile): past them libyaml
# exhausts the C stack (a crash, not an error) or an alias bomb exhausts memory.
HARD_LIMITS = Limits(max_file_bytes=64 * 1024 * 1024, max_nodes=2_000_000, max_depth=1_000)


def _bounded(limits: Limits) -> Limits:
    if limits is DEFAULT_LIMITS:
        return limits
    fields = ("max_file_bytes", "max_nodes", "max_depth")
    return Limits(*(min(getattr(limits, f), getattr(HARD_LIMITS, f)) for f in fields))


@dataclass
class Document:
    """One YAML document: its data (plain dict/list/scalars) and where every node sits."""

    path: str
    index: int
    data: Any
    start: Position
    end_line: int
    keys: PositionTable = field(default_factory=dict, repr=False)
    values: PositionTable = field(default_factory=dict, repr=False)
    # the source text of each scalar `metadata.annotations` value (kustomize prints annotations
    # as that text: `0644` stays "0644", `~` stays "~")
    annotation_text: dict[str, str] | None = field(default=None, repr=False)
    folded: list[PathKey] | None = field(default=None, repr=False)  # paths of folded (`>`) scalars
    flow_empty: list[PathKey] | None = field(default=None, repr=False)  # `{a: }`: no value in a flow map
    # plain `yes`/`off`/`y`...: strings here (go-yaml v3), booleans where kustomize reads its own file
    yaml11_bools: list[PathKey] | None = field(default=None, repr=False)
    timestamps: list[PathKey] | None = field(default=None, repr=False)  # plain `2024-01-02`... (strings)

    def position(self, path: PathKey = (), *, key: bool = False) -> Position:
        """Position of the value at `path` (or of its key), else of the nearest ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            hit = table.get(probe) or (self.keys.get(probe) if not key else self.values.get(probe))
            if hit:
                return Position(*hit)
            probe = probe[:-1]
        return self.start

    def get(self, *path: Any, default: Any = None) -> Any:
        """Walk `path` through dicts and lists; `default` where it leads nowhere."""
        return dig(self.data, path, default)

    @property
    def api_version(self) -> str:  # `get("apiVersion")` without the walk: read for every document
        value = self.data.get("apiVersion") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.data.get("kind") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        value = self.get("metadata", "name")
        return value if isinstance(value, str) else ""

    @property
    def namespace(self) -> str:
        value = self.get("metadata", "namespace")
        return value if isinstance(value, str) else ""

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]  # "" without a `/`

    @property
    def ref(self) -> str:
        """`Kind/name` (namespace-qualified when set) for messages."""
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind or '?'}/{ns}{self.name or '?'}"


@dataclass
class ParsedFile:
    """What the loader made of one file."""

    path: str
    text: str | None
    documents: list[Document]
    violations: list[Violation]

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines() if self.text is not None else []


def _pos(mark: Any) -> tuple[int, int]:  # a libyaml or a pure-Python mark: two unrelated classes
    """The one place where 0-based parser marks become 1-based positions."""
    return (mark.line + 1, mark.column + 1)


class _UnsafeContent(Exception):
    def __init__(self, message: str, position: tuple[int, int] = (1, 1)):
        super().__init__(message)
        self.position = position


def decode_text(path: str, raw: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[str | None, Violation | None]:
    """UTF-8 text of a file, or an unsafe-content violation for binary, oversized or non-UTF-8 content."""
    limits = _bounded(limits)
    if len(raw) > limits.max_file_bytes:
        return None, Violation(path, f"file is {len(raw):,} bytes, over the {limits.max_file_bytes:,}-byte limit; not parsed", key="size", kind=UNSAFE_CONTENT)
    if b"\0" in raw[:8192]:
        return None, Violation(path, "binary content in a YAML file; not parsed", key="binary", kind=UNSAFE_CONTENT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Violation(path, "file is not valid UTF-8; not parsed", Position(line, 1), key="encoding", kind=UNSAFE_CONTENT)
    return text, None


def load_yaml(path: str, raw: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedFile:
    """Parse every document in a YAML file. Never raises for bad input."""
    text, problem = decode_text(path, raw, limits)
    if problem is not None:
        return ParsedFile(path, None, [], [problem])
    return parse_text(path, text or "", limits)  # decode_text gives text or a problem


def parse_text(path: str, text: str, limits: Limits = DEFAULT_LIMITS) -> ParsedFile:
    """Parse YAML text (already decoded) into documents and violations.

    libyaml parses first; where it rejects text that YAML 1.2 allows (and Go's YAML libraries,
    hence kustomize and the operators, accept: `[https://example.com]` in a flow list), the
    pure-Python YAML 1.2 parser gets the final word.
    """
    limits = _bounded(limits)
    if nesting_estimate(text) > limits.max_depth and structure_depth(text, limits.max_depth) > limits.max_depth:
        message = f"YAML nesting deeper than {limits.max_depth} levels; not parsed"
        return ParsedFile(path, text, [], [Violation(path, message, key="depth", kind=UNSAFE_CONTENT)])
    documents, violations = _parse(path, text, limits, compose_all)
    if violations and violations[-1].kind == SYNTAX and compose_all_pure is not compose_all:
        documents, violations = _parse(path, text, limits, compose_all_pure)
    return ParsedFile(path, text, documents, violations)


def _parse(path: str, text: str, limits: Limits, compose: Composer) -> tuple[list[Document], list[Violation]]:
    if "&" not in text:  # composing warns only of a reused anchor: no anchor, no warning filters to set
        return _parse_quietly(path, text, limits, compose)
    with warnings.catch_warnings():  # the library's own warnings (a reused anchor name is valid YAML)
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        return _parse_quietly(path, text, limits, compose)


def _parse_quietly(path: str, text: str, limits: Limits, compose: Composer) -> tuple[list[Document], list[Violation]]:
    violations: list[Violation] = []
    documents: list[Document] = []
    has_anchors = "&" in text and ALIAS.search(text) is not None  # no alias: nothing expands
    try:
        for index, node in enumerate(compose(text)):
            if node is None:
                continue
            try:
                document = _convert_document(path, index, node, limits, violations, has_anchors)
            except _UnsafeContent as exc:
                violations.append(Violation(path, str(exc), Position(*exc.position), key=f"unsafe:{index}",
                                            kind=UNSAFE_CONTENT))
                continue
            if document.data is not None:
                documents.append(document)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Position(*_pos(mark)) if mark is not None else FILE_START
        problem = (exc.problem or exc.context or "syntax error").strip()
        violations.append(Violation(path, f"invalid YAML: {problem}", where, key="syntax", kind=SYNTAX))
    except RecursionError:
        violations.append(Violation(path, "YAML nesting too deep to parse; not parsed", key="depth",
                                    kind=UNSAFE_CONTENT))
    except (YAMLError, ValueError, TypeError) as exc:
        violations.append(Violation(path, f"invalid YAML: {exc.__class__.__name__}", key="syntax", kind=SYNTAX))
    return documents, violations


def _convert_document(path: str, index: int, root: Node, limits: Limits, violations: list[Violation],
                      has_anchors: bool = True) -> Document:
    if has_anchors:
        _check_expanded_size(root, limits)
    doc = Document(path=path, index=index, data=None, start=Position(*_pos(root.start_mark)), end_line=root.end_mark.line + 1)
    doc.data = _Converter(doc, limits, violations).convert(root, (), 0)
    return doc


def _check_expanded_size(root: Node, limits: Limits) -> None:
    """Refuse alias bombs: the node count after alias expansion, computed without expanding."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _UnsafeContent("recursive YAML alias; not parsed", _pos(node.start_mark))
        if depth > limits.max_depth:
            raise _UnsafeContent(f"YAML nesting deeper than {limits.max_depth} levels; not parsed", _pos(node.start_mark))
        in_progress.add(key)
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
        in_progress.discard(key)
        sizes[key] = total
        if total > limits.max_nodes:
            raise _UnsafeContent(
                f"document expands to more than {limits.max_nodes:,} nodes (YAML alias bomb?); not parsed",
                _pos(root.start_mark),
            )
        return total

    size(root, 0)


_ANNOTATIONS = ("metadata", "annotations")
_NOTABLE = frozenset("0123456789yYnNoO")  # first characters of YAML 1.1 booleans and timestamps
_MERGE = "tag:yaml.org,2002:merge"


class _Converter:
    """Turns a composed node graph into plain data, filling the document's position tables. The hot
    loop of every parse: a mapping's scalar values (most nodes) are converted in place, not through
    `convert` (same table entries in the same order; tests/test_loader_differential.py)."""

    def __init__(self, doc: Document, limits: Limits, violations: list[Violation]):
        self.doc = doc
        self.max_depth = limits.max_depth
        self.violations = violations
        self.keys: dict[PathKey, tuple[int, int]] = {}  # the document's tables, filled here
        self.values: dict[PathKey, tuple[int, int]] = {}
        doc.keys, doc.values = self.keys, self.values

    def _too_deep(self, node: Node) -> _UnsafeContent:
        return _UnsafeContent(f"YAML nesting deeper than {self.max_depth} levels; not parsed", _pos(node.start_mark))

    def convert(self, node: Node, path: PathKey, depth: int, flow: bool = False) -> Any:
        if depth > self.max_depth:
            raise self._too_deep(node)
        self.values.setdefault(path, _pos(node.start_mark))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path, flow)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i), depth + 1, node.flow_style) for i, item in enumerate(node.value)]
        return self._mapping(cast(MappingNode, node), path, depth)  # composers make only these three kinds

    def _scalar(self, node: ScalarNode, path: PathKey, flow: bool) -> Any:
        text, style = node.value, node.style
        ctag = node.ctag
        tag = PLAIN if ctag.suffix == PLAIN and ctag.handle is None else node_tag(node)
        if style == ">" or (tag == PLAIN and text[:1] in _NOTABLE):
            self._note(text, style, path, flow)
        return plain_value(text) if tag == PLAIN else scalar_value(tag, text, style)

    def _note(self, text: str, style: str | None, path: PathKey, flow: bool) -> None:
        """Record where kustomize reads a scalar differently (see Document's last fields)."""
        doc = self.doc
        if style == ">":
            doc.folded = [*(doc.folded or ()), path]
        elif text in YAML11_BOOLS:
            doc.yaml11_bools = [*(doc.yaml11_bools or ()), path]
        elif is_timestamp_like(text) and not (flow and ":" in text):  # in a flow collection: a string
            doc.timestamps = [*(doc.timestamps or ()), path]

    def _mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict:
        result: dict = {}
        merged: list[dict] = []
        keys, values = self.keys, self.values
        flow_style = node.flow_style
        child_depth = depth + 1
        for key_node, value_node in node.value:
            key_text = key_node.value
            ctag = key_node.ctag
            if ctag.suffix == PLAIN and ctag.handle is None and isinstance(key_node, ScalarNode):
                if key_text == "<<":
                    merged.extend(self._merge_sources(value_node, path, depth))
                    continue
                key = plain_value(key_text)
                if key.__class__ is not str:
                    key = key_text
            else:
                key_tag = node_tag(key_node)
                if key_tag == _MERGE or (key_tag == PLAIN and key_text == "<<"):
                    merged.extend(self._merge_sources(value_node, path, depth))
                    continue
                key = _key_text(key_node)
            if key in result:
                self._duplicate(key_node, path, key)
            child = (*path, key)
            value_is_scalar = isinstance(value_node, ScalarNode)
            if flow_style and value_is_scalar and not value_node.value \
                    and value_node.style is None and node_tag(value_node) == PLAIN:
                self.doc.flow_empty = [*(self.doc.flow_empty or ()), child]
            if child not in keys:
                mark = key_node.start_mark
                keys[child] = (mark.line + 1, mark.column + 1)  # as `_pos`, inlined in the hot loop
            if child in values:
                del values[child]
            if value_is_scalar:
                if child_depth > self.max_depth:
                    raise self._too_deep(value_node)
                mark = value_node.start_mark
                values[child] = (mark.line + 1, mark.column + 1)
                result[key] = self._scalar(value_node, child, flow_style)
            else:
                result[key] = self.convert(value_node, child, child_depth, flow_style)
        for source in merged:
            for key, value in source.items():
                result.setdefault(key, value)
        if path == _ANNOTATIONS:
            self.doc.annotation_text = {
                k.value: v.value for k, v in node.value if isinstance(k, ScalarNode) and isinstance(v, ScalarNode)
            }
        return result

    def _duplicate(self, key_node: Node, path: PathKey, key: Any) -> None:
        self.violations.append(
            Violation(
                self.doc.path,
                f"duplicate key {key!r} (first at line {self.keys[path + (key,)][0]}); the last value silently wins",
                Position(*_pos(key_node.start_mark)),
                key=".".join(map(str, (*path, key))),
                kind=DUPLICATE_KEY,
            )
        )

    def _merge_sources(self, node: Node, path: PathKey, depth: int) -> list[dict]:
        nodes = node.value if isinstance(node, SequenceNode) else [node]
        out = []
        for item in nodes:
            value = self.convert(item, path, depth + 1)
            if isinstance(value, dict):
                out.append(value)
        return out


def _key_text(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        value = scalar_value(node_tag(node), node.value, node.style)
        return value if isinstance(value, str) else node.value
    return f"<{node.__class__.__name__}>"
