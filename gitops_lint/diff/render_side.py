"""Render a kustomization root for the diff: the built-in renderer when present, else a plain fallback.

The fallback (used only while `gitops_lint.render.render` is unavailable) concatenates the manifests a
root lists under `resources`/`bases`/`crds`, transitively: no patches, generators or transformers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_lint.core.findings import Position

if TYPE_CHECKING:
    from gitops_lint.diff.sides import Resource, Side


def _renderer():
    try:
        from gitops_lint.render import render
    except ImportError:
        return None
    return render


def render_objects(side: Side, root: str) -> tuple[list[Resource], list[str]]:
    """(objects, errors) for one kustomization root of one side."""
    from gitops_lint.diff.sides import Resource

    render = _renderer()
    if render is None:
        return fallback(side, root), []
    if side.render_cache is None:
        from gitops_lint.render import RenderCache

        side.render_cache = RenderCache()
    try:
        result = render(
            side.tree,
            root,
            load_restrictor=side.config.load_restrictor,
            parse=side.parsed,
            cache=side.render_cache,
        )
    except Exception as exc:  # a render failure is reported for this root, never fatal to the diff
        return [], [f"{root}: cannot render: {exc}"]
    objects = []
    for obj in getattr(result, "objects", []):
        data = getattr(obj, "data", None)
        if isinstance(data, dict):
            position = getattr(obj, "position", None) or Position()
            objects.append(
                Resource(
                    data,
                    getattr(obj, "source", None),
                    position,
                    _document(side, obj),
                    dict(getattr(obj, "field_origins", None) or {}),
                )
            )
    errors = [str(e) for e in getattr(result, "errors", []) or []]
    return objects, errors


def _document(side: Side, obj):
    """The source document of a rendered object (to locate the fields it did not get from patches)."""
    position = getattr(obj, "position", None)
    return side.document_at(getattr(obj, "source", None), position) if position is not None else None


def fallback(side: Side, root: str) -> list[Resource]:
    repo = side.repo
    paths: list[str] = []
    for kdir in repo.reachable_kustomizations(root):
        for ref in repo.kustomizations[kdir].refs("resources", "bases", "crds"):
            target = ref.target
            if target is None or target in repo.kustomizations:
                continue
            if side.tree.is_file(target):
                paths.append(target)
            elif side.tree.is_dir(target):
                paths.extend(
                    f for f in side.files if f.startswith(target + "/") and f.endswith((".yaml", ".yml"))
                )
    return side.manifests(dict.fromkeys(paths))
