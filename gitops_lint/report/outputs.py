"""Several reports from one run: `--output-format FORMAT=PATH`, repeatable, next to the main report."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path


class OutputSpecError(ValueError):
    """A `FORMAT=PATH` value that names no known format, no path, or a path used twice."""


def parse_output_formats(values: Iterable[str], formats: Iterable[str],
                         taken: Iterable[str | None] = ()) -> list[tuple[str, Path]]:
    """Parse `FORMAT=PATH` values; `taken` holds paths already written by the run (e.g. --output)."""
    known = tuple(formats)
    seen = {str(Path(p)) for p in taken if p}
    out = []
    for value in values:
        fmt, sep, path = value.partition("=")
        fmt, path = fmt.strip(), path.strip()
        if not sep or not path:
            raise OutputSpecError(f"--output-format {value!r}: expected FORMAT=PATH")
        if fmt not in known:
            raise OutputSpecError(f"--output-format {value!r}: unknown format {fmt!r} (one of {', '.join(known)})")
        if str(Path(path)) in seen:
            raise OutputSpecError(f"--output-format {value!r}: {path} is written twice")
        seen.add(str(Path(path)))
        out.append((fmt, Path(path)))
    return out


def write_outputs(outputs: list[tuple[str, Path]], render: Callable[[str], str]) -> None:
    """Write `render(fmt)` to each path (UTF-8; a file name that is not UTF-8 keeps its own bytes)."""
    for fmt, path in outputs:
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(render(fmt))
