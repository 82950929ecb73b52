"""Markdown for PR comments and job summaries."""

from __future__ import annotations

from gitops_lint.core.findings import Finding
from gitops_lint.report.summary import Summary
from gitops_lint.report.text import summary_line

_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def escape(text: str) -> str:
    """Escape text for a Markdown table cell."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in "`*_<>[]":
        out = out.replace(ch, "\\" + ch)
    return out


def render(findings: list[Finding], summary: Summary) -> str:
    lines = ["## gitops-lint", "", summary_line(summary), ""]
    if findings:
        lines += ["| | rule | location | message |", "| --- | --- | --- | --- |"]
        for f in findings:
            env = f" ({escape(f.environment)})" if f.environment else ""
            lines.append(f"| {_ICON[str(f.severity)]} | {f.rule} {f.name} | {escape(f.path)}:{f.line} | "
                         f"{escape(f.message)}{env} |")
    else:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"
