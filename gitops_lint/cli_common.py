"""What every command of the CLI shares: the usage-error exit."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

EXIT_USAGE = 2


def fail(message: str) -> NoReturn:
    """Print `gitops-lint: message` on stderr and exit with the usage/internal-error code (2)."""
    click.echo(f"gitops-lint: {message}", err=True)
    sys.exit(EXIT_USAGE)
