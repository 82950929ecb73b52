"""What a resource looks like in a diff: stripped attributes, lists in merge-key order, secrets masked.

Masking is pairwise: a secret value is compared between base and head and replaced by a marker that
says only whether it changed — `<unchanged>` on both sides, or `<redacted>` (base) and `<changed>`
(head); a key only on one side shows as `<added>` or `<redacted>`.

No hash of a value is ever shown. A short hash of a plaintext value is an offline oracle: a
password, PIN or token of low entropy is found by hashing candidates until one matches, and the PR
comment that carries the hash may be read by far more people than the Secret. A keyed hash would
only say "changed" again, and equal hashes across environments would leak that two secrets are the
same. So the markers carry one bit: changed or not.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

UNCHANGED, CHANGED, REDACTED, ADDED = "<unchanged>", "<changed>", "<redacted>", "<added>"
_MARKERS = frozenset((UNCHANGED, CHANGED, REDACTED, ADDED))
_MISSING = object()
_MERGE_KEYS = ("name", "mountPath", "containerPort", "port", "devicePath", "ip", "key", "topologyKey")
_SOPS_VALUE = re.compile(r"^ENC\[[A-Z0-9_]+,")
_SEALED_KINDS = ("SealedSecret",)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


# -- strip ------------------------------------------------------------------------------------------
def parse_strip(pattern: str) -> tuple[str, ...]:
    """`metadata.annotations[checksum/*]` -> ("metadata", "annotations", "checksum/*").

    Segments are separated by dots; a bracketed segment may contain dots and slashes; segments are
    fnmatch patterns (`*` matches any one key or list item).
    """
    parts: list[str] = []
    for match in re.finditer(r"\[([^\]]*)\]|([^.\[\]]+)", pattern):
        parts.append(match.group(1) if match.group(1) is not None else match.group(2))
    return tuple(parts)


def strip(data: Any, patterns: list[tuple[str, ...]]) -> Any:
    """A copy of `data` without the attributes matching any pattern."""
    for pattern in patterns:
        data = _strip_one(data, pattern)
    return data


def _strip_one(node: Any, pattern: tuple[str, ...]) -> Any:
    if not pattern:
        return node
    head, rest = pattern[0], pattern[1:]
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if fnmatch.fnmatchcase(str(key), head):
                if rest:
                    stripped = _strip_one(value, rest)
                    if stripped or not value:  # drop a mapping that only held stripped attributes
                        out[key] = stripped
            else:
                out[key] = value
        return out
    if isinstance(node, list) and head == "*":
        return [_strip_one(item, rest) for item in node] if rest else []
    return node


# -- merge-key order --------------------------------------------------------------------------------
def canonical(node: Any) -> Any:
    """Lists of mappings sorted by their merge key (name, mountPath, port…), recursively."""
    if isinstance(node, dict):
        return {k: canonical(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [canonical(v) for v in node]
        key = _merge_key(items)
        return sorted(items, key=lambda i: str(i[key])) if key else items
    return node


def _merge_key(items: list) -> str | None:
    if len(items) < 2 or not all(isinstance(i, dict) for i in items):
        return None
    for key in _MERGE_KEYS:
        values = [i.get(key, _MISSING) for i in items]
        if _MISSING not in values and len(
            {json.dumps(v, sort_keys=True, default=str) for v in values}
        ) == len(values):
            return key
    return None


# -- secrets ----------------------------------------------------------------------------------------
def is_sops(data: dict) -> bool:
    return isinstance(data.get("sops"), dict)


def secret_roots(data: dict) -> list[tuple]:
    """Paths below which every leaf value is secret, for this object's kind."""
    kind = data.get("kind")
    roots: list[tuple] = []
    if kind == "Secret":
        roots += [("data",), ("stringData",), ("metadata", "annotations", LAST_APPLIED)]
    if kind in _SEALED_KINDS:
        roots += [("spec", "encryptedData"), ("spec", "template", "data"), ("spec", "data")]
    if is_sops(data):
        roots += [("sops",), ("data",), ("stringData",)]
    return roots


def mask_pair(base: dict | None, head: dict | None) -> tuple[dict | None, dict | None]:
    """Base and head with every secret leaf replaced by a marker saying whether it changed."""
    roots = set(secret_roots(base or {})) | set(secret_roots(head or {}))
    masked_base = _mask(base, head, roots, side="base") if base is not None else None
    masked_head = _mask(head, base, roots, side="head") if head is not None else None
    return masked_base, masked_head


def _mask(node: Any, other: Any, roots: set[tuple], side: str, path: tuple = (), secret: bool = False) -> Any:
    secret = secret or path in roots
    if isinstance(node, dict):
        return {k: _mask(v, _child(other, k), roots, side, path + (k,), secret) for k, v in node.items()}
    if isinstance(node, list):
        return [_mask(v, _child(other, i), roots, side, path + (i,), secret) for i, v in enumerate(node)]
    if secret or (isinstance(node, str) and _SOPS_VALUE.match(node)):
        return _marker(node, other, side)
    return node


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, dict):
        return node.get(key, _MISSING)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return _MISSING


def _marker(value: Any, other: Any, side: str) -> str:
    if other is _MISSING or other is None and value is not None:
        return ADDED if side == "head" else REDACTED
    if value == other:
        return UNCHANGED
    return CHANGED if side == "head" else REDACTED


def mask_single(data: dict) -> dict:
    """An object shown on one side only (added or removed): every secret leaf redacted."""
    roots = set(secret_roots(data))
    return _mask(data, _MISSING, roots, side="base")


# -- display ----------------------------------------------------------------------------------------
_PLAIN = re.compile(r"^[A-Za-z0-9_./@${}()=+-][A-Za-z0-9_ ./:@${}()=+,<>*-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return _string(str(value))


@functools.lru_cache(maxsize=65536)
def _string(text: str) -> str:
    if text in _MARKERS:
        return text
    if (
        _PLAIN.match(text)
        and text.lower() not in _RESERVED
        and not text.endswith((" ", ":"))
        and ": " not in text
        and " #" not in text
        and not _looks_numeric(text)
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _looks_numeric(text: str) -> bool:
    if text[:1] not in "0123456789+-." or not text:
        return False
    try:
        float(text)
    except ValueError:
        return text.startswith("0x") or text.startswith("0o")
    return True


def to_yaml(node: Any) -> str:
    """A small, fast, deterministic YAML rendering for display (block style, keys in given order)."""
    return "".join(_emit(node, 0)) or "{}\n"


def _key(key: Any) -> str:
    return _scalar(key) if isinstance(key, str) else json.dumps(str(key))


def _emit(node: Any, indent: int) -> Iterator[str]:
    pad = " " * indent
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, (dict, list)) and v:
                yield f"{pad}{_key(k)}:\n"
                yield from _emit(v, indent + 2 if isinstance(v, dict) else indent)
            else:
                yield f"{pad}{_key(k)}: {_inline(v)}\n"
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)) and item:
                lines = list(_emit(item, indent + 2))
                first = lines[0]
                yield f"{pad}- {first[indent + 2 :]}"
                yield from lines[1:]
            else:
                yield f"{pad}- {_inline(item)}\n"
    else:
        yield f"{pad}{_inline(node)}\n"


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def unified(before: str, after: str, label: str, context: int = 3) -> str:
    """The unified diff of two YAML renderings (empty when equal)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
        n=context,
    )
    return "".join(lines)
