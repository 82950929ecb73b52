"""YAML scalar resolution: the YAML 1.2 core schema, applied after libyaml has composed the nodes.

Timestamps and binaries stay strings (Kubernetes objects are JSON). `PLAIN` is the tag the loader's
composer gives untagged plain scalars, whose type is decided here.
"""

from __future__ import annotations

import math
import re
from typing import Any

PLAIN = "plain"
_INT_SEP = str.maketrans("", "", "_")


_PLAIN_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_PLAIN_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_PLAIN_INT = re.compile(r"[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$")


def _plain(text: str) -> Any:
    """YAML 1.2 core-schema resolution of a plain scalar (timestamps stay strings)."""
    if text in _PLAIN_NULL:
        return None
    first = text[0]
    if first in "tTfF" and text in _PLAIN_BOOL:
        return _PLAIN_BOOL[text]
    if first in "+-.0123456789":
        if _PLAIN_INT.match(text):
            return _int(text)
        if _PLAIN_FLOAT.match(text):
            return _float(text)
    return text


def scalar_value(tag: str | None, text: str, style: str | None = None) -> Any:
    """Resolve a scalar as a YAML 1.2 safe loader would, keeping timestamps and binaries as strings."""
    if tag == PLAIN:
        return _plain(text)
    kind = (tag or "").rsplit(":", 1)[-1]
    if kind == "str" or style in ("'", '"', "|", ">"):
        return text
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on", "y")
    if kind == "int":
        return _int(text)
    if kind == "float":
        return _float(text)
    return text


def _int(text: str) -> Any:
    clean = text.translate(_INT_SEP)
    sign = -1 if clean.startswith("-") else 1
    body = clean.lstrip("+-")
    try:
        if body.startswith(("0x", "0X")):
            return sign * int(body[2:], 16)
        if body.startswith(("0o", "0O")):
            return sign * int(body[2:], 8)
        if body.startswith(("0b", "0B")):
            return sign * int(body[2:], 2)
        if ":" in body:  # sexagesimal (YAML 1.1)
            value = 0
            for part in body.split(":"):
                value = value * 60 + int(part)
            return sign * value
        return sign * int(body, 10)
    except ValueError:
        return text


def _float(text: str) -> Any:
    lower = text.lower().translate(_INT_SEP)
    if lower in (".inf", "+.inf"):
        return math.inf
    if lower == "-.inf":
        return -math.inf
    if lower == ".nan":
        return math.nan
    try:
        return float(lower)
    except ValueError:
        return text
