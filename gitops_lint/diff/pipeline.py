"""`gitops-lint diff`: what each environment receives after a change, resource by resource.

Both sides are read as trees (git objects for refs, the working directory for uncommitted work).
Only *affected* roots are rendered: a root whose transitively-read files changed, or that an
Argo CD Application / Flux Kustomization pointing at it changed. Resources are matched by
apiVersion/kind/namespace/name; each modified one gets a unified diff of its normalised YAML
(attributes stripped, lists in merge-key order, secrets masked: see `diffnorm`). Helm releases are
units the same way (`helm_sides`, `helm_diff`): rendered only when their inputs changed. The change
policies (GL801–GL804, `checks/changes.py`) then run over the result.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from gitops_lint.core.config import (
    CONFIG_NAMES,
    Config,
    ConfigError,
    config_base_dir,
    config_from_dict,
    confine_config_dirs,
    resolve_config,
    with_helm_options,
)
from gitops_lint.core.findings import Finding
from gitops_lint.core.gitsource import (
    GitTree,
    WorkingTreeOverBase,
    content_id,
    default_base,
    locate,
    worktree_changes,
)
from gitops_lint.core.loader import load_yaml
from gitops_lint.core.source import SourceTree, WorkingTree
from gitops_lint.diff import normalise as diffnorm
from gitops_lint.diff import pool as diffpool
from gitops_lint.diff.changes import Change, RootDiff, changed_units, compare
from gitops_lint.diff.helm_diff import release_diffs
from gitops_lint.diff.helm_sides import index_releases
from gitops_lint.diff.sides import ParseCache, Side
from gitops_lint.lint.cards import load_cards
from gitops_lint.lint.engine import run_checks, select_cards
from gitops_lint.lint.options import validate_config_options
from gitops_lint.lint.suppressions import ANNOTATION, Suppression, annotation_suppressions


@dataclass
class DiffOptions:
    """How resources are compared and shown."""

    strip: tuple[str, ...] = ()  # attribute patterns (see diffnorm.parse_strip)
    context: int = 3
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    jobs: int | None = None  # processes for rendering many roots (default: the CPUs available)


@dataclass
class DiffResult:
    base: str
    head: str
    roots: list[RootDiff]
    environments_added: list[str] = field(default_factory=list)
    environments_removed: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    base_side: Side | None = None
    head_side: Side | None = None

    @property
    def changes(self) -> list[Change]:
        return [c for r in self.roots for c in r.changes]

    def to_dict(self) -> dict:
        return {
            "base": self.base,
            "head": self.head,
            "roots": [r.to_dict() for r in self.roots],
            "environments": {"added": self.environments_added, "removed": self.environments_removed},
            "changes": [c.to_dict() for c in self.changes],
            "findings": [f.to_dict() for f in self.findings],
        }


# -- entry points ---------------------------------------------------------------------------------
def diff_path(
    path: str | Path = ".",
    base: str | None = None,
    head: str | None = None,
    config_path: str | None = None,
    options: DiffOptions | None = None,
    helm_fetch: bool = False,
    helm_cache: str | None = None,
) -> DiffResult:
    """Diff `path` (a directory in a git work tree) between two revisions, or a revision and the work tree.

    `helm_fetch`/`helm_cache` override the config's `helm.fetch`/`helm.cache` (--helm-fetch,
    --helm-cache) for both sides: remote charts are fetched (once, into the cache) and rendered.

    Raises SourceError for a non-git directory or an unknown revision, ConfigError for a bad config
    (or, unless it was given with `config_path`, one naming rule or schema directories outside `path`).
    """
    where = locate(path)
    base_rev = base or default_base(where.toplevel)
    base_tree = GitTree(where.toplevel, base_rev, where.prefix)
    hint = worktree_changes(where.toplevel, base_tree.commit, where.prefix) if head is None else None
    head_tree: SourceTree
    if head is not None:
        head_tree = GitTree(where.toplevel, head, where.prefix)
    else:
        head_tree = WorkingTree(path) if hint is None else WorkingTreeOverBase(path, base_tree, hint)
        head_tree.label = "working tree"
    root = Path(path)
    if config_path or head is None:
        config = resolve_config(root, config_path)
        rules_base = config_base_dir(config, root)
    else:
        config = config_from_tree(head_tree)
        rules_base = root  # the config's own directory, on disk
    if config_path is None:
        confine_config_dirs(config, root)
    config = with_helm_options(config, helm_fetch, helm_cache)
    try:
        return diff_trees(base_tree, head_tree, config, options, worktree_hint=hint, config_dir=rules_base)
    finally:
        for tree in (base_tree, head_tree):
            if isinstance(tree, GitTree):
                tree.close()


def config_from_tree(tree: SourceTree) -> Config:
    """The config file at the root of a tree (a git revision), else defaults."""
    for name in CONFIG_NAMES:
        if tree.is_file(name):
            parsed = load_yaml(name, tree.read_bytes(name))
            if parsed.violations:
                raise ConfigError(f"{name}: {parsed.violations[0].message}")
            doc = parsed.documents[0] if parsed.documents else None
            return config_from_dict((doc.data if doc else None) or {}, source=name, document=doc)
    return Config()


def diff_trees(
    base_tree: SourceTree,
    head_tree: SourceTree,
    config: Config,
    options: DiffOptions | None = None,
    worktree_hint: set[str] | None = None,
    config_dir: Path | None = None,
) -> DiffResult:
    """Diff two trees: affected roots, resource changes, change-policy findings.

    `worktree_hint`: when head is the working tree of base's repository, the tracked files git says
    differ from base; every other tracked file is taken as unchanged without being read.
    `config_dir`: where the config's relative `rule_dirs` are (default: the config file's directory).
    """
    options = options or DiffOptions()
    cache = ParseCache(config)
    sha256 = len(getattr(base_tree, "commit", "")) == 64
    base = Side("base", base_tree, config, cache, sha256)
    head = Side("head", head_tree, config, cache, sha256)
    if worktree_hint is not None:
        links: set[str] = getattr(base_tree, "links", set())  # git sees a link, not its target's content: always read
        head.ids = {
            f: base.ids[f]
            if f in base.ids and f not in worktree_hint and f not in links
            else content_id(head_tree, f, sha256)
            for f in head.files
        }
    changed = sorted(f for f in set(base.ids) | set(head.ids) if base.ids.get(f) != head.ids.get(f))
    result = DiffResult(
        base_tree.label, head_tree.label, [], changed_files=changed, base_side=base, head_side=head
    )
    patterns = [diffnorm.parse_strip(p) for p in options.strip]
    with_releases = index_releases(base, head, changed)  # before the sides' repositories are built
    affected = affected_roots(base, head, set(changed))
    for side, skip in ((base, "added"), (head, "removed")):  # read every file to render in one batch
        side.prefetch(sorted({f for root, status in affected if status != skip for f in side.roots[root]}))
    diff_one = functools.partial(_diff_root, patterns=patterns, context=options.context)
    for rdiff in diffpool.diff_roots(base, head, affected, diff_one, options.jobs):
        if rdiff.changes or rdiff.errors or rdiff.status != "modified":
            result.roots.append(rdiff)
    if with_releases:
        result.roots.extend(release_diffs(base, head, patterns, options.context))
    base_envs, head_envs = set(base.repo.environments), set(head.repo.environments)
    result.environments_added = sorted(head_envs - base_envs)
    result.environments_removed = sorted(base_envs - head_envs)
    rules_base = config_dir if config_dir is not None else config_base_dir(config, Path("."))
    result.findings = run_change_rules(result, head, options, rules_base)
    return result


# -- affected roots -------------------------------------------------------------------------------
def affected_roots(base: Side, head: Side, changed: set[str]) -> list[tuple[str, str]]:
    """(root, status) for roots added, removed, or reading a changed file, sorted by root."""
    targets = {p.target for side in (base, head) for p in side.pointers_in(changed)}

    def modified(root: str) -> bool:
        return root in targets or not changed.isdisjoint(base.roots[root]) or not changed.isdisjoint(head.roots[root])

    return changed_units(base.roots, head.roots, modified)


def _diff_root(base: Side, head: Side, root: str, status: str, patterns, context: int) -> RootDiff:
    side = head if status != "removed" else base
    env = side.repo.environment_of(root) or (base.repo.environment_of(root) if side is head else None)
    app = side.repo.app_of(root) or (base.repo.app_of(root) if side is head else None)
    rdiff = RootDiff(root, app, env, status)
    base_objs, base_errors = base.render(root) if status != "added" else ([], [])
    head_objs, head_errors = head.render(root) if status != "removed" else ([], [])
    rdiff.errors = [f"base: {e}" for e in base_errors] + [f"head: {e}" for e in head_errors]
    if rdiff.errors:
        return rdiff  # one side did not render: a resource diff would only be noise
    before = {r.key: r for r in base_objs}
    after = {r.key: r for r in head_objs}
    for key in sorted(set(before) | set(after), key=_order):
        change = compare(before.get(key), after.get(key), patterns, context)
        if change is not None:
            action, text = change
            rdiff.changes.append(Change(root, app, env, action, before.get(key), after.get(key), text))
    return rdiff


def _order(key: tuple[str, str, str, str]) -> tuple:
    return (key[1], key[2], key[3], key[0])


# -- change policies ------------------------------------------------------------------------------
def run_change_rules(result: DiffResult, head: Side, options: DiffOptions, config_dir: Path) -> list[Finding]:
    """Run the change rules (cards tagged `diff`: GL801–GL804 and organisation cards) over the diff,
    with the engine that runs `check`: same config, suppressions, error handling."""
    repo = head.repo
    cards = load_cards([config_dir / d for d in repo.config.rule_dirs])
    validate_config_options(repo.config, cards)
    chosen = select_cards(cards, repo, options.select, options.ignore)
    run = run_checks(repo, chosen, diff=result, suppressions=change_annotations(result))
    return sorted(run.findings, key=lambda f: (-f.severity, f.sort_key()))


def change_annotations(result: DiffResult) -> list[Suppression]:
    """`gitops-lint.io/ignore` annotations of the changed objects as the change leaves them (as they
    were, for removed ones): the side the change rules' findings point at."""
    found: list[Suppression] = []
    for change in result.changes:
        head, base = change.head, change.base
        resource = head if head is not None and (head.path or base is None) else base
        if resource is None:
            continue
        meta = resource.data.get("metadata")
        annotations = meta.get("annotations") if isinstance(meta, dict) else None
        value = annotations.get(ANNOTATION) if isinstance(annotations, dict) else None
        if not isinstance(value, str):
            continue
        path, position = resource.location("metadata", "annotations", ANNOTATION)
        doc = resource.document  # the lines it covers: its whole document when it is set there
        lines = (position.line, position.line)
        if doc is not None and path == resource.path:
            lines = (doc.start.line, doc.end_line)
        found.extend(annotation_suppressions(value, path or change.root, position, lines, change.ref))
    return found
