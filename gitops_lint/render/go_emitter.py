"""ruamel's emitter with go-yaml v2's line folding of plain and quoted scalars and its choice of
quotes, so that `build` prints long values as `kustomize build` does (sigs.k8s.io/yaml folds at 80
columns: at a single space once the line is past the width; ruamel would break earlier, even before
a value).
"""

from __future__ import annotations

from ruamel.yaml.emitter import Emitter

_BREAKS = "\n\x85\u2028\u2029"


class GoEmitter(Emitter):
    """Writes plain, single- and double-quoted scalars as go-yaml v2's emitter does."""

    def choose_scalar_style(self):
        """go-yaml prefers single quotes wherever they are allowed (ruamel: double, for a value
        holding a single quote)."""
        style = super().choose_scalar_style()
        value = self.event.value
        if (style == '"' and not self.event.style and "'" in value and "\n" not in value
                and self.analysis.allow_single_quoted and not self.simple_key_context):
            return "'"
        return style

    def _put(self, data: str) -> None:
        self.column += len(data)
        self.stream.write(data.encode(self.encoding) if self.encoding else data)

    def _root_indent(self) -> None:
        if self.root_context and self.requested_indent is not None:
            self.write_line_break()
            if self.requested_indent != 0:
                self.write_indent()

    def _fold_here(self, text: str, i: int, spaces: bool, split: bool) -> bool:
        return bool(split) and not spaces and self.column > self.best_width and 0 < i < len(text) - 1

    def write_plain(self, text, split=True) -> None:
        self._root_indent()
        if self.root_context and self.requested_indent is None:
            self.open_ended = True
        if not text:
            return
        if not self.whitespace:
            self._put(" ")
        self.whitespace = self.indention = False
        self._write_folding(text, split, quote="")
        self.whitespace = self.indention = False

    def _write_folding(self, text: str, split: bool, quote: str) -> None:
        """A plain (`quote` "") or single-quoted (`quote` "'", doubled inside) scalar's characters, folded
        at spaces past the width and with line breaks written as YAML needs them."""
        spaces = breaks = False
        for i, ch in enumerate(text):
            if ch == " ":
                if self._fold_here(text, i, spaces, split) and text[i + 1] != " ":
                    self.write_indent()
                else:
                    self._put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.write_line_break()
                self.write_line_break(None if ch == "\n" else ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self._put(ch * 2 if quote and ch == quote else ch)
                self.indention = spaces = breaks = False

    def write_single_quoted(self, text, split=True) -> None:
        self._root_indent()
        self.write_indicator("'", True)
        self._write_folding(text, split, quote="'")
        self.write_indicator("'", False)

    def write_double_quoted(self, text, split=True) -> None:
        self._root_indent()
        self.write_indicator('"', True)
        spaces = False
        for i, ch in enumerate(text):
            if ch in '"\\' or ch in _BREAKS or ch == "\ufeff" or not printable(ch):
                if ch in self.ESCAPE_REPLACEMENTS:
                    self._put("\\" + self.ESCAPE_REPLACEMENTS[ch])
                elif ch <= "\xff":
                    self._put(f"\\x{ord(ch):02X}")
                elif ch <= "\uffff":
                    self._put(f"\\u{ord(ch):04X}")
                else:
                    self._put(f"\\U{ord(ch):08X}")
                spaces = False
            elif ch == " ":
                if self._fold_here(text, i, spaces, split):
                    self.write_indent()
                    if text[i + 1] == " ":
                        self._put("\\")
                else:
                    self._put(ch)
                spaces = True
            else:
                self._put(ch)
                spaces = False
        self.write_indicator('"', False)


def printable(ch: str) -> bool:
    """Whether go-yaml writes the character as is (else escaped, in double quotes)."""
    o = ord(ch)
    return (0x20 <= o <= 0x7E or o == 0x0A or o == 0x85 or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF) or 0x10000 <= o <= 0x10FFFF)
