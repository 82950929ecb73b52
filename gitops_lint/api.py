"""The library entry points the CLI (and tests) call: lint a tree, write or read a baseline."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_lint.core.config import (
    Config,
    config_base_dir,
    confine_config_dirs,
    resolve_config,
    with_helm_options,
)
from gitops_lint.core.findings import Finding, Severity
from gitops_lint.core.source import SourceTree, WorkingTree
from gitops_lint.lint.cards import Card, load_cards

if TYPE_CHECKING:  # imported where used, so that `gitops-lint build` and `--version` start fast
    from gitops_lint.helm.fetched import FetchedChart
    from gitops_lint.lint.cache import CacheStore
    from gitops_lint.lint.run_result import RunResult
    from gitops_lint.model.file_roles import FileRole
    from gitops_lint.model.repository import Repository

__all__ = ["LintResult", "confine_config_dirs", "exit_code", "lint_path", "lint_tree", "read_baseline",
           "resolve_config", "write_baseline"]

FAIL_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}


@dataclass
class LintResult:
    """A finished run: the repository it looked at, the cards it ran, the result and the whole rule pack."""

    repo: Repository | None  # None when the result came from the cache (the tree was not parsed)
    cards: list[Card]
    result: RunResult
    pack: list[Card] = field(default_factory=list)
    config: Config | None = None
    counts: tuple[int, int] = (0, 0)  # files, documents: when `repo` is None
    fetched: list[FetchedChart] = field(default_factory=list)  # remote Helm charts the run fetched

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings

    @property
    def file_count(self) -> int:
        return len(self.repo.files) if self.repo is not None else self.counts[0]

    @property
    def document_count(self) -> int:
        return len(self.repo.documents) if self.repo is not None else self.counts[1]

    @property
    def fail_on(self) -> str:
        config = self.config or (self.repo.config if self.repo is not None else None)
        return config.fail_on if config is not None else "error"


def lint_tree(tree: SourceTree, config: Config, *, select=(), ignore=(), jobs: int | None = None,
              baseline: set[str] | None = None, config_dir: Path | None = None, progress=None,
              cache: CacheStore | None = None, shard: tuple[int, int] | None = None,
              files: Iterable[str] | None = None) -> LintResult:
    """Build the repository index for `tree` and run the selected rules over it.

    `shard` (K, N): check only shard K's share: its kustomization roots and files for the root- and
    file-scoped rules, and (shard 1) the repository-scoped rules (see `lint.shard`).
    `files` (repo-relative paths): report on these files only (suppressed and baselined findings too);
    without `shard`, the root- and file-scoped rules run over only what they touch (`lint.named_files`).

    `progress`, if given, is called as progress(stage, done, total) while the run advances.
    `cache`: a store of earlier runs' findings; a run whose inputs are all unchanged is not redone
    (working trees only). A run restricted to `files` is answered by a stored whole run of the same
    inputs, else stored under its own key (the files named in it).
    """
    from gitops_lint.lint import cached_run
    from gitops_lint.lint.options import validate_config_options

    named = sorted(set(files)) if files is not None else None
    base = config_dir or Path(".")
    rule_dirs = [base / d for d in config.rule_dirs]
    cards = cached_run.load_pack(rule_dirs, cache) if cache is not None else load_cards(rule_dirs)
    validate_config_options(config, cards)
    keys: list[str] = []  # the whole run's key, then (files named) the restricted run's
    hashes = cached_run.tree_hashes(tree, cache, cache.directory) if cache is not None and isinstance(tree, WorkingTree) else None
    # with --helm-fetch the result depends on what the chart repositories serve now (a range, a moving
    # tag), which no key can hash: such runs are neither answered from the cache nor stored in it
    if cache is not None and isinstance(tree, WorkingTree) and hashes is not None and not config.helm.fetch:
        keys.append(cached_run.run_key(tree, config, cards, hashes=hashes, select=select, ignore=ignore,
                                       baseline=baseline, config_dir=base, shard=shard))
        if named is not None and shard is None:
            keys.append(cached_run.named_key(keys[0], named))
        for key in keys:
            hit = cached_run.load(cache, key)
            if hit is not None:
                chosen_ids = set(hit.chosen)
                found = hit.result
                if named is not None:
                    from gitops_lint.lint.named_files import only_named
                    found = only_named(found, named)
                return LintResult(None, [c for c in cards if c.id in chosen_ids], found, pack=cards,
                                  config=config, counts=(hit.files, hit.documents))
    # imported only now: a run answered from the cache never needs the model, the engine or Helm
    from gitops_lint.core.gc_pause import gc_paused
    from gitops_lint.deploy.helm_releases import chart_roots
    from gitops_lint.lint import parse_cache
    from gitops_lint.lint.engine import run_checks, select_cards
    from gitops_lint.lint.named_files import hubs_apart, named_share, only_named
    from gitops_lint.lint.shard import shard_cards
    from gitops_lint.model.helm_charts import fetched_charts
    from gitops_lint.model.partition import share_of
    from gitops_lint.model.repository import Repository

    if progress:
        progress("parsing", 0, 1)
    # a run keeps almost all it builds and makes few reference cycles: the collector's full passes over
    # the growing heap would find nothing (cycles made meanwhile are freed once it resumes)
    kept: tuple[dict, dict] = ({}, {})  # parses of unchanged files from an earlier run; the hashes its bundle recorded
    with gc_paused():
        if cache is not None and hashes is not None and isinstance(tree, WorkingTree):
            kept = parse_cache.load(cache, cached_run.parses_key(tree, config), hashes, config.limits)
        repo = Repository.build(tree, config, jobs=jobs, chart_provider=chart_roots, known=kept[0])
        chosen = select_cards(cards, repo, select, ignore)
        if shard:  # a label/annotation Component may be shared across units unless an organisation rule splits by root
            repo.share = share_of(repo, *shard, mixins=hubs_apart(chosen))
        elif named is not None:
            repo.share = named_share(repo, named, chosen)
        share = shard_cards(chosen, *shard) if shard else chosen
        step = None
        if progress:
            counter = iter(range(1, len(share) + 1))

            def step(card) -> None:
                progress(f"{card.id} {card.name}", next(counter), len(share))

        run = run_checks(repo, share, baseline, progress=step, selection=chosen)
    if keys and cache is not None and not run.internal_error:
        # a whole run (no share, or a shard) under its key; a restricted one, its named files only, under its own
        key, stored = (keys[0], run) if repo.share is None or shard else (keys[-1], only_named(run, named or ()))
        cached_run.save(cache, key, cached_run.CachedRun(stored, len(repo.files), len(repo.documents),
                                                         [c.id for c in chosen]))
    if cache is not None and hashes is not None and isinstance(tree, WorkingTree) and shard is None:
        _keep_parses(cache, cached_run.parses_key(tree, config), hashes, repo, kept[1], chosen)
    found = only_named(run, named) if named is not None else run
    return LintResult(repo, chosen, found, pack=cards, config=config, fetched=fetched_charts(repo))


def _keep_parses(cache: CacheStore, key: str, hashes: dict[str, str], repo: Repository, previous: dict[str, str],
                 chosen: list[Card]) -> None:
    """After a run: keep the parses that `parse_cache.keepable` allows for the next run. GL602 alone says
    which files hold nothing that looks like a secret: without it nothing new is kept. A `check FILE…`
    run scanned only what the named files touch: when the bundle is due for a rewrite (none yet, as
    when the pre-commit hook of changed files is all a developer runs), it scans the rest first."""
    from gitops_lint.lint import parse_cache
    from gitops_lint.secrets.scan import ScanRecord, record_scan

    gl602 = next((c for c in chosen if c.id == "GL602"), None)
    if gl602 is None:
        return
    record = repo.derived(ScanRecord)
    if repo.share is not None:
        if not parse_cache.rewrite_due(repo, hashes, previous):
            return
        record_scan(repo, gl602.options_for(repo.config.rule_setting(gl602.id, gl602.name).options),
                    lambda path: path not in record.scanned)
    parse_cache.save(cache, key, hashes, repo, previous, parse_cache.keepable(repo, record.scanned, record.flagged))


def lint_path(path: str | Path, *, config_path: str | None = None, select=(), ignore=(),
              jobs: int | None = None, baseline: set[str] | None = None, progress=None,
              helm_fetch: bool = False, helm_cache: str | None = None, use_cache: bool = False,
              cache_dir: Path | None = None, shard: tuple[int, int] | None = None,
              files: Iterable[str] | None = None) -> LintResult:
    """Lint a directory on disk (a working tree); `files` (paths relative to it): see `lint_tree`.

    `helm_fetch`/`helm_cache` override the config's `helm.fetch`/`helm.cache` (--helm-fetch,
    --helm-cache). `use_cache`: reuse the findings of an identical earlier run, kept in `cache_dir`,
    else the config's `cache_dir`, else the user's cache directory."""
    from gitops_lint.core.source import tracked_below
    from gitops_lint.lint import cached_run
    from gitops_lint.lint.cache import CacheStore, default_cache_dir, stderr_notice

    root = Path(path)
    config = resolve_config(root, config_path)
    if config_path is None:
        confine_config_dirs(config, root)
    config = with_helm_options(config, helm_fetch, helm_cache)
    configured = config_base_dir(config, root) / config.cache_dir if config.cache_dir else None
    location = cache_dir or configured or (default_cache_dir() if use_cache else None)
    inside = cached_run.relative_prefix(location, root.resolve()) if location is not None else None
    if inside:  # the cache's own files are never linted (with or without --no-cache)
        config = replace(config, exclude=(*config.exclude, f"/{inside}"))
    cache = CacheStore(location) if use_cache and location is not None else None
    if cache is not None and inside and tracked_below(root, inside):
        # entries that came with the commit are somebody's claim about this tree, never a result of ours
        stderr_notice(f"cache directory {location} holds files tracked by git; running without the cache")
        cache = None
    return lint_tree(WorkingTree(root), config, select=select, ignore=ignore, jobs=jobs, baseline=baseline,
                     config_dir=config_base_dir(config, root), progress=progress, cache=cache,
                     shard=shard, files=files)


def exit_code(findings: list[Finding], fail_on: str) -> int:
    """0 clean, 1 findings at or above the fail level, 2 internal error."""
    if any(f.is_internal_error for f in findings):
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


def plan_fixes(root: str | Path, *, config_path: str | None = None, select=(), ignore=(), only=(),
               unsafe: bool = False):
    """Lint `root` and plan the fixes of its findings (nothing written; see `lint.autofix.write`).

    GL409 pins a floating revision only to a commit known locally: the default branch of one of the
    repository's own git remotes, as last fetched.
    """
    from gitops_lint.core.git_identity import normalize_url, remote_head_commits
    from gitops_lint.lint import autofix
    from gitops_lint.lint.fixers import FixContext

    result = lint_path(root, config_path=config_path, select=select, ignore=ignore)
    commits = remote_head_commits(Path(root))
    ctx = FixContext(known_commit=lambda url: commits.get(normalize_url(url)) if url else None)
    return autofix.plan(Path(root), result.findings, {c.id: c for c in result.cards}, unsafe=unsafe, only=only,
                        ctx=ctx)


def explain_file(root: str | Path, path: str, *, config_path: str | None = None) -> FileRole:
    """Whether the rules judge `path` (repo-relative) as a deployed manifest, and why."""
    from gitops_lint.deploy.file_roles import explain
    from gitops_lint.model.repository import Repository

    root = Path(root)
    config = resolve_config(root, config_path)
    if config_path is None:
        confine_config_dirs(config, root)
    repo = Repository.build(WorkingTree(root), config, jobs=1)
    return explain(repo, path)
