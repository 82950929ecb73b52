"""Render-time rule GL205: a kustomization root that kustomize would fail to build."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitops_lint.core.findings import FILE_START, Violation
from gitops_lint.deploy.file_roles import judged
from gitops_lint.model.file_roles import declined_files
from gitops_lint.render import NotRendered

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext


def build_failed(ctx: CheckContext) -> Iterator[Violation]:
    """GL205: every top-level root is rendered; a build error is reported at the kustomization
    line responsible (the same failure reached from several roots is reported once). Features
    that are deliberately not rendered offline (Helm charts, remote resources, KRM functions) are
    left to their own rules."""
    repo = ctx.repo
    seen, missing = _broken_references(repo)
    declined = declined_files(repo)  # GL307 says once that the tool did not read them
    for root in repo.rendered.deployed_roots(lambda path: judged(repo, path)):
        error = root.error
        if error is None or isinstance(error, NotRendered) or error.path in declined:
            continue
        k = repo.kustomizations.get(root.root)
        path = error.path or (k.path if k is not None else root.root)
        position = error.position or FILE_START
        key = (path, position.line, error.message)
        if key in seen or (path, position.line) in seen or any(t in error.message for t in missing.get(path, ())):
            continue  # GL201/GL202 report the entry (a generator's missing file: its `files` line)
        seen.add(key)
        where = root.root or "."
        yield Violation(
            path,
            f"kustomize build of {where} fails: {error.message}; fix the kustomization so the overlay builds",
            position,
            environment=root.environment,
            key=f"build:{error.message}",
        )


def _broken_references(repo) -> tuple[set[tuple], dict[str, set[str]]]:
    """(kustomization file, line) of references that lead nowhere or outside the repository, and the
    missing targets per kustomization file: GL201/GL202 already report them, so the build failure they
    cause is not repeated (kustomize names the missing file, at the entry or at its generator)."""
    out = set()
    missing: dict[str, set[str]] = {}
    for k in repo.kustomizations.values():
        for ref in k.references:
            if ref.escapes or (ref.target is not None and not repo.tree.exists(ref.target)):
                out.add((k.path, ref.position.line))
                if ref.target:
                    missing.setdefault(k.path, set()).add(ref.target)
    return out, missing
