"""Reading a kustomization file and normalising it to kustomize v5's modern form.

Deprecated fields are mapped as kustomize's own FixKustomization does: `bases` are appended to
`resources`, `imageTags` to `images`, a generator's `env` to its `envs`. `patchesStrategicMerge`
and `patchesJson6902` are kept apart because kustomize runs them at their own step.
String-typed fields are read from a raw (all-strings) view so `newTag: 1.10` stays "1.10".
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..findings import FILE_START, Position
from ..loader import Document, ParsedFile
from .errors import RenderError

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

KNOWN_FIELDS = frozenset(
    """apiVersion kind metadata openapi namePrefix nameSuffix namespace commonLabels labels commonAnnotations
    patchesStrategicMerge patchesJson6902 patches images imageTags replacements replicas vars sortOptions
    resources components crds bases configMapGenerator secretGenerator helmGlobals helmCharts
    helmChartInflationGenerator generatorOptions configurations generators transformers validators
    buildMetadata""".split()
)

_raw_yaml = YAML(typ="base")


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
    if parsed.violations and not parsed.documents:
        raise RenderError(
            f"cannot parse kustomization: {parsed.violations[0].message}", path, parsed.violations[0].position
        )
    docs = [d for d in parsed.documents if d.data is not None]
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise RenderError("a kustomization file must hold exactly one YAML mapping", path)
    doc = docs[0]
    data = doc.data
    try:
        raw = _raw_yaml.load(io.StringIO(parsed.text or "")) if parsed.text is not None else data
    except YAMLError:
        raw = data
    if not isinstance(raw, dict):
        raw = {}
    for key in data:
        if key not in KNOWN_FIELDS:
            raise RenderError(
                f"invalid Kustomization: unknown field {key!r}", path, doc.position((key,), key=True)
            )
    kind = data.get("kind") or "Kustomization"
    if kind not in ("Kustomization", "Component"):
        raise RenderError(f"kind {kind!r} is not a Kustomization or Component", path, doc.position(("kind",)))
    k = Kustomization(directory, path, kind, data, raw, doc)
    k.resources = _strings(k, "resources") + _strings(k, "bases")
    k.images = _dicts(raw, "images") + _dicts(raw, "imageTags")
    k.config_map_generator = [_fix_generator(g) for g in _dicts(raw, "configMapGenerator")]
    k.secret_generator = [_fix_generator(g) for g in _dicts(raw, "secretGenerator")]
    return k


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
