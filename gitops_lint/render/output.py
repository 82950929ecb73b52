"""A `kustomize build`-like YAML stream for rendered objects."""

from __future__ import annotations

import decimal
import functools
import io
import math
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import SafeRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from gitops_lint.core.scalars import PLAIN, YAML11_BOOLS, go_timestamp, is_timestamp_like, scalar_value
from gitops_lint.render.go_emitter import GoEmitter, printable

_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TAGS = {type(None): "null", bool: "bool", int: "int", float: "float", str: "str"}


def go_reads_as(text: str) -> str:
    """The type go-yaml v2 (kustomize's printer) gives a plain scalar: null, bool, int, float,
    timestamp or str; a string it would not read back as one is quoted when printed."""
    if text in YAML11_BOOLS:
        return "bool"
    if _BASE60.match(text) or (is_timestamp_like(text) and go_timestamp(text) is not None):
        return "timestamp"
    return _TAGS.get(type(scalar_value(PLAIN, text)), "str")


class _GoResolver(VersionedResolver):
    """Decides, as go-yaml v2 would, which plain scalars need quotes when printed."""

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            return Tag(suffix=f"tag:yaml.org,2002:{go_reads_as(value) if value else 'null'}")
        return super().resolve(kind, value, implicit)


class _Representer(SafeRepresenter):
    def represent_str(self, data: str):
        if "\n" in data and _block_allowed(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style="|")
        if not data or go_reads_as(data) != "str":
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


def go_float(value: float) -> str:
    """A float as go-yaml v2 prints it (Go's shortest %g: `1e+20`, `1.2345675e+06`, `0.5`)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    digits, point = _shortest(value)
    exp10 = point - 1
    if exp10 < -4 or exp10 >= 6:  # Go's %g with the shortest digits decides with precision 6
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{'-' if value < 0 else ''}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    return repr(value)


def _shortest(value: float) -> tuple[str, int]:
    """The shortest round-trip digits of |value| and where the point goes (0.0125 -> "125", -1)."""
    _, digits, exponent = decimal.Decimal(repr(abs(value))).normalize().as_tuple()
    return "".join(map(str, digits)), len(digits) + int(exponent)  # finite: an int exponent


def _block_allowed(data: str) -> bool:
    """go-yaml v2 writes a multi-line string as a literal block unless a space ends it or a line,
    or it holds a character it escapes (a tab, a carriage return...); then double-quoted."""
    return not data.endswith(" ") and " \n" not in data and all(c == "\n" or printable(c) for c in data)


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(
    float, lambda rep, data: rep.represent_scalar("tag:yaml.org,2002:float", go_float(data))
)


def _yaml() -> YAML:
    y = YAML(typ="safe", pure=True)
    y.Representer = _Representer
    y.default_flow_style = False
    y.Emitter = GoEmitter
    y.Resolver = _GoResolver
    y.width = 80  # sigs.k8s.io/yaml's width: long plain and quoted scalars fold past it
    # keys are put in go-yaml's order first (`_ordered`); ruamel types this option as None
    y.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    return y


def to_yaml(objects: list[dict]) -> str:
    """Objects as a `---`-separated YAML stream, keys sorted as `kustomize build` prints them."""
    y = _yaml()
    parts = []
    for obj in objects:
        buf = io.StringIO()
        y.dump(_ordered(obj), buf)
        text = buf.getvalue()
        # ruamel ends a document whose last scalar keeps its trailing breaks (`|+`) with `...`;
        # kustomize prints each object on its own and never does
        parts.append(text[:-4] if text.endswith("\n...\n") else text)
    return "---\n".join(parts)


def go_key_less(a: str, b: str) -> bool:
    """go-yaml v2's map key order (kustomize prints with it): at the first differing character two
    letters compare by code point, a non-letter sorts before a letter, and digit runs compare as
    numbers (`k2` before `k10`), then by length."""
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        a_letter, b_letter = a[i].isalpha(), b[i].isalpha()
        if a_letter and b_letter:
            return a[i] < b[i]
        if a_letter or b_letter:
            return b_letter
        an = bn = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai, bi = i, i
        while ai < len(a) and a[ai].isdecimal():
            an, ai = an * 10 + ord(a[ai]) - 48, ai + 1
        while bi < len(b) and b[bi].isdecimal():
            bn, bi = bn * 10 + ord(b[bi]) - 48, bi + 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


def _go_key_cmp(a: str, b: str) -> int:
    return -1 if go_key_less(a, b) else int(go_key_less(b, a))


_GO_KEY = functools.cmp_to_key(_go_key_cmp)
_PLAIN_KEY = re.compile(r"[a-z]*$")  # keys whose go-yaml order is plain string order


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        if len(keys) > 1:
            plain = all(isinstance(k, str) and _PLAIN_KEY.match(k) for k in keys)
            keys.sort(key=None if plain else lambda k: _GO_KEY(str(k)))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value
