"""What every command of the CLI shares: the usage-error exit, the default format, the output stream."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click

EXIT_USAGE = 2


def fail(message: str) -> NoReturn:
    """Print `gitops-lint: message` on stderr and exit with the usage/internal-error code (2)."""
    click.echo(f"gitops-lint: {message}", err=True)
    sys.exit(EXIT_USAGE)


def default_format() -> str:
    """`github` under GitHub Actions, else `text`."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def use_color(stream) -> bool:
    """Colour on a terminal unless NO_COLOR is set."""
    return stream.isatty() and "NO_COLOR" not in os.environ


def output_stream(output: str | None):
    """The --output file, else stdout; a file name that is not UTF-8 is written back as its own bytes."""
    if output:
        return open(output, "w", encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="surrogateescape")
    return sys.stdout
