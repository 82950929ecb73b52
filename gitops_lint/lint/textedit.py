"""Surgical edits of YAML text: insert keys into a mapping, replace one scalar, and nothing else.

Positions come from ruamel.yaml's round-trip loader (0-based line/column of every node); the text
around an edit is never re-emitted, so comments, key order, quoting, indentation and line endings
outside the edited lines stay byte for byte as they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap

_SCALAR = re.compile(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s,\]}#][^,\]}\n\r]*?(?=\s*(?:[,\]}]|\s#|$))""", re.M)
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./-][A-Za-z0-9_./: -]*$")


@dataclass(frozen=True)
class Edit:
    """Replace `length` characters at `offset` with `text`."""

    offset: int
    length: int
    text: str


class Text:
    """A file's text with line offsets, its newline style and its indentation step."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def offset(self, line: int, col: int) -> int:
        return self.starts[min(line, len(self.lines))] + col

    def _content(self, index: int) -> tuple[int, bool]:
        """(indentation, whether the line holds YAML content rather than a blank or a comment)."""
        raw = self.lines[index].rstrip("\r\n")
        stripped = raw.lstrip(" ")
        return len(raw) - len(stripped), bool(stripped) and not stripped.startswith("#")

    def block_end(self, first_line: int, col: int) -> int:
        """The index of the line after the last content line of a block mapping whose keys sit at `col`."""
        last = first_line
        for index in range(first_line + 1, len(self.lines)):
            indent, content = self._content(index)
            if not content:
                continue
            stripped = self.lines[index].lstrip(" ")
            if indent < col or (indent == 0 and stripped.startswith(("---", "..."))):
                break
            last = index
        return last + 1

    def flow_close(self, offset: int) -> int | None:
        """The offset of the bracket that closes the flow collection opening at `offset`."""
        depth, quote, i = 0, "", offset
        while i < len(self.text):
            ch = self.text[i]
            if quote:
                if ch == "\\" and quote == '"':
                    i += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        return None

    def scalar_at(self, line: int, col: int) -> tuple[int, str] | None:
        """The offset and source text of the scalar starting at (line, col)."""
        offset = self.offset(line, col)
        match = _SCALAR.match(self.text, offset)
        return (offset, match.group(0)) if match else None


def scalar(value: object) -> str:
    """A YAML scalar for a simple value (bool, number, or a string quoted when it needs it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_SAFE.match(text) and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "~"):
        return text
    return "'" + text.replace("'", "''") + "'"


def block_lines(values: dict, indent: int, step: int) -> list[str]:
    """Block-style YAML lines for a nested mapping of simple values."""
    out = []
    for key, value in values.items():
        if isinstance(value, dict):
            out.append(f"{' ' * indent}{key}:")
            out += block_lines(value, indent + step, step)
        else:
            out.append(f"{' ' * indent}{key}: {scalar(value)}")
    return out


def flow(values: dict) -> str:
    """Flow-style YAML for a nested mapping of simple values."""
    return "{" + ", ".join(f"{k}: {flow(v) if isinstance(v, dict) else scalar(v)}" for k, v in values.items()) + "}"


def indent_step(node: CommentedMap, default: int = 2) -> int:
    """How far this document indents a child mapping under its parent key (the first one found)."""
    pending = [node]
    while pending:
        parent = pending.pop(0)
        for key, value in parent.items():
            if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
                step = value.lc.col - parent.lc.key(key)[1]
                if step > 0:
                    return step
            if isinstance(value, CommentedMap):
                pending.append(value)
    return default


def add_keys(text: Text, node: CommentedMap, additions: dict, step: int) -> list[Edit]:
    """Edits that add the missing keys of `additions` (recursively) to `node`; existing values stay."""
    missing: dict = {}
    edits: list[Edit] = []
    for key, value in additions.items():
        if key not in node:
            missing[key] = value
        elif isinstance(value, dict) and isinstance(node[key], CommentedMap):
            edits += add_keys(text, node[key], value, step)
    if not missing:
        return edits
    start = text.offset(node.lc.line, node.lc.col)
    if node.fa.flow_style() or text.text[start : start + 1] == "{":  # `{}` has no flow style recorded
        close = text.flow_close(start)
        if close is None:
            return edits
        inner = flow(missing)[1:-1]
        empty = not text.text[start + 1 : close].strip()
        return [*edits, Edit(close, 0, inner if empty else f", {inner}")]
    if not node:
        return edits  # an empty block mapping has no position to indent from
    end = text.block_end(node.lc.line, node.lc.col)
    lines = block_lines(missing, node.lc.col, step)
    body = "".join(line + text.newline for line in lines)
    at = text.starts[end]
    if end == len(text.lines) and text.lines and not text.lines[-1].endswith(("\n", "\r")):
        body = text.newline + body.removesuffix(text.newline)
    return [*edits, Edit(at, 0, body)]


def replace_scalar(text: Text, node: CommentedMap, key: str, value: object) -> list[Edit]:
    """An edit that replaces the scalar value of `key` in `node` with `value`."""
    if key not in node or isinstance(node[key], (dict, list)):
        return []
    found = text.scalar_at(*node.lc.value(key))
    if found is None:
        return []
    offset, old = found
    return [Edit(offset, len(old), scalar(value))]


def apply(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (an edit overlapping an earlier-sorted one is dropped)."""
    out, last = text, None
    for edit in sorted(set(edits), key=lambda e: (e.offset, e.length), reverse=True):
        if last is not None and edit.offset + edit.length > last:
            continue
        out = out[: edit.offset] + edit.text + out[edit.offset + edit.length :]
        last = edit.offset
    return out
