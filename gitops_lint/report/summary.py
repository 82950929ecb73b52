"""The counts shown beside the findings in every report format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from gitops_lint.core.findings import Finding


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
