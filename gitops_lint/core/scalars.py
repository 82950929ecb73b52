"""YAML scalar resolution as go-yaml v3 does it (kustomize, kyaml, Flux and Argo CD read YAML with it).

That is the YAML 1.2 core schema plus what Go's number parsing accepts: a leading-zero octal
(`0644` is 420), `0o`/`0x`/`0b` prefixes, a sign, `_` anywhere in a number; `yes/no/on/off` and
sexagesimal `1:30` stay strings. Timestamps and binaries stay strings (Kubernetes objects are JSON).
`PLAIN` is the tag the loader's composer gives untagged plain scalars, whose type is decided here.
"""

from __future__ import annotations

import math
import re
from typing import Any

PLAIN = "plain"
_INT64 = 1 << 63
_UINT64 = 1 << 64

# YAML 1.1 booleans that go-yaml v3 reads as strings; go-yaml v2 (sigs.k8s.io/yaml, with which
# kustomize reads a kustomization file) reads them as booleans
YAML11_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_PLAIN_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
# Go's strconv.ParseInt(s, 0, 64) syntax (underscores already removed).
_GO_INT = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([0-9]+))$")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
# Go's ParseFloat (which go-yaml uses as is for a leading `.`): `_` only between digits
_DOT_FLOAT = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$")
_TIMESTAMP_START = re.compile(r"[0-9]{4}-")


def plain_value(text: str) -> Any:
    """go-yaml v3's resolution of an untagged plain scalar (timestamps stay strings)."""
    if text in _PLAIN_WORDS:
        return _PLAIN_WORDS[text]
    first = text[0]
    if first == ".":
        return float(text.replace("_", "")) if _DOT_FLOAT.match(text) else text
    if first not in "+-0123456789" or _TIMESTAMP_START.match(text):
        return text
    number = go_number(text.replace("_", ""))
    return text if number is None else number


def go_number(text: str) -> int | float | None:
    """`text` as go-yaml v3 reads a number once `_` are removed: an int64 or uint64 in Go's
    base-0 syntax (`0644` octal), else a finite float; None where it is no number."""
    match = _GO_INT.match(text)
    if match:
        sign, hexa, octal, binary, legacy_octal, decimal = match.groups()
        if hexa is not None:
            value = int(hexa, 16)
        elif octal is not None or legacy_octal is not None:
            value = int(octal or legacy_octal, 8)
        elif binary is not None:
            value = int(binary, 2)
        else:
            value = int(decimal, 10)
        value = -value if sign == "-" else value
        if -_INT64 <= value < _INT64 or (not sign and value < _UINT64):
            return value
    if _YAML_FLOAT.match(text):
        number = float(text)
        if not math.isinf(number):
            return number
    return None


_GO_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?(Z|[-+][0-9]{2}:[0-9]{2})"
    r"| ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?)?$"
)


def is_timestamp_like(text: str) -> bool:
    """Whether a plain scalar may be a go-yaml timestamp (`YYYY-`...; `go_timestamp` decides)."""
    return bool(_TIMESTAMP_START.match(text))


def go_timestamp(text: str) -> str | None:
    """A plain scalar that go-yaml reads as a timestamp, as Go's JSON encoding writes it
    (`2024-1-2` is "2024-01-02T00:00:00Z"); None where it is no timestamp (it stays a string)."""
    import datetime

    match = _GO_TIMESTAMP.match(text)
    if not match:
        return None
    g = match.groups()
    hour, minute, second, fraction, zone = (g[3:8] if g[3] is not None else (*g[8:12], None))
    try:
        datetime.datetime(int(g[0]), int(g[1]), int(g[2]), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    digits = (fraction or "")[:9].rstrip("0")
    zone = "Z" if zone in (None, "Z", "+00:00", "-00:00") else zone
    return (f"{int(g[0]):04d}-{int(g[1]):02d}-{int(g[2]):02d}T{int(hour or 0):02d}:{int(minute or 0):02d}:"
            f"{int(second or 0):02d}{'.' + digits if digits else ''}{zone}")


def scalar_value(tag: str | None, text: str, style: str | None = None) -> Any:
    """Resolve a scalar as go-yaml v3 would, keeping timestamps and binaries as strings."""
    if tag == PLAIN:
        return plain_value(text)
    kind = (tag or "").rsplit(":", 1)[-1]
    if kind == "str":  # an explicit tag wins over quoting: `!!int "0644"` is 420
        return text
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on", "y")  # yes/on: go-yaml reading into a bool
    if kind in ("int", "float"):
        resolved = plain_value(text) if text else text
        if isinstance(resolved, (int, float)) and not isinstance(resolved, bool):
            return float(resolved) if kind == "float" else resolved
        return text
    return text
