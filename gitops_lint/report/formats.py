"""The reporter contract: every output format is a module with `render(findings, summary, ...) -> str`.

Beside the findings, a run may have fetched remote Helm charts (`fetched`): not findings, but what the
run downloaded or took from the chart cache. Text lists them after the summary, JSON under the top-level
`helm.fetched`, SARIF in the run's properties; the other formats leave them out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Finding
from gitops_lint.report import codequality, github_annotations, json_report, junit, markdown, sarif, text
from gitops_lint.report.summary import Summary

if TYPE_CHECKING:
    from gitops_lint.helm.fetched import FetchedChart

FORMATS = ("text", "json", "sarif", "github", "markdown", "codequality", "junit")


def render(fmt: str, findings: list[Finding], summary: Summary, cards: list, color: bool = False,
           fetched: Sequence[FetchedChart] = ()) -> str:
    """Render findings in the named format (`fetched`: the remote charts the run fetched)."""
    if fmt == "text":
        return text.render(findings, summary, color=color, fetched=fetched)
    if fmt == "json":
        return json_report.render(findings, summary, fetched=fetched)
    if fmt == "sarif":
        return sarif.render(findings, cards, fetched=fetched)
    if fmt == "github":
        return github_annotations.render(findings, summary)
    if fmt == "markdown":
        return markdown.render(findings, summary)
    if fmt == "codequality":
        return codequality.render(findings)
    if fmt == "junit":
        return junit.render(findings, cards)
    raise ValueError(f"unknown format {fmt!r}")
