"""How kustomize reads a resource file, where that differs from a YAML parser: folded scalars,
missing values in flow mappings, and timestamps (plain `2024-01-02` becomes "2024-01-02T00:00:00Z").

kustomize keeps a folded (`>`) scalar's style and writes it back with go-yaml v3's emitter before
it builds the object. That emitter decides where a line break needs a blank line by looking at the
start of the whole value instead of at the next line, so the value that comes back differs from
the one in the file: a break before a more-indented line, or before trailing breaks, gains a blank
line; and when the value starts with a space, breaks between normal lines fold into spaces. This
module reproduces that round trip (measured with `kubectl kustomize`; it happens before patches).
"""

from __future__ import annotations

from typing import Any

from gitops_lint.core.loader import Document, parse_text
from gitops_lint.core.scalars import go_timestamp
from gitops_lint.render.resource import copy_data


def resource_data(doc: Document) -> Any:
    """A fresh copy of the document's data with its folded scalars, timestamps and the missing values
    of flow mappings (`{a: }`, which kustomize reads as ""), as kustomize reads a resource."""
    data = patch_data(doc)
    for path in doc.flow_empty or ():
        _parent(data, path)[path[-1]] = ""
    return data


def patch_data(doc: Document) -> Any:
    """A fresh copy of a strategic-merge patch's data with folded scalars and timestamps as kustomize
    reads them (a missing value in a flow mapping stays null there: it deletes the field)."""
    data = copy_data(doc.data)
    for path in doc.folded or ():
        if path[:2] == ("metadata", "annotations"):
            continue  # annotations are printed from the node's text, read before the round trip
        parent = _parent(data, path)
        parent[path[-1]] = folded_round_trip(parent[path[-1]])
    for path in doc.timestamps or ():
        if path[:2] != ("metadata", "annotations"):
            parent = _parent(data, path)
            parent[path[-1]] = go_timestamp(parent[path[-1]]) or parent[path[-1]]
    return data


def _parent(data: Any, path: tuple) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _block_allowed(value: str) -> bool:
    """go-yaml v3's analysis: a block scalar may hold the value (else it is double-quoted, exactly)."""
    if not value or value.endswith(" ") or " \n" in value:
        return False
    return all(c in "\t\n" or _printable(c) for c in value)


def _printable(c: str) -> bool:
    o = ord(c)
    return (0x20 <= o <= 0x7E or o == 0x85 or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD and o != 0xFEFF
            or o >= 0x10000)


def folded_text(value: str) -> str:
    """The folded block scalar go-yaml v3 writes for `value` (indentation 2, no line wrapping)."""
    head = ">"
    if value[0] in " \n":
        head += "2"
    if not value.endswith("\n"):
        head += "-"
    elif value == "\n" or value.endswith("\n\n"):
        head += "+"
    # go-yaml looks for the first non-break character of the whole value (`k := 0`), not the next line's
    content = value.lstrip("\n")
    extra_break = bool(content) and content[0] not in " \t"
    out = [head, "\n"]
    breaks = leading_spaces = True
    for c in value:
        if c == "\n":
            if not breaks and not leading_spaces and extra_break:
                out.append("\n")
            out.append("\n")
            breaks = True
            continue
        if breaks:
            out.append("  ")
            leading_spaces = c in " \t"
        out.append(c)
        breaks = False
    return "".join(out)


def folded_round_trip(value: Any) -> Any:
    """`value` (read from a folded scalar) after go-yaml v3 wrote it as a folded scalar and read it back."""
    if not isinstance(value, str) or not _block_allowed(value):
        return value
    parsed = parse_text("<folded>", "v: " + folded_text(value)).documents
    return parsed[0].data["v"] if parsed else value
