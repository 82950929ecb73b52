"""Kubernetes built-in schemas, read from the kubernetes-validate package's bundled strict schemas.

The package ships one directory per Kubernetes minor version (`v1.37.0-local-strict/`) holding a
schema per kind and API version (`deployment-apps-v1.json`) whose `$ref`s point into a shared
`_definitions.json` (`$id: https://kubernetes.io/api/_definitions.json`). Strict variants set
`additionalProperties: false` everywhere, so unknown fields fail validation.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

from gitops_lint.schemas.lookup import SchemaLookup

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
OBJECT_META_REF = f"{DEFINITIONS_URI}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


def parse_version(text: str) -> tuple[int, int] | None:
    """`1.30`, `v1.30.2` → (1, 30); None when unparsable."""
    m = _VERSION.match(str(text).strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def format_version(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


@lru_cache(maxsize=1)
def _schema_root() -> Path | None:
    """kubernetes-validate's schema directory (the package is located, not imported: importing it loads
    PyYAML and more for nothing)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        return None
    root = Path(spec.origin).parent / "kubernetes-json-schema"
    return root if root.is_dir() else None


@lru_cache(maxsize=1)
def bundled_versions() -> dict[tuple[int, int], Path]:
    """Kubernetes minor versions with bundled strict schemas → their directory."""
    root = _schema_root()
    if root is None:
        return {}
    found = {}
    for entry in root.iterdir():
        m = _DIR.match(entry.name)
        if m and entry.is_dir():
            found[(int(m.group(1)), int(m.group(2)))] = entry
    return dict(sorted(found.items()))


def resolve_version(requested: str | None) -> tuple[int, int] | None:
    """The bundled version to validate against: the newest not newer than `requested`.

    No request means the newest bundled; a request older than every bundled version gets the
    oldest; None only when kubernetes-validate ships no schemas at all.
    """
    versions = list(bundled_versions())
    if not versions:
        return None
    wanted = parse_version(requested) if requested else None
    if wanted is None:
        return versions[-1]
    older = [v for v in versions if v <= wanted]
    return older[-1] if older else versions[0]


class KubernetesSchemas(SchemaLookup):
    """Built-in kind schemas of one Kubernetes version, loaded lazily and kept."""

    def __init__(self, version: tuple[int, int] | None):
        super().__init__()
        self.version = version
        self.directory = bundled_versions().get(version) if version else None
        self._definitions: dict | None = None

    @property
    def definitions(self) -> dict:
        """The shared `_definitions.json` resource (an empty schema set when unavailable)."""
        if self._definitions is None:
            self._definitions = {"$id": DEFINITIONS_URI, "$defs": {}}
            if self.directory is not None:
                self._definitions = json.loads((self.directory / "_definitions.json").read_text())
        return self._definitions

    def _load(self, api_version: str, kind: str) -> dict | None:
        if self.directory is None or not kind or not api_version or "/" in kind:
            return None
        group, _, version = api_version.rpartition("/")
        short = group.split(".", 1)[0]
        name = f"{kind.lower()}-{short}-{version}.json" if group else f"{kind.lower()}-{version}.json"
        path = self.directory / name
        if not path.is_file():
            return None
        schema = json.loads(path.read_text())
        # the file name drops the group's domain: make sure this really is the group asked for
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        if not any(
            g.get("group", "") == group and g.get("version") == version and g.get("kind") == kind
            for g in gvks
        ):
            return None
        return schema
