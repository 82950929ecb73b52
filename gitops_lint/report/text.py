"""Plain text: `path:line:col: GL401 [error] message`, then a summary line, then the remote Helm charts
the run fetched (when it fetched any)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Finding
from gitops_lint.report.summary import Summary

if TYPE_CHECKING:
    from gitops_lint.helm.fetched import FetchedChart

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"


def render(findings: list[Finding], summary: Summary, color: bool = False,
           fetched: Sequence[FetchedChart] = ()) -> str:
    lines = []
    for f in findings:
        severity = str(f.severity)
        label = f"{_COLORS[severity]}{severity}{_RESET}" if color else severity
        env = f" ({f.environment})" if f.environment else ""
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.rule} [{label}] {f.message}{env}")
    lines.append(summary_line(summary))
    lines.extend(fetched_block(fetched))
    return "\n".join(lines) + "\n"


def fetched_block(fetched: Sequence[FetchedChart]) -> list[str]:
    """`fetched charts (N):` and one line per chart: name, version, repository, cache or download."""
    if not fetched:
        return []
    lines = [f"fetched charts ({len(fetched)}):"]
    for chart in fetched:
        how = "from cache" if chart.from_cache else "downloaded"
        lines.append(f"  {chart.chart} {chart.version} from {chart.repository} ({how}, sha256:{chart.digest[:12]})")
    return lines


def summary_line(summary: Summary) -> str:
    counts = summary.to_dict()
    parts = [f"{counts['errors']} error(s)", f"{counts['warnings']} warning(s)", f"{counts['infos']} info"]
    extra = []
    if summary.suppressed:
        extra.append(f"{summary.suppressed} suppressed")
    if summary.baselined:
        extra.append(f"{summary.baselined} in baseline")
    tail = f"; {', '.join(extra)}" if extra else ""
    return (f"{', '.join(parts)} in {summary.files} file(s), {summary.documents} document(s), "
            f"{summary.rules} rule(s){tail}")
