"""The loader's node-graph conversion as it was before the hot loop was optimised, kept as a test
oracle only (tests/test_loader_differential.py): every node goes through `convert`, positions are
written with `setdefault`. Production code has one converter, in gitops_lint/core/loader.py."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from gitops_lint.core.findings import Position, Violation
from gitops_lint.core.loader import DUPLICATE_KEY, Document, Limits
from gitops_lint.core.scalars import PLAIN, YAML11_BOOLS, is_timestamp_like, scalar_value
from gitops_lint.core.yaml_compose import node_tag

_NOTABLE = frozenset("0123456789yYnNoO")


class TooDeep(Exception):
    """The reference's depth refusal (the loader's is a private exception)."""


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


class ReferenceConverter:
    """Node graph → data and position tables, the straightforward way."""

    def __init__(self, doc: Document, limits: Limits, violations: list[Violation]):
        self.doc, self.limits, self.violations = doc, limits, violations

    def convert(self, node: Node, path: tuple, depth: int, flow: bool = False) -> Any:
        if depth > self.limits.max_depth:
            raise TooDeep(_pos(node.start_mark))
        self.doc.values.setdefault(path, _pos(node.start_mark))
        if isinstance(node, ScalarNode):
            tag = node_tag(node)
            if node.style == ">" or (tag == PLAIN and node.value[:1] in _NOTABLE):
                self._note(node.value, node.style, path, flow)
            return scalar_value(tag, node.value, node.style)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i), depth + 1, node.flow_style) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        return self._mapping(node, path, depth)

    def _note(self, text: str, style: str | None, path: tuple, flow: bool) -> None:
        doc = self.doc
        if style == ">":
            doc.folded = [*(doc.folded or ()), path]
        elif text in YAML11_BOOLS:
            doc.yaml11_bools = [*(doc.yaml11_bools or ()), path]
        elif is_timestamp_like(text) and not (flow and ":" in text):
            doc.timestamps = [*(doc.timestamps or ()), path]

    def _mapping(self, node: MappingNode, path: tuple, depth: int) -> dict:
        result: dict = {}
        merged: list[dict] = []
        for key_node, value_node in node.value:
            key_tag = node_tag(key_node)
            if key_tag == "tag:yaml.org,2002:merge" or (key_tag == PLAIN and key_node.value == "<<"):
                merged.extend(self._merge_sources(value_node, path, depth))
                continue
            key = _key_text(key_node)
            if key in result:
                first = self.doc.keys[(*path, key)][0]
                self.violations.append(Violation(
                    self.doc.path, f"duplicate key {key!r} (first at line {first}); the last value silently wins",
                    Position(*_pos(key_node.start_mark)), key=".".join(map(str, (*path, key))), kind=DUPLICATE_KEY))
            child = (*path, key)
            if node.flow_style and isinstance(value_node, ScalarNode) and not value_node.value \
                    and value_node.style is None and node_tag(value_node) == PLAIN:
                self.doc.flow_empty = [*(self.doc.flow_empty or ()), child]
            self.doc.keys.setdefault(child, _pos(key_node.start_mark))
            if child in self.doc.values:
                del self.doc.values[child]
            result[key] = self.convert(value_node, child, depth + 1, node.flow_style)
        for source in merged:
            for key, value in source.items():
                result.setdefault(key, value)
        if path == ("metadata", "annotations"):
            self.doc.annotation_text = {
                k.value: v.value for k, v in node.value if isinstance(k, ScalarNode) and isinstance(v, ScalarNode)
            }
        return result

    def _merge_sources(self, node: Node, path: tuple, depth: int) -> list[dict]:
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
