"""The `gitops-lint` command line: parse options, call the library, pick a reporter, set the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from gitops_lint import __version__
from gitops_lint.api import FAIL_LEVELS, exit_code, explain_file, lint_path, read_baseline, write_baseline
from gitops_lint.cli_common import default_format as _default_format
from gitops_lint.cli_common import fail as _fail
from gitops_lint.cli_common import helm_options
from gitops_lint.cli_common import output_stream as _output_stream
from gitops_lint.cli_common import use_color as _use_color
from gitops_lint.cli_integrations import github, gitlab
from gitops_lint.cli_shard import merge, shard_option
from gitops_lint.console import run
from gitops_lint.core.config import ConfigError
from gitops_lint.core.source import SourceError
from gitops_lint.lint.cards import CardError, load_cards
from gitops_lint.report import formats as report
from gitops_lint.report.summary import Summary


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


class _Commands(click.Group):
    """The command group; an unexpected exception in any command is an internal error (exit 2), shown as
    one line naming where it happened, never as a Python traceback (GITOPS_LINT_DEBUG=1 re-raises)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("GITOPS_LINT_DEBUG"):
                raise
            import traceback

            where = traceback.extract_tb(exc.__traceback__)[-1]
            _fail(f"internal error: {exc.__class__.__name__}: {exc} "
                  f"[{where.filename.rsplit('/', 1)[-1]}:{where.lineno}]; please report it")


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitops-lint")
def main() -> None:
    """Lint GitOps repositories: kustomize layouts, Argo CD and Flux objects, secrets, workloads."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default=None,
              help="Output format (default: text; github under GitHub Actions).")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default=None,
              help="Lowest severity that makes the exit code 1 (default: error, or the config's fail_on).")
@click.option("--select", multiple=True, help="Only these rules (ids, names or id prefixes; comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (ids, names or id prefixes; comma-separated).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Config file.")
@click.option("--baseline", "baseline_path", type=click.Path(exists=True, dir_okay=False),
              help="Report only findings that are not in this baseline file.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Parallel workers (default: CPUs).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes in place (comments and layout kept), then lint.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: the unsafe fixes too (see each rule's docs).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the unified diff that --fix would apply and write nothing (exit 1 if anything would change).")
@click.option("--output-format", "output_formats", multiple=True, metavar="FORMAT=PATH",
              help="Also write the report in FORMAT to PATH (repeatable; the repository is parsed once).")
@helm_options
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Keep the cache of earlier runs here (default: the config's cache_dir, else the user cache dir).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option("--shard", "shard_spec", metavar="K/N",
              help="Check shard K of N: its share of the kustomization roots and files, plus (shard 1) the "
                   "repository-wide rules (CI matrices; combine the JSON reports with `merge`).")
def check(paths, fmt, fail_on, select, ignore, config_path, baseline_path, jobs, output, fix, unsafe_fixes,
          show_diff, output_formats, helm_fetch, helm_cache, cache_dir, no_cache, quiet, shard_spec) -> None:
    """Lint a repository (PATH: a directory, default `.`; files: check what they touch, report on them)."""
    root, only = _root_and_files(paths)
    shard = shard_option(shard_spec) if shard_spec else None
    extra_outputs = _extra_outputs(output_formats, report.FORMATS, output)
    if unsafe_fixes and not (fix or show_diff):
        _fail("--unsafe-fixes needs --fix or --diff")
    try:
        if fix or show_diff:
            _fix(root, config_path, select, ignore, only, unsafe=unsafe_fixes, dry_run=show_diff)
        baseline = read_baseline(Path(baseline_path)) if baseline_path else None
        result = lint_path(root, config_path=config_path, select=_split(select), ignore=_split(ignore),
                           jobs=jobs, baseline=baseline, progress=None if quiet else _progress(),
                           helm_fetch=helm_fetch, helm_cache=helm_cache, use_cache=not no_cache,
                           cache_dir=Path(cache_dir) if cache_dir else None, shard=shard,
                           files=sorted(only) if only else None)
    except (ConfigError, CardError, SourceError, ValueError) as exc:
        _fail(str(exc))
    findings = [f for f in result.findings if not only or f.path in only or f.is_internal_error]
    summary = Summary.of(
        findings, files=result.file_count, documents=result.document_count,
        rules=len(result.cards), suppressed=len(result.result.suppressed), baselined=len(result.result.baselined),
    )
    fmt = fmt or _default_format()
    block = None
    if shard:
        from gitops_lint.lint.shard import shard_block, with_block

        block = shard_block(*shard, result.cards, findings)

    def render(form: str, color: bool = False) -> str:
        text = report.render(form, findings, summary, result.cards, color=color, fetched=result.fetched)
        return with_block(text, form, block) if block else text

    stream = _output_stream(output)
    try:
        stream.write(render(fmt, color=_use_color(stream)))
    finally:
        if output:
            stream.close()
    _write_extra_outputs(extra_outputs, render)
    sys.exit(exit_code(findings, fail_on or result.fail_on))


def _fix(root: Path, config_path, select, ignore, only: set[str], *, unsafe: bool, dry_run: bool) -> None:
    """Plan the fixes of the selected rules; print them as a diff and exit (dry run), or write them."""
    from gitops_lint.api import plan_fixes
    from gitops_lint.lint import autofix

    fixes = plan_fixes(root, config_path=config_path, select=_split(select), ignore=_split(ignore), only=only,
                       unsafe=unsafe)
    for note in fixes.skipped:
        click.echo(f"gitops-lint: {note}", err=True)
    if dry_run:
        click.echo(fixes.diff(), nl=False)
        sys.exit(1 if fixes.files else 0)
    autofix.write(root, fixes)
    for fixed in fixes.files:
        click.echo(f"fixed {fixed.path}: {', '.join(fixed.rules)}", err=True)


def _extra_outputs(values: tuple[str, ...], formats, output: str | None) -> list:
    """The parsed --output-format values (a bad one is a usage error before any work is done)."""
    from gitops_lint.report.outputs import OutputSpecError, parse_output_formats

    try:
        return parse_output_formats(values, formats, taken=[output])
    except OutputSpecError as exc:
        _fail(str(exc))


def _write_extra_outputs(outputs: list, render) -> None:
    """Write each --output-format report; an unwritable path is a usage error."""
    from gitops_lint.report.outputs import write_outputs

    try:
        write_outputs(outputs, render)
    except OSError as exc:
        _fail(f"--output-format: {exc.filename}: {exc.strerror}")


def _progress():
    """A one-line progress display on stderr, only when stderr is a terminal and once the run has
    taken over a second."""
    if not sys.stderr.isatty():
        return None
    import time

    start = time.monotonic()
    shown = [False]

    def show(stage: str, done: int, total: int) -> None:
        if not shown[0] and time.monotonic() - start < 1.0:
            return
        shown[0] = True
        width = 24
        filled = width * done // max(total, 1)
        end = "\n" if done == total and total > 1 else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {stage[:40]:<40}{end}")
        sys.stderr.flush()

    return show


def _root_and_files(paths: tuple[str, ...]) -> tuple[Path, set[str]]:
    """The repository root to lint and, when files were named, the repo-relative files to report on."""
    if not paths:
        return Path("."), set()
    dirs = [Path(p) for p in paths if Path(p).is_dir()]
    files = [Path(p) for p in paths if not Path(p).is_dir()]
    if len(dirs) > 1 or (dirs and files):
        _fail("give one directory, or files inside the current directory")
    if dirs:
        return dirs[0], set()
    root = Path(".").resolve()
    rel = set()
    for f in files:
        try:
            rel.add(f.resolve().relative_to(root).as_posix())
        except ValueError:
            _fail(f"{f}: outside the current directory")
    return Path("."), rel


def _lint_or_fail(path: str, config_path: str | None):
    """Lint with every rule; a configuration, card or source error ends the command (exit 2)."""
    try:
        return lint_path(path, config_path=config_path)
    except (ConfigError, CardError, SourceError) as exc:
        _fail(str(exc))


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Baseline file to write.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Config file.")
def baseline(path, output, config_path) -> None:
    """Record today's findings so that `check --baseline` reports only new ones."""
    result = _lint_or_fail(path, config_path)
    if result.result.internal_error:
        _fail("internal error while linting; baseline not written")
    write_baseline(result.findings, Path(output))
    click.echo(f"wrote {len(result.findings)} finding(s) to {output}")


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Config file.")
def scorecard(path, fmt, config_path) -> None:
    """Score the repository against the GitOps checklist (exit 1 when an item fails)."""
    from gitops_lint.lint import scorecard as card

    result = _lint_or_fail(path, config_path)
    if result.result.internal_error:
        _fail("internal error while linting: " + next(f.message for f in result.findings if f.is_internal_error))
    results = card.score(result.repo, result.findings, result.pack, result.result.rules_run)
    click.echo(card.render(results, fmt), nl=False)
    sys.exit(1 if any(r.status == "fail" for r in results) else 0)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--load-restrictor", type=click.Choice(["rootonly", "none"]), default="rootonly",
              help="rootonly (kustomize's default): files only from inside the kustomization's directory tree.")
