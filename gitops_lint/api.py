"""The library entry points the CLI (and tests) call: lint a tree, write or read a baseline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_lint.core.config import Config, ConfigError, find_config, load_config
from gitops_lint.core.findings import Finding, Severity
from gitops_lint.core.source import SourceTree, WorkingTree
from gitops_lint.lint.cards import Card, load_cards

if TYPE_CHECKING:  # imported where used, so that `gitops-lint build` and `--version` start fast
    from gitops_lint.lint.engine import RunResult
    from gitops_lint.model.repository import Repository

FAIL_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}


@dataclass
class LintResult:
    """A finished run: the repository it looked at, the cards it ran and the result."""

    repo: Repository
    cards: list[Card]
    result: RunResult

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings


def resolve_config(root: Path, config_path: str | None) -> Config:
    """The config given with --config, else the repository's own, else defaults."""
    return load_config(Path(config_path) if config_path else find_config(root))


def confine_config_dirs(config: Config, root: Path) -> None:
    """A config found inside the repository may only name rule and schema directories inside it:
    linting a repository must not read (or walk) the rest of the disk. A config passed explicitly
    with --config is the user's own choice and is trusted."""
    base = root.resolve()
    for key, entries in (("rule_dirs", config.rule_dirs), ("schema_dirs", config.schema_dirs)):
        for entry in entries:
            target = (base / entry).resolve()
            if target != base and base not in target.parents:
                raise ConfigError(f"{config.source}: {key} entry {entry!r} leads outside the repository; "
                                  "pass a config with --config to use directories elsewhere")


def lint_tree(tree: SourceTree, config: Config, *, select=(), ignore=(), jobs: int | None = None,
              baseline: set[str] | None = None, config_dir: Path | None = None, progress=None) -> LintResult:
    """Build the repository index for `tree` and run the selected rules over it.

    `progress`, if given, is called as progress(stage, done, total) while the run advances.
    """
    from gitops_lint.lint.engine import run_checks, select_cards
    from gitops_lint.model.repository import Repository

    base = config_dir or Path(".")
    cards = load_cards([base / d for d in config.rule_dirs])
    if progress:
        progress("parsing", 0, 1)
    repo = Repository.build(tree, config, jobs=jobs)
    chosen = select_cards(cards, repo, select, ignore)
    step = None
    if progress:
        counter = iter(range(1, len(chosen) + 1))

        def step(card) -> None:
            progress(f"{card.id} {card.name}", next(counter), len(chosen))

    return LintResult(repo, chosen, run_checks(repo, chosen, baseline, progress=step))


def lint_path(path: str | Path, *, config_path: str | None = None, select=(), ignore=(),
              jobs: int | None = None, baseline: set[str] | None = None, progress=None) -> LintResult:
    """Lint a directory on disk (a working tree)."""
    root = Path(path)
    config = resolve_config(root, config_path)
    config_dir = Path(config.source).parent if config.source else root
    if config_path is None:
        confine_config_dirs(config, root)
    return lint_tree(WorkingTree(root), config, select=select, ignore=ignore, jobs=jobs, baseline=baseline,
                     config_dir=config_dir, progress=progress)


def exit_code(findings: list[Finding], fail_on: str) -> int:
    """0 clean, 1 findings at or above the fail level, 2 internal error."""
    if any(f.rule == "GL000" for f in findings):
        return 2
    level = FAIL_LEVELS[fail_on]
    if level is None:
        return 0
    return 1 if any(f.severity >= level for f in findings) else 0


def write_baseline(findings: list[Finding], path: Path) -> None:
    """Write today's findings as a baseline file (fingerprints plus enough to read it)."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "resource": f.resource} for f in findings),
        key=lambda e: (e["path"], e["rule"], e["fingerprint"]),
    )
    path.write_text(json.dumps({"version": 1, "findings": entries}, indent=2) + "\n", encoding="utf-8")


def read_baseline(path: Path) -> set[str]:
    """The fingerprints recorded in a baseline file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ValueError(f"{path}: not a gitops-lint baseline")
    return {e["fingerprint"] for e in data["findings"] if isinstance(e, dict) and "fingerprint" in e}
