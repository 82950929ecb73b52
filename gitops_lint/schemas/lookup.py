"""What every schema source shares: schemas looked up by (apiVersion, kind), each loaded at most once."""

from __future__ import annotations


class SchemaLookup:
    """A source of schemas by (apiVersion, kind); subclasses say how one is loaded (`_load`)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], dict | None] = {}

    def lookup(self, api_version: str, kind: str) -> dict | None:
        """The schema of `kind` in `api_version`, or None when this source has none (loaded once)."""
        key = (api_version, kind)
        if key not in self._cache:
            self._cache[key] = self._load(api_version, kind)
        return self._cache[key]

    def _load(self, api_version: str, kind: str) -> dict | None:
        raise NotImplementedError
