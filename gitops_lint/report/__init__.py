"""Reporters: one module per output format, each `render(findings, summary, cards) -> str`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..findings import Finding

FORMATS = ("text", "json", "sarif", "github", "markdown")


@dataclass
class Summary:
    """Counts shown beside the findings."""

    files: int = 0
    documents: int = 0
    rules: int = 0
    suppressed: int = 0
    baselined: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: list[Finding], **counts) -> Summary:
        return cls(by_severity=dict(Counter(str(f.severity) for f in findings)), **counts)

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "documents": self.documents,
            "rules": self.rules,
            "suppressed": self.suppressed,
            "baselined": self.baselined,
            "findings": sum(self.by_severity.values()),
            "errors": self.by_severity.get("error", 0),
            "warnings": self.by_severity.get("warning", 0),
            "infos": self.by_severity.get("info", 0),
        }


def render(fmt: str, findings: list[Finding], summary: Summary, cards: list, color: bool = False) -> str:
    """Render findings in the named format."""
    from . import github, json_report, markdown, sarif, text

    if fmt == "text":
        return text.render(findings, summary, color=color)
    if fmt == "json":
        return json_report.render(findings, summary)
    if fmt == "sarif":
        return sarif.render(findings, cards)
    if fmt == "github":
        return github.render(findings, summary)
    if fmt == "markdown":
        return markdown.render(findings, summary)
    raise ValueError(f"unknown format {fmt!r}")
