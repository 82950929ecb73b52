"""Argo CD objects managed with kustomize: patch files (and other files nothing applies, see
`model/file_roles.py`) are not Applications, and an Application that an
overlay patches is judged as the overlay renders it (e.g. `automated` added per environment)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from gitops_lint.model.locator import FieldLocator

ARGO_KINDS = ("Application", "ApplicationSet")
PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902", "replacements")


@dataclass(frozen=True)
class Variant:
    """One distinct rendering of an Argo CD document: its data and the roots/environments that build it."""

    data: dict
    roots: tuple[str, ...]
    environment: str | None
    locate: FieldLocator  # where the fields of (the first object of) this rendering were set


def rendered_variants(repo, argo_files: set[str]) -> dict[tuple[str, int], list[Variant]]:
    """(file, document start line) → distinct renderings, for Argo CD documents that some root patches.

    A file is rendered through every top-level root that reads it as soon as one of those roots
    patches something (so an unpatched environment is judged too); roots that do not render fall
    back to the documents as written.
    """
    if not argo_files:
        return {}
    views = repo.rendered
    roots_by_file: dict[str, list[str]] = defaultdict(list)
    for root in repo.top_level_roots:
        if repo.kustomizations[root].kind == "Component":
            continue
        for f in argo_files & repo.files_read_by(root):
            roots_by_file[f].append(root)
    wanted = {f for f, roots in roots_by_file.items() if any(_patches(repo, r) for r in roots)}
    found: dict[tuple[str, int], dict[str, tuple]] = defaultdict(dict)
    for root in sorted({r for f in wanted for r in roots_by_file[f]}):
        result = views.root(root)
        if not result.ok:
            continue
        for obj in result.objects:
            data = obj.data
            if obj.source not in wanted or data.get("kind") not in ARGO_KINDS or not _argo(data):
                continue
            key = json.dumps(data, sort_keys=True, default=str)
            entry = found[(obj.source, obj.position.line)].setdefault(key, (data, [], [], views.locator(obj)))
            entry[1].append(root)
            entry[2].append(result.environment)
    return {where: [_variant(repo, *entry) for entry in by_data.values()] for where, by_data in found.items()}


def _patches(repo, root: str) -> bool:
    return any(
        repo.kustomizations[k].data.get(f) for k in repo.reachable_kustomizations(root) for f in PATCH_FIELDS
    )


def _variant(repo, data: dict, roots: list[str], environments: list[str | None], locate: FieldLocator) -> Variant:
    envs = [e for e in environments if e]
    production = [e for e in envs if repo.config.is_production(e)]
    return Variant(data, tuple(roots), next(iter(production or envs), None), locate)


def _argo(data: dict) -> bool:
    return str(data.get("apiVersion", "")).startswith("argoproj.io/")
