"""Positions, violations (what a check yields) and findings (what reporters print)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import IntEnum


class Severity(IntEnum):
    """Finding severity; ordered so that a higher value is more severe."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse `error`, `warning` or `info` (case-insensitive)."""
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a file."""

    line: int = 1
    column: int = 1


FILE_START = Position(1, 1)


@dataclass(frozen=True)
class Violation:
    """One problem found by a check, before the engine attaches the rule's identity.

    `key` is a short, position-free description of *what* is wrong (e.g. the field path);
    together with the path and resource it forms the finding's stable fingerprint. `kind` names the
    class of problem of a violation found outside any check (the loader's), which cards claim with
    `reports:`.
    """

    path: str
    message: str
    position: Position = FILE_START
    resource: str | None = None
    environment: str | None = None
    key: str = ""
    fixable: bool = False
    severity: Severity | None = None  # a check may override the card's default
    kind: str = ""


INTERNAL_ERROR = "GL000"  # reserved: a failure of the tool itself, not a rule (no card; exit code 2)


@dataclass(frozen=True)
class Finding:
    """A reported problem: a violation bound to its rule."""

    rule: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    resource: str | None = None
    environment: str | None = None
    fingerprint: str = ""
    fixable: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_internal_error(self) -> bool:
        """A failure of gitops-lint itself (exit code 2), not a finding of a rule."""
        return self.rule == INTERNAL_ERROR

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def to_dict(self) -> dict:
        """The JSON shape of a finding (shared by `check` and `diff`)."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": str(self.severity),
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "resource": self.resource,
            "environment": self.environment,
            "fingerprint": self.fingerprint,
        }


def fingerprint(rule: str, path: str, resource: str | None, key: str, environment: str | None) -> str:
    """A fingerprint that survives unrelated edits: no line numbers, only identities."""
    text = "\x1f".join([rule, path, resource or "", environment or "", key])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]  # non-UTF-8 file names
