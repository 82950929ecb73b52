"""Where an OCI artifact or bucket's content sits in this repository, inferred from the Kustomizations.

`flux push artifact --path=./kubernetes` (or a CI sync to a bucket, or a FluxInstance `spec.sync` of
kind OCIRepository) publishes a directory of this repository; the Kustomizations that read the source
give `spec.path`s relative to that directory. The artifact root is the directory of this repository
under which every such path exists (the shallowest one when several fit); when none fits, the source's
content is unknown and nothing is claimed about its paths.
"""

from __future__ import annotations

import posixpath

from gitops_lint.core.source import source_relative
from gitops_lint.flux.objects import has_placeholder
from gitops_lint.model.repository import Repository

ARTIFACT_KINDS = ("OCIRepository", "Bucket")


def artifact_root(index, kind: str, namespace: str, name: str) -> str | None:
    """The directory of this repository an OCI/Bucket source publishes, for a Flux index (built once)."""
    memo = index.repo.derived(_artifact_root_memo)
    key = (kind, namespace, name)
    if key not in memo:
        paths = source_paths(index.of_kind("Kustomization"), kind, namespace, name)
        memo[key] = infer_artifact_root(index.repo.tree, sorted(index.repo.tree._dirs()), paths)
    return memo[key]


def _artifact_root_memo(repo: Repository) -> dict[tuple[str, str, str], str | None]:
    """Per run: (kind, namespace, name) of a source -> its artifact root (filled by `artifact_root`)."""
    return {}


def infer_artifact_root(tree, dirs: list[str], paths: list[str]) -> str | None:
    """The directory D (`""` for the top) such that D/p is a directory for every path p; None if none."""
    relative = [source_relative(p) for p in paths]
    if None in relative:
        return None
    clean = [c for c in relative if c]
    if not clean:
        return None
    candidates = [""] + [d for d in dirs if d]
    fitting = [d for d in candidates if all(tree.is_dir(posixpath.join(d, c) if d else c) for c in clean)]
    return min(fitting, key=lambda d: (d.count("/") if d else -1, d)) if fitting else None


def source_paths(kustomizations, kind: str, namespace: str, name: str) -> list[str]:
    """`spec.path` of every Kustomization reading the source `kind/namespace/name` (placeholders left out)."""
    out = []
    for ks in kustomizations:
        ref = ks.spec.get("sourceRef")
        if not isinstance(ref, dict) or (ref.get("kind") or "GitRepository") != kind or ref.get("name") != name:
            continue
        if (ref.get("namespace") or ks.namespace) != namespace:
            continue
        path = ks.spec.get("path")
        if isinstance(path, str) and not has_placeholder(path):
            out.append(path)
    return out
