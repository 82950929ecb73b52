"""Reading a kustomization file and normalising it to kustomize v5's modern form.

Deprecated fields are mapped as kustomize's own FixKustomization does: `bases` are appended to
`resources`, `imageTags` to `images`, a generator's `env` to its `envs`. `patchesStrategicMerge`
and `patchesJson6902` are kept apart because kustomize runs them at their own step.
As in kustomize, a number or boolean where the Go struct has a string (`newTag: 1.10`) is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitops_lint.core.datapath import dig
from gitops_lint.core.findings import FILE_START, Position
from gitops_lint.core.loader import SYNTAX, UNSAFE_CONTENT, Document, ParsedFile
from gitops_lint.core.scalars import YAML11_BOOLS
from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import copy_data

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

KNOWN_FIELDS = frozenset(
    """apiVersion kind metadata openapi namePrefix nameSuffix namespace commonLabels labels commonAnnotations
    patchesStrategicMerge patchesJson6902 patches images imageTags replacements replicas vars sortOptions
    resources components crds bases configMapGenerator secretGenerator helmGlobals helmCharts
    helmChartInflationGenerator generatorOptions configurations generators transformers validators
    buildMetadata""".split()
)

_API_VERSIONS = {
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}
_STRINGS = ("namePrefix", "nameSuffix", "namespace")
_STRING_MAPS = ("commonLabels", "commonAnnotations")
_LISTS = tuple(
    """resources bases components crds configurations generators transformers validators patches
    patchesStrategicMerge patchesJson6902 images imageTags replicas labels configMapGenerator secretGenerator
    vars replacements helmCharts helmChartInflationGenerator buildMetadata""".split()
)  # slices in kustomize's Go struct: anything but a list (or null) fails to decode
_IMAGE_FIELDS = ("name", "newName", "newTag", "digest")


@dataclass
class Kustomization:
    """A kustomization (or Component) file, normalised."""

    dir: str
    path: str
    kind: str
    data: dict
    raw: dict
    doc: Document | None
    resources: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    config_map_generator: list[dict] = field(default_factory=list)
    secret_generator: list[dict] = field(default_factory=list)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name)
        return default if value is None else value

    def raw_get(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        return default if value is None else value

    def position(self, *path: Any) -> Position:
        return self.doc.position(tuple(path)) if self.doc is not None else FILE_START

    def error(self, message: str, *path: Any) -> RenderError:
        return RenderError(message, self.path, self.position(*path))


def find_file(tree, directory: str) -> str | None:
    """The kustomization file in `directory`; RenderError when there are several."""
    names = set(tree.listdir(directory))
    found = [n for n in FILE_NAMES if n in names]
    if len(found) > 1:
        raise RenderError(f"found multiple kustomization files under {directory or '.'}: {', '.join(found)}")
    if not found:
        return None
    return f"{directory}/{found[0]}" if directory else found[0]


def load(tree, directory: str, parsed: ParsedFile) -> Kustomization:
    """Normalise the kustomization `parsed` (the file found by find_file in `directory`)."""
    path = parsed.path
    if parsed.violations and (
        not parsed.documents or any(v.kind in (SYNTAX, UNSAFE_CONTENT) for v in parsed.violations)
    ):
        raise RenderError(
            f"cannot parse kustomization: {parsed.violations[0].message}", path, parsed.violations[0].position
        )
    docs = [d for d in parsed.documents if d.data is not None]
    if len(docs) > 1 or (docs and not isinstance(docs[0].data, dict)):
        raise RenderError("a kustomization file must hold exactly one YAML mapping", path)
    doc = docs[0] if docs else None
    if doc is None or (isinstance(doc.data, dict) and not set(doc.data) - {"apiVersion", "kind"}):
        raise RenderError("the kustomization is empty", path)
    data = _as_kustomize_reads(doc)
    raw = data
    for key in data:
        if key not in KNOWN_FIELDS:
            raise RenderError(
                f"invalid Kustomization: unknown field {key!r}", path, doc.position((key,), key=True)
            )
    kind = data.get("kind") or "Kustomization"
    if kind not in ("Kustomization", "Component"):
        raise RenderError(f"kind {kind!r} is not a Kustomization or Component", path, doc.position(("kind",)))
    api_version = data.get("apiVersion")
    if api_version and api_version != _API_VERSIONS[kind]:
        raise RenderError(
            f"apiVersion for {kind} should be {_API_VERSIONS[kind]}, not {api_version!r}",
            path,
            doc.position(("apiVersion",)),
        )
    k = Kustomization(directory, path, kind, data, raw, doc)
    _check_types(k)
    k.resources = _strings(k, "resources") + _strings(k, "bases")
    k.images = _dicts(raw, "images") + _dicts(raw, "imageTags")
    k.config_map_generator = [_fix_generator(g) for g in _dicts(raw, "configMapGenerator")]
    k.secret_generator = [_fix_generator(g) for g in _dicts(raw, "secretGenerator")]
    return k


def _as_kustomize_reads(doc: Document) -> dict:
    """The kustomization's data as kustomize reads its own file (go-yaml v2): plain `yes`, `on`,
    `y`... are booleans, so `namespace: yes` is refused as it is by kustomize."""
    if not doc.yaml11_bools:
        return doc.data
    data = copy_data(doc.data)
    for path in doc.yaml11_bools:
        parent, value = dig(data, path[:-1]), dig(data, path)
        if isinstance(parent, (dict, list)) and isinstance(value, str) and value in YAML11_BOOLS:
            parent[path[-1]] = YAML11_BOOLS[value]
    return data


def _type_error(k: Kustomization, what: str, value: Any, *path: Any) -> RenderError:
    return k.error(
        f"invalid Kustomization: {what} must be a string, not {type(value).__name__} {value!r} (quote it)",
        *path,
    )


def _check_types(k: Kustomization) -> None:
    """kustomize decodes kustomizations into typed Go structs: a number where a string belongs fails."""
    data = k.data
    for name in _STRINGS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise _type_error(k, name, value, name)
    for name in _STRING_MAPS:
        _check_string_map(k, data.get(name), name, (name,))
    for name in _LISTS:
        _list_field(k, data, name)
    for i, label in enumerate(_list_field(k, data, "labels")):
        if isinstance(label, dict):
            _check_string_map(k, label.get("pairs"), "labels.pairs", ("labels", i, "pairs"))
            _list_field(k, label, "fields", "labels", i)
    for i, var in enumerate(_list_field(k, data, "vars")):
        if isinstance(var, dict) and var.get("name") is not None and not isinstance(var["name"], str):
            raise _type_error(k, "vars.name", var["name"], "vars", i, "name")
    for field_name in ("images", "imageTags"):
        for i, image in enumerate(_list_field(k, data, field_name)):
            if isinstance(image, dict):
                for f in _IMAGE_FIELDS:
                    value = image.get(f)
                    if value is not None and not isinstance(value, str):
                        raise _type_error(k, f"{field_name}.{f}", value, field_name, i, f)
    for field_name in ("configMapGenerator", "secretGenerator"):
        for i, gen in enumerate(_list_field(k, data, field_name)):
            if not isinstance(gen, dict):
                continue
            for list_name in ("literals", "files", "envs"):
                for j, item in enumerate(_list_field(k, gen, list_name, field_name, i)):
                    if not isinstance(item, str):
                        raise _type_error(k, f"{field_name}.{list_name}", item, field_name, i, list_name, j)
            options = gen.get("options")
            if isinstance(options, dict):
                for m in ("labels", "annotations"):
                    _check_string_map(
                        k, options.get(m), f"{field_name}.options.{m}", (field_name, i, "options", m)
                    )
    options = data.get("generatorOptions")
    if isinstance(options, dict):
        for m in ("labels", "annotations"):
            _check_string_map(k, options.get(m), f"generatorOptions.{m}", ("generatorOptions", m))


def _list_field(k: Kustomization, parent: dict, name: str, *where: Any) -> list:
    """`parent[name]` when it is a list (absent or null: empty); anything else fails as in kustomize."""
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise k.error(
            f"invalid Kustomization: {name} must be a list, not {type(value).__name__}", *where, name
        )
    return value


def _check_string_map(k: Kustomization, value: Any, what: str, path: tuple) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise k.error(f"invalid Kustomization: {what} must be a map of strings", *path)
    for key, v in value.items():
        if v is not None and not isinstance(v, str):
            raise _type_error(k, f"{what}.{key}", v, *path, key)


def _strings(k: Kustomization, name: str) -> list[str]:
    value = k.raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise k.error(f"`{name}` must be a list of strings", name)
    return list(value)


def _dicts(raw: dict, name: str) -> list[dict]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RenderError(f"`{name}` must be a list")
    return [v for v in value if isinstance(v, dict)]


def _fix_generator(g: dict) -> dict:
    g = dict(g)
    if g.get("env"):
        g["envs"] = [*(g.get("envs") or []), g["env"]]
        del g["env"]
    return g


def truthy(value: Any) -> bool:
    """A raw (string) or typed YAML boolean."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def string_map(value: Any) -> dict[str, str]:
    """A map[string]string field read from the raw view (null becomes "")."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RenderError(f"expected a map of strings, got {type(value).__name__}")
    return {str(k): "" if v is None else v if isinstance(v, str) else str(v) for k, v in value.items()}
