"""The optimised conversion in the loader against the straightforward one it replaced
(tests/loader_reference.py): same data, same position tables in the same order, same notes and
violations, on every YAML file of the shared corpus and on crafted edge cases."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from ruamel.yaml.error import YAMLError

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import DEFAULT_LIMITS, UNSAFE_CONTENT, Document, Limits, parse_text
from gitops_lint.core.yaml_compose import compose_all, compose_all_pure
from tests.loader_reference import ReferenceConverter, TooDeep

EDGE_CASES = {
    "merge-then-own": "base: &b {a: 1, items: [x, y], c: {d: 2}}\nm:\n  <<: *b\n  items: [z]\n  a: 3\n",
    "own-then-merge": "base: &b {a: 1, items: [x, y]}\nm:\n  items: [z]\n  <<: [*b, {e: 5}]\n",
    "explicit-merge-tag": "b: &b {a: 1}\nm: {!!merge <<: *b, f: 2}\n",
    "duplicates": "a: 1\nb: {x: 1, x: 2}\na: [1, 2]\na: {k: v}\n",
    "keys-of-every-kind": "1: one\n0x10: hex\ntrue: t\n~: n\n'q': quoted\n!!str 7: s\n!!int 8: i\n"
                          "? [a, b]\n: seq\n? {c: d}\n: map\n!<plain> v: verbatim\n",
    "notes": "on: yes\nt: 2024-01-02\nflow: [2024-01-02 10:00:00, 2024-01-02]\nf: >\n  folded\n  text\n"
             "e: {a: , b: ''}\nmetadata:\n  annotations: {mode: 0644, empty: ~, n: [1]}\n",
    "numbers": "a: 0644\nb: 1_000\nc: .5\nd: -.inf\ne: .nan\nf: 0b101\ng: 1e3\nh: +12\ni: 99999999999999999999\n",
    "tagged": "a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: !!bool yes\ne: !!null x\nf: !custom {x: 1}\n",
    "sequences": "- a\n- [b, [c, {d: e}]]\n- {f: [g, h]}\n-\n- - 1\n  - 2\n",
    "documents": "---\na: 1\n---\n---\n- x\n...\n---\nb: &x {c: 1}\nd: *x\n",
    "flow-scalars-pure": "urls: [https://example.com, http://a:8080/b]\nk: {a: b}\n",
}


def _reference(path: str, text: str, limits: Limits) -> tuple[list[Document], list[tuple]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nodes = list(compose_all(text))
        except YAMLError:
            nodes = list(compose_all_pure(text))
    documents, violations = [], []
    for index, node in enumerate(nodes):
        if node is None:
            continue
        doc = Document(path, index, None, Position(node.start_mark.line + 1, node.start_mark.column + 1),
                       node.end_mark.line + 1)
        found: list = []
        try:
            doc.data = ReferenceConverter(doc, limits, found).convert(node, (), 0)
        except TooDeep as exc:
            violations.append((UNSAFE_CONTENT, f"unsafe:{index}", Position(*exc.args[0])))
            continue
        violations += [(v.kind, v.key, v.position, v.message) for v in found]
        if doc.data is not None:
            documents.append(doc)
    return documents, violations


def _facts(doc: Document) -> tuple:
    return (doc.index, doc.start, doc.end_line, repr(doc.data), list(doc.keys.items()), list(doc.values.items()),
            doc.annotation_text, doc.folded, doc.flow_empty, doc.yaml11_bools, doc.timestamps)


def _assert_same(path: str, text: str, limits: Limits = DEFAULT_LIMITS) -> None:
    parsed = parse_text(path, text, limits)
    expected_docs, expected_violations = _reference(path, text, limits)
    got = [(v.kind, v.key, v.position) if v.kind == UNSAFE_CONTENT else (v.kind, v.key, v.position, v.message)
           for v in parsed.violations]
    assert got == expected_violations, path
    assert [_facts(d) for d in parsed.documents] == [_facts(d) for d in expected_docs], path


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_convert_as_before(name):
    _assert_same(f"{name}.yaml", EDGE_CASES[name])


@pytest.mark.parametrize("depth", [3, 4, 5])
def test_depth_limit_refuses_at_the_same_node(depth):
    text = "a:\n  b:\n    - c:\n        d: [e, {f: g}]\n    - h\n"
    _assert_same("deep.yaml", text, Limits(max_depth=depth))


def _corpus_texts(corpus: Path) -> list[tuple[str, str]]:
    texts = []
    for file in sorted(corpus.rglob("*")):
        if file.suffix in (".yaml", ".yml") and file.is_file():
            try:
                texts.append((str(file), file.read_bytes().decode("utf-8-sig")))
            except UnicodeDecodeError:
                continue
    return texts


def test_every_corpus_file_converts_as_before(corpus):
    texts = _corpus_texts(corpus)
    assert len(texts) > 100
    for path, text in texts:
        if "&" in text or "[" * 60 in text:  # anchors go through the alias-bomb guard first; the
            parsed = parse_text(path, text)  # reference only converts what that guard lets through
            if any(v.kind == UNSAFE_CONTENT for v in parsed.violations):
                continue
        try:
            _assert_same(path, text)
        except YAMLError:  # neither composer parses it: the loader reports a syntax error (tested elsewhere)
            continue
