"""Values as the operators merge them, and where each value was set.

`merge_maps` is the recursive map merge that Flux (`transform.MergeMaps`) and Helm's `-f` files use: the
later map wins, nested maps merge. `set_path` is Helm's `--set`/strvals assignment (`a.b[0].c=v`, `\\.`
escapes a dot) with its typed values (`true`/`false`, `null`, integers without a leading zero) unless the
value is forced to a string. A `TracedValues` remembers, for every leaf, the file and line that set it,
so findings on a rendered chart (and schema violations) can point at the values line."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gitops_lint.core.datapath import has_path
from gitops_lint.core.findings import Position
from gitops_lint.core.loader import Document, parse_text

PathKey = tuple  # ("image", "tag") or ("ports", 0)
Locate = Callable[[PathKey], tuple[str, Position]]  # values path -> (file, position)
_INT = re.compile(r"^-?[1-9][0-9]*$|^0$")


def merge_maps(base: dict, override: dict) -> dict:
    """A new map: `override` merged into `base` (nested maps merge, anything else is replaced)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def typed_value(text: str) -> Any:
    """Helm strvals' typing of an unquoted `--set` value."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if _INT.match(text):
        return int(text)
    return text


def parse_path(path: str) -> list[str | int]:
    """`a.b\\.c[1].d` → ["a", "b.c", 1, "d"] (strvals key syntax)."""
    parts: list[str | int] = []
    current = ""
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path):
            current += path[i + 1]
            i += 2
            continue
        if ch == ".":
            if current:
                parts.append(current)
            current = ""
        elif ch == "[":
            end = path.find("]", i)
            if end < 0 or not path[i + 1:end].isdigit():
                raise ValueError(f"bad index in {path!r}")
            if current:
                parts.append(current)
            current = ""
            parts.append(int(path[i + 1:end]))
            i = end
        else:
            current += ch
        i += 1
    if current:
        parts.append(current)
    if not parts:
        raise ValueError("empty path")
    return parts


def set_path(values: dict, path: str, value: Any) -> None:
    """Assign `value` at the strvals `path` inside `values` (lists grow with nulls as Helm's do)."""
    parts = parse_path(path)
    node: Any = values
    for part, nxt in zip(parts, [*parts[1:], None], strict=True):
        last = nxt is None
        fresh: Any = value if last else ([] if isinstance(nxt, int) else {})
        if isinstance(part, int):
            if not isinstance(node, list):
                raise ValueError(f"{path!r}: index into a non-list")
            node.extend([None] * (part + 1 - len(node)))
            if last or not isinstance(node[part], (dict, list)):
                node[part] = fresh
        else:
            if not isinstance(node, dict):
                raise ValueError(f"{path!r}: key into a non-map")
            if last or not isinstance(node.get(part), (dict, list)):
                node[part] = fresh
        node = node[part]


def leaf_paths(data: Any, prefix: PathKey = ()) -> list[PathKey]:
    """Paths of every scalar (and empty container) in `data`."""
    if isinstance(data, dict) and data:
        return [p for k, v in data.items() for p in leaf_paths(v, (*prefix, k))]
    if isinstance(data, list) and data:
        return [p for i, v in enumerate(data) for p in leaf_paths(v, (*prefix, i))]
    return [prefix]


@dataclass
class ValuesLayer:
    """One source of values in merge order: its data and how to find the line of each value."""

    data: dict
    locate: Locate
    secret: bool = False  # from a Secret: never quoted in any output


@dataclass
class TracedValues:
    """The merged user values of one release and, per leaf, the layer that set it (last one wins)."""

    values: dict = field(default_factory=dict)
    # each step in order: (None, None, layer) merged the layer; (path, value, layer) assigned one path
    steps: list[tuple[str | None, Any, ValuesLayer]] = field(default_factory=list, repr=False)

    @property
    def layers(self) -> list[ValuesLayer]:
        """The layer of each step, in order."""
        return [layer for _, _, layer in self.steps]

    def add(self, layer: ValuesLayer) -> None:
        """Merge `layer` over what is there (Flux/Helm map merge)."""
        self.values = merge_maps(self.values, layer.data)
        self.steps.append((None, None, layer))

    def set(self, path: str, value: Any, layer: ValuesLayer) -> None:
        """Assign one strvals path (Argo parameters, Flux `targetPath`) from `layer`."""
        set_path(self.values, path, copy.deepcopy(value))
        self.steps.append((path, value, layer))

    def with_layers(self, extra: list[tuple[int, ValuesLayer]]) -> TracedValues:
        """New values: these steps replayed in order with each `(k, layer)` of `extra` merged just before
        step k (value files known only later, read from a fetched chart, at their place in the list).
        Only the steps are replayed: a change made to `values` directly is not (without `extra`, self)."""
        if not extra:
            return self
        out = TracedValues()
        for k in range(len(self.steps) + 1):
            for _, layer in (e for e in extra if e[0] == k):
                out.add(layer)
            if k < len(self.steps):
                path, value, layer = self.steps[k]
                if path is None:
                    out.add(layer)
                else:
                    out.set(path, value, layer)
        return out

    def origin(self, path: PathKey) -> tuple[str, Position, bool] | None:
        """(file, position, secret) of the layer that last set `path` or its nearest ancestor."""
        probe = tuple(path)
        layers = self.layers[::-1]
        while probe:
            for layer in layers:
                if has_path(layer.data, probe):
                    return (*layer.locate(probe), layer.secret)
            probe = probe[:-1]
        return None

    @property
    def has_secret(self) -> bool:
        return any(layer.secret for layer in self.layers)

    def secret_strings(self) -> list[str]:
        """Every value (6 characters or more) that came from a Secret, as text, longest first: scrubbed
        from rendered objects so that no secret reaches a message or a diff."""
        found = {str(v) for layer in self.layers if layer.secret for v in _scalars(layer.data)
                 if v is not None and not isinstance(v, bool) and len(str(v)) >= 6}
        return sorted(found, key=len, reverse=True)


def _scalars(data: Any) -> list:
    if isinstance(data, dict):
        return [s for v in data.values() for s in _scalars(v)]
    if isinstance(data, list):
        return [s for v in data for s in _scalars(v)]
    return [data]


SECRET_MARKER = "<redacted>"  # what replaces a value from a Secret in rendered output


def scrub(data: Any, secrets: list[str], marker: str = SECRET_MARKER) -> Any:
    """`data` with every occurrence of a secret string replaced by `marker` (a copy; no-op without any)."""
    if not secrets:
        return data
    if isinstance(data, dict):
        return {k: scrub(v, secrets, marker) for k, v in data.items()}
    if isinstance(data, list):
        return [scrub(v, secrets, marker) for v in data]
    if isinstance(data, (str, int, float)) and not isinstance(data, bool):
        text = str(data)
        hit = False
        for secret in secrets:
            if secret in text:
                text, hit = text.replace(secret, marker), True
        return text if hit else data
    return data


def embedded_layer(text: str, file: str, at: Position, block: bool, secret: bool = False) -> ValuesLayer | str:
    """A layer from YAML text embedded in a string field at `at` (a ConfigMap key, Argo `helm.values`):
    lines inside it are offset from the field's line (`block`: a `|` scalar starting on the next line).
    Returns the parse error's message when the text is not a YAML mapping."""
    parsed = parse_text(file, text)
    if parsed.violations:
        return parsed.violations[0].message
    doc = parsed.documents[0] if parsed.documents else None
    data = doc.data if doc is not None else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return "values are not a YAML mapping"

    def locate(path: PathKey) -> tuple[str, Position]:
        if doc is None or block is False:
            return file, at
        inner = doc.position(path)
        return file, Position(at.line + inner.line, inner.column)

    return ValuesLayer(data, locate, secret)


def path_layer(path: str, value: Any, file: str, position: Position, secret: bool = False) -> ValuesLayer:
    """A layer holding one strvals assignment (so `origin` can find it), placed at `position`."""
    data: dict = {}
    set_path(data, path, value)
    return ValuesLayer(data, lambda _p: (file, position), secret)


SCHEMA_PATH = re.compile(r"at '(/[^']*)'")


def schema_error_paths(message: str) -> list[PathKey]:
    """Values paths named by Helm's schema-violation message (`- at '/image/tag': …`)."""
    out = []
    for match in SCHEMA_PATH.finditer(message):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in match.group(1).strip("/").split("/") if p]
        out.append(tuple(int(p) if p.isdigit() else p for p in parts))
    return out


def document_locator(doc: Document) -> Locate:
    """Where each values path of a parsed values document is written."""
    return lambda path: (doc.path, doc.position(path))
