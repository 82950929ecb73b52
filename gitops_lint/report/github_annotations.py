"""GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`)."""

from __future__ import annotations

from gitops_lint.core.findings import Finding
from gitops_lint.report.summary import Summary
from gitops_lint.report.text import summary_line

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message as the Actions runner expects."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property value (also `:` and `,`)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], summary: Summary) -> str:
    lines = []
    for f in findings:
        props = ",".join(
            f"{k}={escape_property(str(v))}"
            for k, v in (("file", f.path), ("line", f.line), ("col", f.column), ("title", f"{f.rule} {f.name}"))
        )
        lines.append(f"::{_LEVEL[str(f.severity)]} {props}::{escape_data(f.message)}")
    lines.append(summary_line(summary))
    return "\n".join(lines) + "\n"
