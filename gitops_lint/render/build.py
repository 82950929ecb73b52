"""The kustomize build pipeline (kustomize v5's KustTarget), over a read-only SourceTree.

Per kustomization: resources (files, nested kustomizations), configurations and crds, generators,
components (run on the same accumulator), then the built-in transformers in kustomize's order.
At the top only: generated names get their hash suffix, name references are fixed, vars resolved,
and the output is sorted. Sub-builds are cached per session and copied by their consumers.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..findings import FILE_START, Position
from ..loader import ParsedFile, load_yaml, parse_text
from ..source import PathEscapesRoot, SourceTree, normalize
from . import fieldspec as fs
from . import generators, kustomization, namereference, order, plugins, transformers
from .errors import NotRendered, RenderError
from .kustomization import Kustomization
from .patching import Patch, apply_json, apply_smp, get_by_id, parse_json_ops, select_targets
from .resource import Resource, copy_data

MAX_DEPTH = 40
_REMOTE_PREFIXES = (
    "http://",
    "https://",
    "git::",
    "git@",
    "github.com/",
    "gitlab.com/",
    "bitbucket.org/",
    "ssh://",
    "oci://",
)


def is_remote(entry: str) -> bool:
    lower = entry.lower()
    return (
        lower.startswith(_REMOTE_PREFIXES)
        or "?ref=" in lower
        or ".git//" in lower
        or "//" in lower.split("?")[0][1:]
    )


@dataclass
class Accumulator:
    """Resources plus the transformer configuration and vars gathered so far (kustomize's ResAccumulator)."""

    resources: list[Resource] = field(default_factory=list)
    config: dict = field(default_factory=fs.default_config)
    vars: list[dict] = field(default_factory=list)

    _keys: set | None = None

    def append(self, res: Resource, where: Kustomization | None = None, *path: Any) -> None:
        if self._keys is None or len(self._keys) != len(self.resources):
            self._keys = {_key(r) for r in self.resources}
        key = _key(res)
        if key in self._keys:
            msg = f"may not add resource with an already registered id: {res.cur_id}"
            raise where.error(msg, *(path or ("resources",))) if where else RenderError(msg)
        self._keys.add(key)
        self.resources.append(res)

    def invalidate(self) -> None:
        self._keys = None

    def merge_config(self, other: dict) -> None:
        for key, specs in other.items():
            if specs is self.config.get(key) or not specs:
                continue
            if key == "nameReference":
                self.config[key] = namereference.merge_backrefs(self.config[key], specs)
            else:
                self.config[key] = fs.merge(self.config.get(key, []), specs)

    def merge_vars(self, new_vars: list[dict], where: Kustomization | None) -> None:
        names = {v.get("name") for v in self.vars}
        for v in new_vars:
            if v.get("name") in names:
                msg = f"var '{v.get('name')}' already encountered"
                raise where.error(msg, "vars") if where else RenderError(msg)
            names.add(v.get("name"))
            self.vars.append(v)


class Session:
    """One render session: file parses and sub-builds are cached and shared by every render in it."""

    def __init__(self, tree: SourceTree, load_restrictor: str = "rootonly", parse: Callable | None = None):
        if load_restrictor not in ("rootonly", "none"):
            raise RenderError(f"unknown load restrictor {load_restrictor!r} (rootonly or none)")
        self.tree = tree
        self.load_restrictor = load_restrictor
        self._parse = parse
        self._parsed: dict[str, ParsedFile] = {}
        self._builds: dict[str, Accumulator | RenderError] = {}
        self._patch_parses: dict[tuple[str, str], ParsedFile] = {}
        self.nameref_memo: dict = {}

    # -- files -------------------------------------------------------------------------------------
    def parse(self, path: str) -> ParsedFile:
        hit = self._parsed.get(path)
        if hit is None:
            if self._parse is not None:
                hit = self._parse(path)
            if hit is None:
                hit = load_yaml(path, self.tree.read_bytes(path))
            self._parsed[path] = hit
        return hit

    def resolve_file(self, rel: str, k: Kustomization, what: str = "file") -> str:
        """A file path named in kustomization `k`, checked against the load restrictor."""
        try:
            path = normalize(rel, k.dir)
        except PathEscapesRoot as exc:
            raise k.error(f"{what} {rel!r}: {exc}") from None
        if not self.tree.is_file(path):
            raise k.error(f"{what} {rel!r} not found (looked for {path or '.'})")
        if self.load_restrictor == "rootonly" and k.dir and not path.startswith(k.dir + "/"):
            raise k.error(f"security; file {rel!r} is not in or below {k.dir!r} (load restrictor rootonly)")
        return path

    def read_bytes(self, rel: str, k: Kustomization) -> tuple[str, bytes]:
        path = self.resolve_file(rel, k)
        return path, self.tree.read_bytes(path)

    def load_kustomization(self, directory: str) -> Kustomization:
        path = kustomization.find_file(self.tree, directory)
        if path is None:
            raise RenderError(
                f"no kustomization file (kustomization.yaml, kustomization.yml or Kustomization) in {directory or '.'}"
            )
        return kustomization.load(self.tree, directory, self.parse(path))

    # -- building ----------------------------------------------------------------------------------
    def build_dir(self, directory: str, stack: tuple[str, ...], top: bool = False) -> Accumulator:
        """The accumulated (not yet finalised) build of a Kustomization directory, cached."""
        if directory in stack:
            chain = " -> ".join([*stack[stack.index(directory) :], directory])
            raise RenderError(f"cycle detected in kustomization references: {chain}")
        if len(stack) >= MAX_DEPTH:
            raise RenderError(f"kustomization nesting deeper than {MAX_DEPTH} levels at {directory}")
        hit = self._builds.get(directory) if not top else None
        if isinstance(hit, RenderError):
            raise hit
        if hit is None:
            try:
                k = self.load_kustomization(directory)
                if k.kind == "Component" and not top:
                    raise k.error(
                        "a Component cannot be used as a resource or built on its own; list it under `components`",
                        "kind",
                    )
                hit = Accumulator()
                self.accumulate(k, hit, (*stack, directory))
            except RenderError as exc:
                if not top:
                    self._builds[directory] = exc
                raise
            if not top:
                self._builds[directory] = hit
        return hit

    def accumulate(self, k: Kustomization, acc: Accumulator, stack: tuple[str, ...]) -> None:
        _reject_unrendered(k)
        for i, entry in enumerate(k.resources):
            self.add_resource(k, acc, entry, i, stack)
        for i, rel in enumerate(k.get("configurations", [])):
            acc.merge_config(self._configuration(k, str(rel), i))
        for rel in k.get("crds", []):
            self.resolve_file(str(rel), k, "crd file")
        self._generate(k, acc)
        plugins.run_generators(self, k, acc, stack)
        for i, entry in enumerate(k.get("components", [])):
            self._add_component(k, acc, str(entry), i, stack)
        self._transform(k, acc)
        plugins.run_transformers(self, k, acc, stack)
        new_vars = k.get("vars", [])
        if new_vars:
            acc.merge_vars([v for v in new_vars if isinstance(v, dict)], k)

    def add_resource(
        self, k: Kustomization, acc: Accumulator, entry: str, i: int, stack, field: str = "resources"
    ) -> None:
        """One `resources` entry (or plugin-config entry): a file, or a kustomization directory."""
        if is_remote(entry):
            raise NotRendered(
                f"remote resource {entry!r} is not fetched (no network); render it with an external kustomize",
                k.path,
                k.position(field, i),
            )
        try:
            path = normalize(entry, k.dir)
        except PathEscapesRoot as exc:
            raise k.error(f"resource {entry!r}: {exc}", field, i) from None
        if self.tree.is_file(path):
            if self.load_restrictor == "rootonly" and k.dir and not path.startswith(k.dir + "/"):
                raise k.error(
                    f"security; file {entry!r} is not in or below {k.dir!r} (load restrictor rootonly)",
                    field,
                    i,
                )
            for res in self.load_resources(path):
                acc.append(res, k, field, i)
            return
        if not self.tree.is_dir(path):
            raise k.error(f"resource {entry!r} not found: no file or directory {path or '.'}", field, i)
        try:
            sub = self.build_dir(path, stack)
        except RenderError as exc:
            if exc.path is None:
                exc.path, exc.position = k.path, k.position(field, i)
            raise
        for res in sub.resources:
            acc.append(res.copy(), k, field, i)
        acc.merge_config(sub.config)
        acc.merge_vars(sub.vars, k)

    def _add_component(self, k: Kustomization, acc: Accumulator, entry: str, i: int, stack) -> None:
        if is_remote(entry):
            raise NotRendered(
                f"remote component {entry!r} is not fetched (no network)", k.path, k.position("components", i)
            )
        try:
            path = normalize(entry, k.dir)
        except PathEscapesRoot as exc:
            raise k.error(f"component {entry!r}: {exc}", "components", i) from None
        if not self.tree.is_dir(path):
            raise k.error(f"component {entry!r} must be a directory with a kustomization", "components", i)
        if path in stack:
            raise k.error(f"cycle detected: component {entry!r} is already being built", "components", i)
        try:
            comp = self.load_kustomization(path)
        except RenderError as exc:
            if exc.path is None:
                exc.path, exc.position = k.path, k.position("components", i)
            raise
        if comp.kind != "Component":
            raise k.error(
                f"{entry!r} is listed under components but its kind is {comp.kind!r}, not Component",
                "components",
                i,
            )
        self.accumulate(comp, acc, (*stack, path))

    def load_resources(self, path: str) -> list[Resource]:
        """Objects of a resource file, `*List` kinds inlined (at the end, as kustomize does)."""
        parsed = self.parse(path)
        _reject_parse_problems(parsed, path, None)
        queue: list[tuple[Any, Position]] = [(d.data, d.start) for d in parsed.documents]
        out = []
        while queue:
            data, pos = queue.pop(0)
            if data is None or data == {}:
                continue
            if not isinstance(data, dict):
                raise RenderError("a resource document must be a mapping", path, pos)
            kind = data.get("kind")
            if not isinstance(kind, str) or not kind:
                raise RenderError("missing kind in object", path, pos)
            if kind.endswith("List"):
                items = data.get("items")
                if items is None:
                    continue
                if not isinstance(items, list):
                    raise RenderError(f"expected array in {kind}/items", path, pos)
                queue.extend((copy_data(item), pos) for item in items)
                continue
            meta = data.get("metadata")
            if not isinstance(meta, dict) or not meta.get("name"):
                raise RenderError(f"missing metadata.name in {kind} object", path, pos)
            out.append(Resource.new(copy_data(data), path, pos))
        return out

    def _configuration(self, k: Kustomization, rel: str, i: int) -> dict:
        path = self.resolve_file(rel, k, "configuration file")
        docs = self.parse(path).documents
        data = docs[0].data if docs else {}
        if not isinstance(data, dict):
            raise k.error(f"configuration file {rel!r} must hold a mapping", "configurations", i)
        out: dict = {}
        for key, value in data.items():
            if key == "nameReference":
                out[key] = namereference.parse_backrefs(value)
            elif isinstance(value, list):
                out[key] = [fs.from_dict(x) for x in value]
        return out

    # -- generators ----------------------------------------------------------------------------------
    def _generate(self, k: Kustomization, acc: Accumulator) -> None:
        reader = generators.Reader(self.read_bytes, k)
        for field_name, kind, entries in (
            ("configMapGenerator", "ConfigMap", k.config_map_generator),
            ("secretGenerator", "Secret", k.secret_generator),
        ):
            for i, gen in enumerate(entries):
                self.generate_one(k, acc, field_name, kind, gen, i, reader)

    def generate_one(
        self, k, acc: Accumulator, field_name: str, kind: str, gen: dict, i: int, reader=None
    ) -> None:
        """Generate one ConfigMap/Secret and absorb it (create, merge or replace)."""
        reader = reader or generators.Reader(self.read_bytes, k)
        try:
            obj, needs_hash, behavior = generators.make_generated(k, gen, kind, reader)
        except RenderError as exc:
            if exc.position is None:
                exc.path, exc.position = k.path, k.position(field_name, i)
            raise
        res = Resource.new(obj, k.path, k.position(field_name, i))
        res.needs_hash, res.behavior = needs_hash, behavior
        self._absorb(acc, res, k, field_name, i)

    def _absorb(self, acc: Accumulator, res: Resource, k: Kustomization, field_name: str, i: int) -> None:
        rid = res.cur_id
        matches = [r for r in acc.resources if any(x.equals(rid) for x in r.all_ids())]
        if not matches:
            if res.behavior in ("merge", "replace"):
                raise k.error(f"id {rid} does not exist; cannot merge or replace", field_name, i)
            acc.append(res, k, field_name, i)
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
        acc.invalidate()
        old.needs_hash = res.needs_hash and old.needs_hash
        old.field_origins.update({"data": (k.path, k.position(field_name, i))})

    # -- transformers ----------------------------------------------------------------------------------
    def _transform(self, k: Kustomization, acc: Accumulator) -> None:
        cfg = acc.config
        acc.invalidate()
        acc.resources = self.patches_strategic_merge(k, acc.resources)
        acc.resources = self.patches(k, acc.resources)
        transformers.apply_namespace(acc.resources, k, cfg["namespace"])
        transformers.apply_name_affix(acc.resources, k, cfg["namePrefix"], suffix=False)
        transformers.apply_name_affix(acc.resources, k, cfg["nameSuffix"], suffix=True)
        transformers.apply_labels(acc.resources, k, cfg)
        transformers.apply_annotations(acc.resources, k, cfg)
        self.patches_json6902(k, acc.resources)
        transformers.apply_replicas(acc.resources, k, cfg["replicas"])
        transformers.apply_images(acc.resources, k, cfg["images"])
        replacements = k.get("replacements", [])
        if replacements:
            acc.resources = self.replacements(k, acc.resources, replacements)

    def _load_patch_text(
        self, k: Kustomization, entry: Any, field_name: str, i: int
    ) -> tuple[str, str, Position]:
        """(text, source path, position) of a patch given as a path or inline."""
        if isinstance(entry, str) and "\n" not in entry and self._is_patch_file(k, entry):
            path = self.resolve_file(entry, k, "patch file")
            return self.tree.read_text(path), path, FILE_START
        return str(entry), k.path, k.position(field_name, i)

    def _is_patch_file(self, k: Kustomization, entry: str) -> bool:
        try:
            return self.tree.is_file(normalize(entry, k.dir))
        except PathEscapesRoot:
            return True  # resolve_file reports it

    def _smp_docs(self, text: str, source: str, pos: Position) -> list[Patch]:
        key = (source, text)
        parsed = self._patch_parses.get(key)
        if parsed is None:
            parsed = self._patch_parses[key] = parse_text(source, text)
        if parsed.violations and not parsed.documents:
            raise RenderError(f"cannot parse patch: {parsed.violations[0].message}", source, pos)
        _reject_parse_problems(parsed, source, pos)
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
                        copy_data(d.data), source, d.start if own_file else pos, doc=d if own_file else None
                    )
                )
            elif isinstance(d.data, list):
                return [Patch(copy_data(d.data), source, pos)]
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
                path = self.resolve_file(str(entry["path"]), k, "patch file")
                text, source, pos = self.tree.read_text(path), path, FILE_START
            else:
                text, source, pos = str(entry["patch"]), k.path, k.position("patches", i, "patch")
            options = entry.get("options") if isinstance(entry.get("options"), dict) else {}
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
                try:
                    chosen = get_by_id(resources, patch.org_id)
                except RenderError as exc:
                    raise RenderError(
                        f'no resource matches strategic merge patch "{patch.org_id}": {exc.message}'
                    ) from None
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
                path = self.resolve_file(str(entry["path"]), k, "patch file")
                ops = parse_json_ops(self.tree.read_text(path), path)
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
        repl = _replacements_module()
        loaded = []
        for entry in entries:
            if isinstance(entry, dict) and entry.get("path") and len(entry) == 1:
                path = self.resolve_file(str(entry["path"]), k, "replacement file")
                for d in self.parse(path).documents:
                    value = copy_data(d.data)
                    loaded.extend(value if isinstance(value, list) else [value])
            else:
                loaded.append(entry)
        try:
            objects = repl.apply_replacements(
                [r.data for r in resources], loaded, ids=[[r.org_id, *r.all_ids()] for r in resources]
            )
        except RenderError as exc:
            raise k.error(exc.message, "replacements") from None
        return _rebind(resources, objects)


