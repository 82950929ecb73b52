"""The resources, transformer configuration and vars a build gathers (kustomize's ResAccumulator)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitops_lint.render import fieldspec as fs
from gitops_lint.render import namereference
from gitops_lint.render.builtin_config import default_config
from gitops_lint.render.errors import RenderError
from gitops_lint.render.kustomization import Kustomization
from gitops_lint.render.patching import describe
from gitops_lint.render.resource import Resource


@dataclass
class Accumulator:
    """Resources plus the transformer configuration and vars gathered so far (kustomize's ResAccumulator)."""

    resources: list[Resource] = field(default_factory=list)
    config: dict = field(default_factory=default_config)
    vars: list[dict] = field(default_factory=list)

    _keys: set | None = None

    def append(self, res: Resource, where: Kustomization | None = None, *path: Any) -> None:
        """Add a resource; an id already in the build is an error at `where`'s field `path`."""
        if self._keys is None or len(self._keys) != len(self.resources):
            self._keys = {_key(r) for r in self.resources}
        key = _key(res)
        if key in self._keys:
            msg = (
                f"{describe(res.cur_id)} is already in the build (may not add resource with an already "
                "registered id); remove the duplicate"
            )
            raise where.error(msg, *(path or ("resources",))) if where else RenderError(msg)
        self._keys.add(key)
        self.resources.append(res)

    def invalidate(self) -> None:
        """Forget the id index (after ids changed in place)."""
        self._keys = None

    def merge_config(self, other: dict) -> None:
        """Add the field specs of another configuration (a sub-build's, a `configurations` file)."""
        for key, specs in other.items():
            if specs is self.config.get(key) or not specs:
                continue
            if key == "nameReference":
                self.config[key] = namereference.merge_backrefs(self.config[key], specs)
            else:
                self.config[key] = fs.merge(self.config.get(key, []), specs)

    def merge_vars(self, new_vars: list[dict], where: Kustomization | None) -> None:
        """Add vars; a name already declared is an error at `where`'s `vars`."""
        names = {v.get("name") for v in self.vars}
        for v in new_vars:
            if v.get("name") in names:
                msg = f"var '{v.get('name')}' already encountered"
                raise where.error(msg, "vars") if where else RenderError(msg)
            names.add(v.get("name"))
            self.vars.append(v)

    def absorb(self, res: Resource, k: Kustomization, field_name: str, i: int) -> None:
        """Add a generated ConfigMap/Secret: create it, or merge into / replace the one it names
        (its `behavior`), as kustomize's generator absorption does."""
        rid = res.cur_id
        matches = [r for r in self.resources if any(x.equals(rid) for x in r.all_ids())]
        if not matches:
            if res.behavior in ("merge", "replace"):
                raise k.error(f"id {rid} does not exist; cannot merge or replace", field_name, i)
            self.append(res, k, field_name, i)
            return
        if len(matches) > 1:
            raise k.error(f"found multiple objects that could accept merge of {rid}", field_name, i)
        old = matches[0]
        if res.behavior == "create":
            raise k.error(f"id {rid} exists; behavior must be merge or replace", field_name, i)
        new, old_meta = res.data, old.meta
        meta = new["metadata"]
        for key in ("labels", "annotations"):
            merged = {**(old_meta.get(key) or {}), **(meta.get(key) or {})}
            if merged:
                meta[key] = merged
        meta["name"] = old_meta.get("name")
        if old_meta.get("namespace"):
            meta["namespace"] = old_meta["namespace"]
        else:
            meta.pop("namespace", None)
        if res.behavior == "merge":
            for key in ("data", "binaryData"):
                merged = {**(old.data.get(key) or {}), **(new.get(key) or {})}
                if merged:
                    new[key] = merged
        old.data = new
        self.invalidate()
        old.needs_hash = res.needs_hash and old.needs_hash
        old.field_origins.update({"data": (k.path, k.position(field_name, i))})


def _key(res: Resource) -> tuple:
    rid = res.cur_id
    return (rid.group, rid.version, rid.kind, rid.name, rid.effective_namespace)
