"""The reporter contract: every output format is a module with `render(findings, summary, ...) -> str`."""

from __future__ import annotations

from gitops_lint.core.findings import Finding
from gitops_lint.report import codequality, github_annotations, json_report, junit, markdown, sarif, text
from gitops_lint.report.summary import Summary

FORMATS = ("text", "json", "sarif", "github", "markdown", "codequality", "junit")


def render(fmt: str, findings: list[Finding], summary: Summary, cards: list, color: bool = False) -> str:
    """Render findings in the named format."""
    if fmt == "text":
        return text.render(findings, summary, color=color)
    if fmt == "json":
        return json_report.render(findings, summary)
    if fmt == "sarif":
        return sarif.render(findings, cards)
    if fmt == "github":
        return github_annotations.render(findings, summary)
    if fmt == "markdown":
        return markdown.render(findings, summary)
    if fmt == "codequality":
        return codequality.render(findings)
    if fmt == "junit":
        return junit.render(findings, cards)
    raise ValueError(f"unknown format {fmt!r}")
