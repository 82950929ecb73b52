"""Output of `gitops-lint diff`: text (coloured on a TTY), markdown (PR comments, job summaries), json,
codequality (the dangerous changes for GitLab).

Every format prints only the masked diffs built by `gitops_lint.diff.pipeline`; no raw object data is read here.
"""

from __future__ import annotations

import html
import json
import re

from gitops_lint import __version__
from gitops_lint.diff.changes import ACTIONS, RootDiff
from gitops_lint.diff.pipeline import DiffResult
from gitops_lint.report import codequality
from gitops_lint.report.markdown import escape

FORMATS = ("text", "markdown", "json", "codequality")
COMMENT_LIMIT = 65_536  # GitHub's limit on a comment body (characters)
DEFAULT_MARKDOWN_BUDGET = 60_000  # leaves room for the sticky-comment marker and a footer
_SIGN = {"added": "+", "removed": "-", "modified": "~"}
_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_COLOR = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m", "~": "\033[33m", "!": "\033[1;31m"}
_RESET = "\033[0m"


def render(fmt: str, result: DiffResult, color: bool = False, budget: int = DEFAULT_MARKDOWN_BUDGET) -> str:
    if fmt == "json":
        return json.dumps({"version": __version__, **result.to_dict()}, indent=2) + "\n"
    if fmt == "markdown":
        return markdown(result, budget)
    if fmt == "text":
        return text(result, color)
    if fmt == "codequality":
        return codequality.render(result.findings)
    raise ValueError(f"unknown diff format {fmt!r}")


def _root_label(r: RootDiff) -> str:
    return r.root or "."


def _counts(r: RootDiff) -> str:
    return " ".join(f"{_SIGN[a]}{r.count(a)}" for a in ("added", "modified", "removed"))


def _summary_line(result: DiffResult) -> str:
    total = {a: sum(r.count(a) for r in result.roots) for a in ACTIONS}
    return (
        f"{len(result.roots)} root(s) changed: {total['added']} added, {total['modified']} modified, "
        f"{total['removed']} removed resource(s); {len(result.findings)} dangerous change(s)"
    )


# -- text -----------------------------------------------------------------------------------------
def text(result: DiffResult, color: bool = False) -> str:
    def paint(line: str, key: str | None = None) -> str:
        code = _COLOR.get(key or line[:1]) if color else None
        return f"{code}{line}{_RESET}" if code and line else line

    out = [f"diff {result.base} -> {result.head}"]
    for f in result.findings:
        out.append(paint(f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity}] {f.message}", "!"))
    for env in result.environments_added:
        out.append(paint(f"+ environment {env} added", "+"))
    for env in result.environments_removed:
        out.append(paint(f"- environment {env} removed", "-"))
    for r in result.roots:
        where = ", ".join(
            x for x in (r.app and f"app {r.app}", r.environment and f"env {r.environment}") if x
        )
        out.append("")
        out.append(f"== {_root_label(r)} [{r.status}]" + (f" ({where})" if where else "") + f"  {_counts(r)}")
        out += [paint(f"!! {e}", "!") for e in r.errors]
        for c in r.changes:
            out.append(paint(f"{_SIGN[c.action]} {c.ref}", _SIGN[c.action]))
            if c.action == "modified":
                out += [paint(line) for line in c.diff.splitlines()[2:]]  # skip the ---/+++ header
    out += ["", _summary_line(result)]
    return "\n".join(out) + "\n"


# -- markdown -------------------------------------------------------------------------------------
def _fence(body: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def _root_section(r: RootDiff) -> str:
    where = " · ".join(escape(x) for x in (r.app, r.environment) if x)
    title = f"<code>{html.escape(_root_label(r))}</code> {html.escape(r.status)}"
    title += f" ({where})" if where else ""
    lines = ["<details>", f"<summary>{title} — {_counts(r)}</summary>", ""]
    lines += [f"> ⚠️ {escape(e)}" for e in r.errors]
    body = "".join(c.diff if c.diff.endswith("\n") or not c.diff else c.diff + "\n" for c in r.changes)
    if body:
        fence = _fence(body)
        lines += [f"{fence}diff", body.rstrip("\n"), fence]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def markdown(result: DiffResult, budget: int = DEFAULT_MARKDOWN_BUDGET) -> str:
    """A PR comment: summary, dangerous changes first, a table, then a collapsible section per root."""
    head = [
        "## gitops-lint diff",
        "",
        f"`{escape(result.base)}` → `{escape(result.head)}`: {_summary_line(result)}",
        "",
    ]
    if result.findings:
        head += ["### Dangerous changes", "", "| | rule | location | message |", "| --- | --- | --- | --- |"]
        for f in result.findings:
            env = f" ({escape(f.environment)})" if f.environment else ""
            head.append(
                f"| {_ICON[str(f.severity)]} | {f.rule} {f.name} | {escape(f.path)}:{f.line} | "
                f"{escape(f.message)}{env} |"
            )
        head.append("")
    if result.environments_added or result.environments_removed:
        envs = [
            f"added: {escape(', '.join(result.environments_added))}" if result.environments_added else "",
            f"removed: {escape(', '.join(result.environments_removed))}"
            if result.environments_removed
            else "",
        ]
        head += ["Environments " + "; ".join(e for e in envs if e) + ".", ""]
    if not result.roots:
        head.append("No rendered resource changes.")
        return "\n".join(head) + "\n"
    head += [
        "| app | environment | root | status | added | modified | removed |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for r in _dangerous_first(result):
        head.append(
            f"| {escape(r.app or '—')} | {escape(r.environment or '—')} | {escape(_root_label(r))} | "
            f"{r.status} | {r.count('added')} | {r.count('modified')} | {r.count('removed')} |"
        )
    head.append("")
    text_so_far = "\n".join(head) + "\n"
    sections, omitted = [], 0
    size = len(text_so_far)
    note_room = 200
    for r in _dangerous_first(result):
        section = _root_section(r)
        if omitted or size + len(section) + note_room > budget:
            omitted += 1
            continue
        sections.append(section)
        size += len(section)
    out = text_so_far + "\n".join(sections)
    if omitted:
        out += (
            f"\n_Truncated: the diffs of {omitted} more root(s) do not fit in a comment; "
            "run `gitops-lint diff` locally or see the job summary._\n"
        )
    if len(out) > budget:  # the table alone is too long: cut at a line boundary
        out = (
            out[: budget - note_room].rsplit("\n", 1)[0] + "\n\n_Truncated: too many changes to show here._\n"
        )
    return out


def _dangerous_first(result: DiffResult) -> list[RootDiff]:
    dangerous = {(f.resource, f.environment) for f in result.findings}
    flagged = {c.root for c in result.changes if (c.ref, c.environment) in dangerous}
    return sorted(result.roots, key=lambda r: (r.root not in flagged, not r.errors, r.root))
