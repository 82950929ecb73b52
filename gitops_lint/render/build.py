"""The kustomize build pipeline (kustomize v5's KustTarget), over a read-only SourceTree.

Per kustomization: resources (files, nested kustomizations), configurations and crds, generators,
components (run on the same accumulator), then the built-in transformers in kustomize's order.
At the top only: generated names get their hash suffix, name references are fixed, vars resolved,
and the output is sorted. Sub-builds are cached per session and copied by their consumers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import ParsedFile, load_yaml
from gitops_lint.core.source import PathEscapesRoot, SourceTree, normalize
from gitops_lint.render import (
    buildmeta,
    crds,
    generators,
    kustomization,
    links,
    namereference,
    order,
    plugins,
    transformers,
)
from gitops_lint.render import fieldspec as fs
from gitops_lint.render.accumulator import Accumulator
from gitops_lint.render.errors import NotRendered, RenderError, located
from gitops_lint.render.kustomization import Kustomization
from gitops_lint.render.kyaml_read import resource_data
from gitops_lint.render.resource import Resource, copy_data
from gitops_lint.render.steps import PatchSteps, rebind, reject_parse_problems
from gitops_lint.render.vars import apply_vars

MAX_DEPTH = 40
_RESTRICTORS = {
    "rootonly": "rootonly",
    "loadrestrictionsrootonly": "rootonly",
    "none": "none",
    "loadrestrictionsnone": "none",
}
_CONFIG_KEYS = frozenset(
    "namePrefix nameSuffix namespace commonLabels templateLabels commonAnnotations nameReference varReference "
    "images replicas labels".split()
)
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


class Session(PatchSteps):
    """One render session: file parses and sub-builds are cached and shared by every render in it."""

    def __init__(self, tree: SourceTree, load_restrictor: str = "rootonly", parse: Callable | None = None,
                 inflate: Callable | None = None):
        load_restrictor = _RESTRICTORS.get(str(load_restrictor).lower(), "")
        if not load_restrictor:
            raise RenderError("unknown load restrictor (use rootonly or none)")
        self.tree = tree
        self.load_restrictor = load_restrictor
        self._parse = parse
        # `inflate(kustomization, index) -> [(object, template)]` renders one `helmCharts` entry (the model
        # provides it: this package does not render charts); without it `helmCharts` is not rendered
        self.inflate = inflate
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
                hit = load_yaml(path, self._read(path))
            self._parsed[path] = hit
        return hit

    def resolve_file(self, rel: str, k: Kustomization, what: str = "file", *where: Any) -> str:
        """A file path named in kustomization `k` (at field path `where`), checked against the load
        restrictor."""
        try:
            path = normalize(rel, k.dir)
        except PathEscapesRoot as exc:
            raise k.error(f"{what} {rel!r}: {exc}", *where) from None
        if not self.tree.is_file(path):
            raise k.error(f"{what} {rel!r} not found (looked for {path or '.'})", *where)
        if self.load_restrictor == "rootonly" and k.dir and not path.startswith(k.dir + "/"):
            msg = f"security; file {rel!r} is not in or below {k.dir!r} (load restrictor rootonly)"
            raise k.error(msg, *where)
        return path

    def read_bytes(self, rel: str, k: Kustomization) -> tuple[str, bytes]:
        """A generator input file (errors carry no position: the generator entry is filled in)."""
        try:
            path = self.resolve_file(rel, k)
        except RenderError as exc:
            raise RenderError(exc.message, k.path, None) from None
        return path, self._read(path)

    def _read(self, path: str) -> bytes:
        try:
            return self.tree.read_bytes(path)
        except (OSError, ValueError) as exc:
            raise RenderError(f"cannot read {path}: {exc.__class__.__name__}", path) from None

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
            chain = " -> ".join(d or "." for d in [*stack[stack.index(directory) :], directory])
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
        _reject_unrendered(k, helm=self.inflate is not None)
        for i, entry in enumerate(k.resources):
            self.add_resource(k, acc, entry, i, stack)
        for i, rel in enumerate(k.get("configurations", [])):
            acc.merge_config(self._configuration(k, str(rel), i))
        for i, rel in enumerate(k.get("crds", [])):
            path = self.resolve_file(str(rel), k, "crd file", "crds", i)
            docs = self.parse(path).documents
            try:
                acc.merge_config(crds.config_from_definitions(docs[0].data if docs else None, str(rel)))
            except RenderError as exc:
                raise k.error(exc.message, "crds", i) from None
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
            raise located(exc, k.path, k.position(field, i)) from None
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
            raise located(exc, k.path, k.position("components", i)) from None
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
        reject_parse_problems(parsed, path, None)
        queue: list[tuple[Any, Position, Any]] = [(d.data, d.start, d) for d in parsed.documents]
        out = []
        while queue:
            data, pos, doc = queue.pop(0)
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
                queue.extend((copy_data(item), pos, None) for item in items)
                continue
            meta = data.get("metadata")
            if not isinstance(meta, dict) or not meta.get("name"):
                raise RenderError(f"missing metadata.name in {kind} object", path, pos)
            if doc is None:
                out.append(Resource.new(copy_data(data), path, pos))
            else:
                out.append(Resource.new(resource_data(doc), path, pos, doc.annotation_text))
        return out

    def _configuration(self, k: Kustomization, rel: str, i: int) -> dict:
        path = self.resolve_file(rel, k, "configuration file", "configurations", i)
        docs = self.parse(path).documents
        data = docs[0].data if docs else {}
        if not isinstance(data, dict):
            raise k.error(f"configuration file {rel!r} must hold a mapping", "configurations", i)
        out: dict = {}
        for key, value in data.items():
            if key not in _CONFIG_KEYS:
                raise k.error(f"configuration file {rel!r}: unknown field {key!r}", "configurations", i)
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
        inflate = self.inflate
        if inflate is None:
            return
        charts = k.data.get("helmCharts")
        for i in range(len(charts) if isinstance(charts, list) else 0):
            for data in inflate(k, i):
                acc.append(Resource.new(data, k.path, k.position("helmCharts", i)), k, "helmCharts", i)

    def generate_one(
        self, k, acc: Accumulator, field_name: str, kind: str, gen: dict, i: int, reader=None
    ) -> None:
        """Generate one ConfigMap/Secret and absorb it (create, merge or replace)."""
        reader = reader or generators.Reader(self.read_bytes, k)
        try:
            obj, needs_hash, behavior = generators.make_generated(k, gen, kind, reader)
        except RenderError as exc:
            raise located(exc, k.path, k.position(field_name, i)) from None
        res = Resource.new(obj, k.path, k.position(field_name, i))
        res.needs_hash, res.behavior = needs_hash, behavior
        acc.absorb(res, k, field_name, i)

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


def _reject_unrendered(k: Kustomization, helm: bool = False) -> None:
    for name, why in (
        ("helmCharts", "Helm charts are not inflated offline") if not helm else ("", ""),
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
    resources = acc.resources
    for res in resources:
        if res.needs_hash:
            res.store_previous_id()
            res.meta["name"] = f"{res.meta.get('name')}-{generators.content_hash(res.data)}"
    namereference.fix_name_references(resources, acc.config["nameReference"], session.nameref_memo)
    if acc.vars:
        try:
            for res in resources:
                links.prune(res)
            objects = apply_vars(
                [r.data for r in resources],
                acc.vars,
                extra_field_specs=acc.config.get("varReference", []),
                ids=[[r.org_id, *r.all_ids()] for r in resources],
            )
            rebind(resources, objects)
        except RenderError as exc:
            raise k.error(exc.message, "vars") from None
    if k.get("buildMetadata"):
        buildmeta.check(k)
        buildmeta.apply(resources, k)
    return order.sort_resources(resources, k.get("sortOptions"))