@click.option("--renderer", type=click.Choice(["builtin", "kubectl", "kustomize"]), default="builtin",
              help="Render with the built-in renderer (default) or delegate to an installed binary.")
@click.option("--repo-root", "--root", "repo_root", type=click.Path(exists=True, file_okay=False),
              help="Repository root that confines file access (default: the git work tree; outside git, "
                   "the current directory or DIRECTORY, widened to what its kustomizations reference).")
def build(directory, load_restrictor, renderer, repo_root) -> None:
    """Render a kustomization directory like `kustomize build` (offline; nothing is executed)."""
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.render import RenderError, render

    root = Path(repo_root) if repo_root else _git_work_tree(Path(directory))
    if root is None:
        from gitops_lint.model.build_root import build_root

        root = build_root(Path(directory), Path.cwd())
    try:
        relative = Path(directory).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        _fail(f"{directory} is outside the repository root {root}")
    tree = WorkingTree(root)
    try:
        if renderer == "builtin":
            result = render(tree, "" if relative == "." else relative, load_restrictor=load_restrictor)
        else:
            from gitops_lint.render.external import render_external

            result = render_external(tree, relative, renderer=renderer, load_restrictor=load_restrictor)
    except RenderError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(result.to_yaml(), nl=False)


def _git_work_tree(directory: Path) -> Path | None:
    """The git work tree containing `directory`, None outside git."""
    import subprocess

    from gitops_lint.core.source import GIT_SAFETY

    proc = subprocess.run(["git", *GIT_SAFETY, "-C", str(directory), "rev-parse", "--show-toplevel"],
                          capture_output=True, text=True, check=False)
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
def list_rules(fmt) -> None:
    """List every rule of the pack (from the rule cards)."""
    from gitops_lint.lint.docs import rules_table

    try:
        cards = load_cards()
    except CardError as exc:
        _fail(str(exc))
    click.echo(rules_table(cards, fmt), nl=False)


