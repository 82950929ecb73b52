"""`check FILE…`: check only what the named files touch, and report only on them.

The run's share (`model/partition.share_for`) is every unit of kustomization roots that reads a named
file (so every root that can report on it; every reader of a named label/annotation hub too) and the
named files themselves: rules of scope `root` and `file` run over that share, rules of scope
`repository` over the whole repository (`engine._run_scoped`). The Helm releases are rendered only
when a named file is one their findings can be at (`deploy.helm_releases.release_files`).

A rule about suppressions (GL001: this suppression silenced nothing) needs every finding that a
suppression at a named file could silence. A comment silences findings at its own file only, which the
share holds; an object annotation (`gitops-lint.io/ignore`) silences its object's findings wherever
they are, so when a named file declares one for a root- or file-scoped rule, the whole repository is
checked (`named_share` answers None). Either way the result holds the named files' findings only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from gitops_lint.lint.cards import Card
from gitops_lint.lint.run_result import RunResult
from gitops_lint.lint.suppressions import from_annotation

if TYPE_CHECKING:
    from gitops_lint.model.partition import FileShare
    from gitops_lint.model.repository import Repository


def hubs_apart(chosen: Iterable[Card]) -> bool:
    """Whether label/annotation Components may stay out of the units that include them (`partition.units`
    `mixins`): only while no organisation rule of scope `root` is selected (it may report on them)."""
    return all(c.builtin for c in chosen if c.scope == "root")


def named_share(repo: Repository, files: Iterable[str], chosen: list[Card]) -> FileShare | None:
    """The share a run over the named `files` checks, or None when only a whole run answers for them."""
    from gitops_lint.deploy.helm_releases import release_files
    from gitops_lint.model.partition import share_for

    named = frozenset(files)
    if _object_suppressions_need_everything(repo, named, chosen):
        return None
    charts = repo.chart_provider is not None and not named.isdisjoint(release_files(repo))
    return share_for(repo, named, charts=charts, mixins=hubs_apart(chosen))


def _object_suppressions_need_everything(repo: Repository, named: frozenset[str], chosen: list[Card]) -> bool:
    """A rule about suppressions runs and a named file's object annotation silences a root- or file-scoped
    rule: whether that suppression is used depends on findings about its object at any file."""
    if not any(c.stage == "suppressions" for c in chosen):
        return False
    scoped = {token for c in chosen if c.scope != "repository" for token in (c.id, c.name)} | {"all"}
    return any(not scoped.isdisjoint(s.rules)
               for doc in repo.documents if doc.path in named for s in from_annotation(doc))


def only_named(result: RunResult, files: Iterable[str]) -> RunResult:
    """The run's findings (suppressed and baselined ones too) at the named files; internal errors stay."""
    named = set(files)

    def keep(found: list) -> list:
        return [f for f in found if f.path in named or f.is_internal_error]

    return replace(result, findings=keep(result.findings), suppressed=keep(result.suppressed),
                   baselined=keep(result.baselined))
