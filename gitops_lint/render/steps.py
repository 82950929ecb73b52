"""The patch and replacement steps of a build: patchesStrategicMerge, patches, patchesJson6902 and
replacements (kustomize runs them at fixed points of its transformer order; see build.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_lint.core.datapath import as_dict
from gitops_lint.core.findings import FILE_START, Position
from gitops_lint.core.loader import LOADER_KINDS, ParsedFile, parse_text
from gitops_lint.core.source import PathEscapesRoot, SourceTree, normalize
from gitops_lint.render import links
from gitops_lint.render.errors import RenderError
from gitops_lint.render.kustomization import Kustomization
from gitops_lint.render.kyaml_read import patch_data
from gitops_lint.render.patching import (
    Patch,
    apply_json,
    apply_smp,
    get_by_id,
    parse_json_ops,
    select_targets,
)
from gitops_lint.render.replacements import apply_replacements
from gitops_lint.render.resource import Resource, copy_data


class PatchSteps:
    """Mixed into build.Session: needs `tree`, `parse`, `resolve_file` and `_patch_parses`."""

    tree: SourceTree
    _patch_parses: dict[tuple[str, str], ParsedFile]

    if TYPE_CHECKING:  # defined by build.Session; declared here for the type checker only
        def parse(self, path: str) -> ParsedFile: ...
        def resolve_file(self, rel: str, k: Kustomization, what: str = "file", *where: Any) -> str: ...
        def _read(self, path: str) -> bytes: ...

    def _load_patch_text(
        self, k: Kustomization, entry: Any, field_name: str, i: int
    ) -> tuple[str | None, str, Position]:
        """(text, source path, position) of a patch given inline; (None, path, FILE_START) for a file."""
        looks_inline = isinstance(entry, str) and (": " in entry or entry.lstrip().startswith(("{", "[")))
        if (
            isinstance(entry, str)
            and "\n" not in entry
            and (self._is_patch_file(k, entry) or not looks_inline)
        ):
            path = self.resolve_file(entry, k, "patch file", field_name, i)
            return None, path, FILE_START
        return str(entry), k.path, k.position(field_name, i)

    def _is_patch_file(self, k: Kustomization, entry: str) -> bool:
        try:
            return self.tree.is_file(normalize(entry, k.dir))
        except PathEscapesRoot:
            return True  # resolve_file reports it

    def _smp_docs(self, text: str | None, source: str, pos: Position) -> list[Patch]:
        """The documents of a patch: a file (text None; parsed once per session) or inline text."""
        if text is None:
            parsed = self.parse(source)
        else:
            cached = self._patch_parses.get((source, text))
            parsed = cached if cached is not None else self._patch_parses.setdefault((source, text), parse_text(source, text))
        if parsed.violations and not parsed.documents:
            raise RenderError(f"cannot parse patch: {parsed.violations[0].message}", source, pos)
        reject_parse_problems(parsed, source, pos)
        out = []
        for d in parsed.documents:
            if isinstance(d.data, dict) and d.data:
                meta = d.data.get("metadata")
                if not d.data.get("kind") or not isinstance(meta, dict) or not meta.get("name"):
                    raise RenderError(
                        "unable to parse the patch: a strategic merge patch needs kind and metadata.name",
                        source,
                        pos,
                    )
                own_file = pos == FILE_START
                out.append(
                    Patch(
                        patch_data(d), source, d.start if own_file else pos, doc=d if own_file else None,
                        annotation_text=d.annotation_text,
                    )
                )
            elif isinstance(d.data, list):
                return [Patch(copy_data(d.data), source, pos)]
            elif d.data is not None and d.data != {}:
                raise RenderError(
                    "unable to parse the patch as a strategic merge or JSON 6902 patch", source, pos
                )
        return out

    def patches_strategic_merge(self, k: Kustomization, resources: list[Resource]) -> list[Resource]:
        for i, entry in enumerate(k.get("patchesStrategicMerge", [])):
            text, source, pos = self._load_patch_text(k, entry, "patchesStrategicMerge", i)
            for patch in self._smp_docs(text, source, pos):
                if patch.is_json6902:
                    raise k.error(
                        "patchesStrategicMerge entry is a JSON 6902 patch", "patchesStrategicMerge", i
                    )
                try:
                    target = get_by_id(resources, patch.org_id)
                    resources = apply_smp(resources, [target], patch)
                except RenderError as exc:
                    raise k.error(
                        f"patchesStrategicMerge: {exc.message}", "patchesStrategicMerge", i
                    ) from None
        return resources

    def patches(self, k: Kustomization, resources: list[Resource]) -> list[Resource]:
        for i, entry in enumerate(k.get("patches", [])):
            if not isinstance(entry, dict):
                raise k.error("each `patches` entry must be a mapping with `path` or `patch`", "patches", i)
            has_path, has_patch = bool(entry.get("path")), bool(entry.get("patch"))
            if has_path == has_patch:
                msg = (
                    "patch and path can't be set at the same time"
                    if has_path
                    else "must specify one of patch and path"
                )
                raise k.error(msg, "patches", i)
            if has_path:
                path = self.resolve_file(str(entry["path"]), k, "patch file", "patches", i)
                text, source, pos = None, path, FILE_START
            else:
                text, source, pos = str(entry["patch"]), k.path, k.position("patches", i, "patch")
            options = as_dict(entry.get("options"))
            patches = self._smp_docs(text, source, pos)
            for p in patches:
                p.options = options
            target = entry.get("target")
            try:
                resources = self._apply_patch_entry(resources, patches, target)
            except RenderError as exc:
                raise k.error(exc.message, "patches", i) from None
        return resources

    def _apply_patch_entry(self, resources, patches: list[Patch], target) -> list[Resource]:
        if not patches:
            return resources
        if patches[0].is_json6902:
            if not target:
                raise RenderError("must specify a target for JSON patch")
            apply_json(select_targets(resources, target), patches[0])
            return resources
        for patch in patches:
            if target:
                resources = apply_smp(resources, select_targets(resources, target), patch)
            else:
                chosen = get_by_id(resources, patch.org_id)
                resources = apply_smp(resources, [chosen], patch)
        return resources

    def patches_json6902(self, k: Kustomization, resources: list[Resource]) -> None:
        for i, entry in enumerate(k.get("patchesJson6902", [])):
            if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
                raise k.error("each patchesJson6902 entry needs a `target`", "patchesJson6902", i)
            target = entry["target"]
            if not target.get("name"):
                raise k.error("must specify the target name", "patchesJson6902", i)
            if entry.get("path"):
                path = self.resolve_file(str(entry["path"]), k, "patch file", "patchesJson6902", i)
                try:
                    text = self._read(path).decode("utf-8")
                except UnicodeDecodeError:
                    raise k.error(f"patch file {path} is not UTF-8 text", "patchesJson6902", i) from None
                ops: Any = parse_json_ops(text, path)  # below: an inline patch as written (checked when applied)
                patch = Patch(ops, path, FILE_START)
            else:
                ops = entry.get("patch")
                ops = parse_json_ops(ops, k.path) if isinstance(ops, str) else ops
                patch = Patch(ops, k.path, k.position("patchesJson6902", i))
            try:
                apply_json(select_targets(resources, target), patch)
            except RenderError as exc:
                raise k.error(exc.message, "patchesJson6902", i) from None

    def replacements(self, k: Kustomization, resources: list[Resource], entries: list) -> list[Resource]:
        loaded = []
        for entry in entries:
            if isinstance(entry, dict) and entry.get("path") and len(entry) == 1:
                path = self.resolve_file(str(entry["path"]), k, "replacement file", "replacements")
                for d in self.parse(path).documents:
                    value = copy_data(d.data)
                    loaded.extend(value if isinstance(value, list) else [value])
            else:
                loaded.append(entry)
        try:
            for res in resources:
                links.prune(res)
            objects = apply_replacements(
                [r.data for r in resources], loaded, ids=[[r.org_id, *r.all_ids()] for r in resources]
            )
        except RenderError as exc:
            raise k.error(exc.message, "replacements") from None
        return rebind(resources, objects)


def rebind(resources: list[Resource], objects: list[dict]) -> list[Resource]:
    """Attach the objects a pure list->list step returned to their Resource records (same order)."""
    if len(objects) != len(resources):
        raise RenderError("internal: a transformation changed the number of objects")
    for res, obj in zip(resources, objects, strict=True):
        res.data = obj
        if res.links:
            links.propagate(res)
    return resources


def reject_parse_problems(parsed: ParsedFile, path: str, position: Position | None) -> None:
    """kustomize's YAML decoder refuses what our loader only warns about (duplicate keys)."""
    if parsed.violations and (not parsed.documents or any(v.kind in LOADER_KINDS for v in parsed.violations)):
        v = parsed.violations[0]
        raise RenderError(f"cannot parse {path}: {v.message}", path, position or v.position)

