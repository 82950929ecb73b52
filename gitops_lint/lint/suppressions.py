"""Inline suppressions (`# gitops-lint: disable=GL401 -- reason`), file-wide ones
(`# gitops-lint: disable-file=GL601`) and the object annotation `gitops-lint.io/ignore`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gitops_lint.core.findings import Finding, Position
from gitops_lint.core.loader import Document

ANNOTATION = "gitops-lint.io/ignore"
_COMMENT = re.compile(
    r"(?:#|//)\s*gitops-lint:\s*(?P<mode>disable-file|disable-line|disable)\s*=\s*"
    r"(?P<ids>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)(?:\s*--\s*(?P<reason>.*\S))?"
)
_ANNOTATION_ITEM = re.compile(r"^\s*(?P<id>[A-Za-z0-9_-]+)\s*(?::\s*(?P<reason>.*\S))?\s*$")


@dataclass
class Suppression:
    """One suppression and the rule ids (or names) it silences."""

    path: str
    position: Position
    rules: tuple[str, ...]
    scope: str  # "line", "file" or "object"
    reason: str | None
    first_line: int = 0  # the lines it covers
    last_line: int = 0
    resource: str | None = None
    used: set[str] = field(default_factory=set)

    def match(self, finding: Finding) -> str | None:
        """The rule token (id, name or `all`) that silences `finding`, if this suppression covers it."""
        token = next((t for t in self.rules if t in (finding.rule, finding.name, "all")), None)
        if token is None:
            return None
        if self.scope == "object" and self.resource and finding.resource == self.resource:
            return token
        covered = finding.path == self.path and self.first_line <= finding.line <= self.last_line
        return token if covered else None


def scan_text(path: str, text: str) -> list[Suppression]:
    """Suppression comments in one file's text."""
    found: list[Suppression] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if "gitops-lint:" not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        rules = tuple(part.strip() for part in match.group("ids").split(","))
        mode = match.group("mode")
        position = Position(number, match.start() + 1)
        if mode == "disable-file":
            first, last = 1, max(len(lines), 1)
        elif line[: match.start()].strip():  # a trailing comment: this line only
            first = last = number
        else:  # a comment on its own line: this line and the next
            first, last = number, number + 1
        found.append(Suppression(path, position, rules, "file" if mode == "disable-file" else "line",
                                 match.group("reason"), first, last))
    return found


def from_annotation(doc: Document) -> list[Suppression]:
    """Suppressions declared on an object with the `gitops-lint.io/ignore` annotation."""
    value = doc.get("metadata", "annotations", ANNOTATION)
    if not isinstance(value, str):
        return []
    position = doc.position(("metadata", "annotations", ANNOTATION))
    return annotation_suppressions(value, doc.path, position, (doc.start.line, doc.end_line), doc.ref)


def annotation_suppressions(value: object, path: str, position: Position, lines: tuple[int, int],
                            resource: str | None) -> list[Suppression]:
    """Suppressions in the value of a `gitops-lint.io/ignore` annotation (`ID[: reason]; ...`) of the
    object `resource`, declared at `path`:`position` in a document spanning `lines` (first, last)."""
    if not isinstance(value, str):
        return []
    found = []
    for item in re.split(r"[;\n]", value):
        match = _ANNOTATION_ITEM.match(item) if item.strip() else None
        if match:
            found.append(Suppression(path, position, (match.group("id"),), "object", match.group("reason"),
                                     lines[0], lines[1], resource=resource))
    return found
