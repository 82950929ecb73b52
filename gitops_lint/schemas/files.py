"""Schemas stored as files in the `{group}/{kind}_{version}.json` layout.

The same layout serves the schemas bundled with gitops-lint (`schemas/bundled/`, Argo CD, Flux,
Argo Rollouts, Sealed Secrets, External Secrets and kustomize itself) and the directories a user
names in `schema_dirs` (e.g. a checkout of a CRD catalog). Kind names are matched lower-case; a
kind of the core group lives at the directory's top level (`{kind}_{version}.json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from gitops_lint.schemas.lookup import SchemaLookup

BUNDLED_DIR = Path(__file__).parent / "bundled"


class SchemaFileError(ValueError):
    """A schema file that exists but is not a JSON object."""


class SchemaDirectory(SchemaLookup):
    """A directory of schema files, read lazily; each file at most once."""

    def __init__(self, root: str | Path, label: str):
        super().__init__()
        self.root = Path(root)
        self.label = label

    def path_for(self, api_version: str, kind: str) -> Path:
        group, _, version = api_version.rpartition("/")
        name = f"{kind.lower()}_{version}.json"
        return self.root / group / name if group else self.root / name

    def _load(self, api_version: str, kind: str) -> dict | None:
        if not api_version or not kind or "/" in kind or ".." in api_version or api_version.count("/") > 1:
            return None
        path = self.path_for(api_version, kind)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise SchemaFileError(f"{path}: {exc}") from exc
        if not isinstance(data, dict):
            raise SchemaFileError(f"{path}: not a JSON object")
        return data


def schema_directories(dirs: Iterable[str | Path]) -> list[SchemaDirectory]:
    """User schema directories that exist, in the order given."""
    return [SchemaDirectory(d, f"schema_dirs:{d}") for d in dirs if Path(d).is_dir()]


def bundled_directory() -> SchemaDirectory:
    return SchemaDirectory(BUNDLED_DIR, "bundled")
