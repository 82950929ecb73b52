"""What the commands of the CLI share: the usage-error exit, the default format, the output stream, the
Helm options of `check` and `diff`."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click

EXIT_USAGE = 2
F = TypeVar("F", bound=Callable)


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


def helm_options(command: F) -> F:
    """`--helm-fetch` and `--helm-cache DIR` (parameters `helm_fetch`, `helm_cache`): `check` and `diff`."""
    command = click.option("--helm-cache", type=click.Path(file_okay=False), default=None,
                           help="Directory of the fetched-chart cache (default: the user's cache directory).")(command)
    return click.option("--helm-fetch", is_flag=True,
                        help="Fetch remote Helm charts (HTTP repositories, OCI registries) to render them.")(command)