def _key(res: Resource) -> tuple:
    rid = res.cur_id
    return (rid.group, rid.version, rid.kind, rid.name, rid.effective_namespace)


def _rebind(resources: list[Resource], objects: list[dict]) -> list[Resource]:
    """Attach the objects a pure list->list step returned to their Resource records (same order)."""
    if len(objects) != len(resources):
        raise RenderError("internal: a transformation changed the number of objects")
    for res, obj in zip(resources, objects, strict=True):
        res.data = obj
    return resources


def _reject_parse_problems(parsed: ParsedFile, path: str, position: Position | None) -> None:
    """kustomize's YAML decoder refuses what our loader only warns about (duplicate keys)."""
    if parsed.violations and (not parsed.documents or any(v.key.endswith(_FATAL) for v in parsed.violations)):
        v = parsed.violations[0]
        raise RenderError(f"cannot parse {path}: {v.message}", path, position or v.position)


_FATAL = (":GL301", ":GL302", ":GL307")


def _replacements_module():
    try:
        from . import replacements
    except ImportError:
        replacements = None
    if not hasattr(replacements, "apply_replacements") or not hasattr(replacements, "apply_vars"):
        raise RenderError("replacements and vars are not available in this build")
    return replacements


def _reject_unrendered(k: Kustomization) -> None:
    for name, why in (
        ("helmCharts", "Helm charts are not inflated offline"),
        ("helmChartInflationGenerator", "Helm charts are not inflated offline"),
        ("validators", "validator plugins (KRM functions) are never executed"),
    ):
        if k.data.get(name):
            raise NotRendered(
                f"`{name}` is not rendered: {why}; use --renderer kustomize to delegate",
                k.path,
                k.position(name),
            )


def finalize(session: Session, acc: Accumulator, k: Kustomization) -> list[Resource]:
    """Top-level steps: hash suffixes, name references, vars, ordering."""
    from .generators import content_hash

    resources = acc.resources
    for res in resources:
        if res.needs_hash:
            res.store_previous_id()
            res.meta["name"] = f"{res.meta.get('name')}-{content_hash(res.data)}"
    namereference.fix_name_references(resources, acc.config["nameReference"], session.nameref_memo)
    if acc.vars:
        repl = _replacements_module()
        try:
            objects = repl.apply_vars(
                [r.data for r in resources],
                acc.vars,
                extra_field_specs=acc.config.get("varReference", []),
                ids=[[r.org_id, *r.all_ids()] for r in resources],
            )
            _rebind(resources, objects)
        except RenderError as exc:
            raise k.error(exc.message, "vars") from None
    return order.sort_resources(resources, k.get("sortOptions"))


def directory_of(path: str) -> str:
    return posixpath.dirname(path)
