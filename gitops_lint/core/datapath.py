"""Walking paths (`("spec", "containers", 0, "image")`) through plain YAML/JSON data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MISSING: Any = object()  # sentinel: the path leads nowhere


def dig(data: Any, path: Iterable[str | int], default: Any = None) -> Any:
    """The value at `path` (dict keys and non-negative list indexes), else `default`."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return default
    return data


def has_path(data: Any, path: Iterable[str | int]) -> bool:
    """Whether `path` exists in `data` (a present `null` counts)."""
    return dig(data, path, MISSING) is not MISSING


def as_dict(value: Any) -> dict:
    """`value` when it is a mapping, else an empty one (for optional YAML mappings)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """`value` when it is a sequence, else an empty one (for optional YAML lists)."""
    return value if isinstance(value, list) else []
