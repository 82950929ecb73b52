"""The reporter contract: every output format is a module with `render(findings, summary, ...) -> str`.

Beside the findings, a run may have fetched remote Helm charts (`fetched`): not findings, but what the
run downloaded or took from the chart cache. Text lists them after the summary, JSON under the top-level
`helm.fetched`, SARIF in the run's properties; the other formats leave them out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Finding
from gitops_lint.report.summary import Summary

if TYPE_CHECKING:
    from gitops_lint.helm.fetched import FetchedChart

FORMATS = ("text", "json", "sarif", "github", "markdown", "codequality", "junit")


def render(fmt: str, findings: list[Finding], summary: Summary, cards: list, color: bool = False,
           fetched: Sequence[FetchedChart] = ()) -> str:
    """Render findings in the named format (`fetched`: the remote charts the run fetched). Only the
    format asked for is imported (JUnit's XML library, SARIF's tables: start-up time of every run)."""
    if fmt == "text":
        from gitops_lint.report import text

        return text.render(findings, summary, color=color, fetched=fetched)
    if fmt == "json":
        from gitops_lint.report import json_report

        return json_report.render(findings, summary, fetched=fetched)
    if fmt == "sarif":
        from gitops_lint.report import sarif

        return sarif.render(findings, cards, fetched=fetched)
    if fmt == "github":
        from gitops_lint.report import github_annotations

        return github_annotations.render(findings, summary)
    if fmt == "markdown":
        from gitops_lint.report import markdown

        return markdown.render(findings, summary)
    if fmt == "codequality":
        from gitops_lint.report import codequality

        return codequality.render(findings)
    if fmt == "junit":
        from gitops_lint.report import junit

        return junit.render(findings, cards)
    raise ValueError(f"unknown format {fmt!r}")