@main.command()
@click.argument("rule_id")
def explain(rule_id) -> None:
    """Explain one rule: what it catches, why, how to fix, with examples."""
    try:
        cards = load_cards()
    except CardError as exc:
        _fail(str(exc))
    wanted = rule_id.strip()
    card = next((c for c in cards if c.id.lower() == wanted.lower() or c.name == wanted), None)
    if card is None:
        _fail(f"unknown rule {rule_id!r}; `gitops-lint rules` lists them")
    from gitops_lint.lint.docs import explain_card

    click.echo(explain_card(card))


@main.command(name="explain-file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--repo", "repo_root", type=click.Path(exists=True, file_okay=False),
              help="Repository root (default: the nearest directory above PATH holding .git, else `.`).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Config file.")
def explain_file_command(path, repo_root, config_path) -> None:
    """Say whether the rules judge PATH as a deployed manifest, and why (deployed by a root, patch,
    generator input, template, test fixture, tool config, values file, not deployed)."""
    root = Path(repo_root) if repo_root else (_git_work_tree(Path(path).resolve().parent) or Path("."))
    try:
        relative = Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        _fail(f"{path}: outside the repository {root}")
    try:
        role = explain_file(root, relative, config_path=config_path)
    except (ConfigError, SourceError, ValueError) as exc:
        _fail(str(exc))
    judged = "judged as a deployed manifest" if role.judged else "not judged as a deployed manifest"
    click.echo(f"{relative}: {role.role.value}: {role.reason}\n  {judged}")



@main.command(name="diff")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--base", "base_ref", help="Base revision (default: merge-base of HEAD with the default branch).")
@click.option("--head", "head_ref", help="Head revision (default: the working tree, uncommitted changes included).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json", "codequality"]), default="text",
              help="Output format; codequality: the dangerous changes as a GitLab Code Quality report.")
@click.option("--strip", multiple=True, help="Attribute to ignore, e.g. 'metadata.annotations[checksum/*]'.")
@click.option("--fail-on", type=click.Choice(list(FAIL_LEVELS)), default=None,
              help="Lowest severity of a dangerous change that makes the exit code 1 (default: config's fail_on).")
@click.option("--select", multiple=True, help="Only these change rules (ids, names or prefixes).")
@click.option("--ignore", multiple=True, help="Skip these change rules.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Config file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Processes for many roots (default: CPUs).")
@click.option("--output-format", "output_formats", multiple=True, metavar="FORMAT=PATH",
              help="Also write the report in FORMAT to PATH (repeatable; the repository is parsed once).")
@helm_options
def diff_command(path, base_ref, head_ref, fmt, strip, fail_on, select, ignore, config_path, output, jobs,
                 output_formats, helm_fetch, helm_cache) -> None:
    """Show what each environment receives between two revisions, with dangerous changes (GL8xx)."""
    from gitops_lint.diff import report as diffreport
    from gitops_lint.diff.pipeline import DiffOptions, diff_path

    extra_outputs = _extra_outputs(output_formats, diffreport.FORMATS, output)

    options = DiffOptions(strip=tuple(strip), select=tuple(_split(select)), ignore=tuple(_split(ignore)), jobs=jobs)
    try:
        result = diff_path(path, base=base_ref, head=head_ref, config_path=config_path, options=options,
                           helm_fetch=helm_fetch, helm_cache=helm_cache)
    except (ConfigError, CardError, SourceError, ValueError) as exc:
        _fail(str(exc))
    stream = _output_stream(output)
    try:
        stream.write(diffreport.render(fmt, result, color=_use_color(stream)))
    finally:
        if output:
            stream.close()
    _write_extra_outputs(extra_outputs, lambda extra: diffreport.render(extra, result))
    assert result.head_side is not None  # diff_path always builds both sides
    sys.exit(exit_code(result.findings, fail_on or result.head_side.config.fail_on))


main.add_command(github)
main.add_command(merge)
main.add_command(gitlab)


def console_main() -> None:
    """The `gitops-lint` console script: `main`, with the collector off and a quick exit (`console.run`)."""
    run(main)


if __name__ == "__main__":  # pragma: no cover
    console_main()
