"""GL204's kustomization rewrite (`gitops_lint.lint.fix`) confined to the top-level blocks it changes.

The deprecated fields and the fields they move into (`resources`, `patches`, `labels`, `images`) are
cut out, rewritten together as a small document, and put back where they were; every other line of
the file, comments and blank lines between blocks included, stays byte for byte. Files whose top
level cannot be cut into blocks (flow style, several documents) get the whole-file rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_lint.lint.fix import fix_text

SUCCESSOR = {"bases": "resources", "patchesStrategicMerge": "patches", "patchesJson6902": "patches",
             "commonLabels": "labels", "imageTags": "images"}
_TOP_KEY = re.compile(r"""^("[^"]*"|'[^']*'|[^\s:#'"][^:#]*?)[ \t]*:(?:[ \t]|$)""")


@dataclass(frozen=True)
class Block:
    key: str
    start: int  # first line (the key's)
    end: int  # one past the last content line


def top_level_blocks(lines: list[str]) -> list[Block] | None:
    """The top-level keys of a one-document block mapping with their line ranges, or None."""
    starts: list[tuple[str, int]] = []
    for index, line in enumerate(lines):
        text = line.rstrip("\r\n")
        if not text or text[0] in " \t#" or (starts and re.match(r"-(?:[ \t]|$)", text)):
            continue  # blank, comment, indented, or an item of a top-level key's unindented list
        match = _TOP_KEY.match(text)
        if match is None:
            return None  # a document marker, a top-level list or flow mapping: not cut into blocks
        starts.append((match.group(1).strip("'\""), index))
    blocks = []
    for number, (key, start) in enumerate(starts):
        stop = starts[number + 1][1] if number + 1 < len(starts) else len(lines)
        end = start + 1
        for index in range(start + 1, stop):
            text = lines[index].rstrip("\r\n")
            if text.strip() and text[0] != "#":
                end = index + 1  # indented content (or an indented comment followed by more)
        blocks.append(Block(key, start, end))
    return blocks


def fix_kustomization(text: str) -> tuple[str, tuple[str, ...]]:
    """The kustomization with its deprecated fields rewritten and nothing else changed, and those fields."""
    lines = text.splitlines(keepends=True)
    blocks = top_level_blocks(lines)
    if blocks is None or len({b.key for b in blocks}) != len(blocks):
        return fix_text(text)
    replacement: dict[Block, str] = {}
    fixed: set[str] = set()
    for successor in dict.fromkeys(SUCCESSOR[b.key] for b in blocks if b.key in SUCCESSOR):
        group = [b for b in blocks if successor in (b.key, SUCCESSOR.get(b.key))]
        rewritten, fields = fix_text("".join(_block_text(lines, b) for b in group))
        if not fields:
            continue
        out_lines = rewritten.splitlines(keepends=True)
        out_blocks = top_level_blocks(out_lines)
        if out_blocks is None:
            return fix_text(text)
        out = {b.key: "".join(out_lines[b.start : b.end]) for b in out_blocks}
        home = next((b for b in group if b.key == successor), None) or next(b for b in group if b.key in fields)
        for block in group:
            replacement[block] = out.pop(block.key, "") if block is not home else out.pop(successor, "")
        if out:  # a key the rewrite made that has no place here: take the whole-file rewrite
            return fix_text(text)
        fixed.update(fields)
    if not fixed:
        return text, ()
    order = {name: i for i, name in enumerate(SUCCESSOR)}
    return _splice(lines, replacement, text.endswith("\n")), tuple(sorted(fixed, key=order.__getitem__))


def _block_text(lines: list[str], block: Block) -> str:
    body = "".join(lines[block.start : block.end])
    return body if body.endswith("\n") else body + "\n"


def _splice(lines: list[str], replacement: dict[Block, str], final_newline: bool) -> str:
    out = list(lines)
    for block in sorted(replacement, key=lambda b: b.start, reverse=True):
        new = replacement[block].splitlines(keepends=True)
        end = block.end
        if not new and block.start > 0 and not out[block.start - 1].strip() and end < len(out) \
                and not out[end].strip():
            end += 1  # a removed block does not leave two blank lines behind
        out[block.start : end] = new
    text = "".join(out)
    return text if final_newline or not text.endswith("\n") else text[:-1]
