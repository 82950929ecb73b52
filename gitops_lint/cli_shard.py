"""`gitops-lint merge`: combine the JSON reports of `check --shard K/N` into one report; the --shard option."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gitops_lint.api import FAIL_LEVELS, exit_code
from gitops_lint.cli_common import default_format as _default_format
from gitops_lint.cli_common import fail as _fail
from gitops_lint.cli_common import output_stream as _output_stream
from gitops_lint.cli_common import use_color as _use_color
from gitops_lint.core.config import ConfigError
from gitops_lint.lint.cards import CardError, load_cards
from gitops_lint.report import formats as report


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default=None,
              help="Output format (default: text; github under GitHub Actions).")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default=None,
              help="Lowest severity that makes the exit code 1 (default: error, or the config's fail_on).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="The config the shards ran with (its organisation rule cards and fail_on).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
def merge(reports, fmt, fail_on, config_path, output) -> None:
    """Combine the JSON (or SARIF) reports of `check --shard K/N` (K = 1..N) into one report.

    From JSON reports any format can be written; from SARIF reports, SARIF only."""
    from gitops_lint.core.config import load_config
    from gitops_lint.lint.shard import ShardError, merge_reports

    try:
        config = load_config(Path(config_path)) if config_path else None
        base = Path(config_path).parent if config_path else Path(".")
        cards = load_cards([base / d for d in config.rule_dirs] if config else ())
        texts = [Path(p).read_text(encoding="utf-8") for p in reports]
        merged = merge_reports(texts, {c.id for c in cards if c.stage == "suppressions" and c.scope != "file"})
    except (ConfigError, CardError, ShardError, OSError, UnicodeDecodeError) as exc:
        _fail(str(exc))
    chosen = [c for c in cards if c.id in set(merged.rules)]
    fmt = fmt or ("sarif" if merged.sarif else _default_format())
    if merged.sarif and fmt != "sarif":
        _fail("SARIF reports merge into SARIF only (--format sarif); merge the JSON reports for other formats")
    stream = _output_stream(output)
    try:
        stream.write(report.render(fmt, merged.findings, merged.summary, chosen, color=_use_color(stream),
                                   fetched=merged.fetched))
    finally:
        if output:
            stream.close()
    sys.exit(exit_code(merged.findings, fail_on or (config.fail_on if config else "error")))


def shard_option(spec: str) -> tuple[int, int]:
    """`check --shard K/N` as (K, N); a usage error otherwise."""
    from gitops_lint.lint.shard import ShardError, parse_shard  # only sharded runs import it

    try:
        return parse_shard(spec)
    except ShardError as exc:
        _fail(str(exc))
