"""The patch steps of a build (patchesStrategicMerge, patches, patchesJson6902): finding targets and
calling the strategic-merge / JSON 6902 engines, with field origins recorded for what a patch sets."""

from __future__ import annotations

import json
import re
from typing import Any

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import parse_text
from gitops_lint.render.errors import RenderError
from gitops_lint.render.jsonpatch import apply_json6902
from gitops_lint.render.resource import ResId, Resource, copy_data, res_id
from gitops_lint.render.select import matches
from gitops_lint.render.smp import apply_strategic_merge


class Patch:
    """One loaded patch: an SMP document or a JSON 6902 operation list, and where it was written."""

    def __init__(self, body: Any, source: str, position: Position, options: dict | None = None, doc=None,
                 annotation_text: dict | None = None):
        self.body = body
        self.source = source
        self.position = position
        self.options = options or {}
        self.doc = doc  # the patch's own Document when it lives in its own file (exact field lines)
        self.annotation_text = annotation_text  # source text of the annotations it sets (Resource's)

    def where(self, path: tuple) -> Position:
        return self.doc.position(path) if self.doc is not None else self.position

    @property
    def is_json6902(self) -> bool:
        return isinstance(self.body, list)

    @property
    def org_id(self) -> ResId:
        return res_id(self.body)


def get_by_id(resources: list[Resource], rid: ResId) -> Resource:
    """kustomize's GetById: exactly one resource whose current or previous id equals `rid`."""
    found = [r for r in resources if any(i.equals(rid) for i in r.all_ids())]
    if len(found) == 1:
        return found[0]
    if found:
        raise RenderError(f"the patch for {describe(rid)} matches {len(found)} resources; add a namespace to it")
    raise RenderError(f"no resource matches the patch for {describe(rid)}; fix its kind, name or namespace")


def describe(rid: ResId) -> str:
    """`apps/v1 Deployment web (namespace prod)` for messages."""
    api = f"{rid.group}/{rid.version}" if rid.group else rid.version
    ns = f" (namespace {rid.namespace})" if rid.namespace else ""
    return f"{api} {rid.kind} {rid.name}{ns}".strip()


def _regex(pattern: str):
    try:
        return re.compile(f"^(?:{pattern})$")
    except re.error as exc:
        raise RenderError(f"invalid regular expression {pattern!r} in patch target: {exc}") from None


def select_targets(resources: list[Resource], target: dict) -> list[Resource]:
    """kustomize's ResMap.Select: name and namespace match the original or the current id."""
    if not isinstance(target, dict):
        raise RenderError("a patch `target` must be a mapping")
    rest = {k: v for k, v in target.items() if k not in ("name", "namespace")}
    name_re = _regex(str(target["name"])) if target.get("name") else None
    ns_re = _regex(str(target["namespace"])) if target.get("namespace") else None
    out = []
    for res in resources:
        org, cur = res.org_id, res.cur_id
        if ns_re and not (ns_re.match(org.effective_namespace) or ns_re.match(cur.effective_namespace)):
            continue
        if name_re and not (name_re.match(org.name) or name_re.match(cur.name)):
            continue
        if rest and not matches(res.data, rest):
            continue
        out.append(res)
    return out


def apply_smp(resources: list[Resource], selected: list[Resource], patch: Patch) -> list[Resource]:
    """Apply an SMP to the selected resources; resources the patch deletes entirely are dropped."""
    chosen = {id(r) for r in selected}
    out = []
    for res in resources:
        if id(res) in chosen:
            body = copy_data(patch.body)
            if isinstance(body, dict):
                body["apiVersion"] = res.data.get("apiVersion")
            allow_name = bool(patch.options.get("allowNameChange"))
            allow_kind = bool(patch.options.get("allowKindChange"))
            name, ns, kind = res.name, res.data.get("metadata", {}).get("namespace"), res.data.get("kind")
            if allow_name or allow_kind:
                res.store_previous_id()
            result = apply_strategic_merge(
                res.data, body, allow_name_change=allow_name, allow_kind_change=allow_kind
            )
            if not result:
                continue
            res.data = result
            # kustomize merges the YAML nodes: each annotation keeps the text of whichever side set it
            res.annotation_text = {**(res.annotation_text or {}), **(patch.annotation_text or {})}
            if not allow_kind:
                res.data["kind"] = kind
            meta = res.meta
            if not allow_name:
                meta["name"] = name
            if ns is None:
                meta.pop("namespace", None)
            else:
                meta["namespace"] = ns
            _record(res, patch, body)
        out.append(res)
    return out


def apply_json(selected: list[Resource], patch: Patch) -> None:
    for res in selected:
        res.store_previous_id()
        res.data = apply_json6902(res.data, patch.body)
        res.annotation_text = None  # kustomize applies a JSON patch to the object's JSON: texts are gone
        res.links = []  # kustomize rebuilds the whole document from JSON: no node is shared any more
        for op in patch.body:
            if isinstance(op, dict) and isinstance(op.get("path"), str) and op.get("op") != "remove":
                field = ".".join(p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:])
                res.set_origin(field, patch.source, patch.position)


def _record(
    res: Resource, patch: Patch, body: Any, node: Any = None, path: tuple = (), doc_path: tuple = ()
) -> None:
    """Field origins for the leaves an SMP sets. List items with a `name` are followed to the item
    of the same name in the result; other lists are recorded as a whole."""
    if node is None:
        node = res.data
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        if not isinstance(key, str) or key.startswith("$") or (not path and key in ("apiVersion", "kind")):
            continue
        sub, sub_doc = (*path, key), (*doc_path, key)
        if sub in (("metadata", "name"), ("metadata", "namespace")):
            continue
        target = node.get(key) if isinstance(node, dict) else None
        if isinstance(value, dict):
            _record(res, patch, value, target, sub, sub_doc)
            continue
        res.set_origin(".".join(map(str, sub)), patch.source, patch.where(sub_doc))
        if isinstance(value, list) and isinstance(target, list):
            names = {item.get("name"): i for i, item in enumerate(target) if isinstance(item, dict)}
            for j, item in enumerate(value):
                if (
                    isinstance(item, dict)
                    and item.get("name") is not None
                    and item.get("name") in names
                    and "$patch" not in item
                ):
                    i = names[item["name"]]
                    _record(res, patch, item, target[i], (*sub, i), (*sub_doc, j))


def parse_json_ops(text: str, where: str) -> list:
    """JSON 6902 operations from JSON or YAML text."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise RenderError(f"JSON patch nested too deeply ({where})") from None
    except ValueError:
        parsed = parse_text(where, text)
        docs = [d.data for d in parsed.documents]
        if parsed.violations or len(docs) != 1:
            raise RenderError(f"unable to parse JSON patch from {where}") from None
        value = copy_data(docs[0])
    if not isinstance(value, list):
        raise RenderError(f"a JSON 6902 patch must be a list of operations ({where})")
    return value
