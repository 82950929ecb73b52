"""CI sharding: `check --shard K/N` checks a deterministic share of the repository; `merge` combines
the shards' JSON reports (into any format) or SARIF reports (into SARIF) into the report one
unsharded run gives.

Every shard parses the whole repository (rules need its index). A rule's card says what its findings
depend on (`scope`): rules of scope `root` run in every shard over the shard's kustomization roots
(units of roots that share files, balanced by size: `model/partition.py`), rules of scope `file` over
the files the shard owns, and rules of scope `repository` run in shard 1 only. Rules about the
suppressions themselves (stage `suppressions`) run in every shard, over that shard's findings: a
suppression is unused only when it is unused in every shard, so `merge` keeps such a finding only
when all N shards report it; one of scope `file` (GL002: a suppression without a reason) reports on
the shard's files only, and `merge` concatenates its findings like any other rule's.

A file-scoped rule's findings on a file may read indexes of the whole repository (`Repository.derived`,
`objects`, the tree, renders of named roots: never narrowed to a shard), never `CheckContext.documents()`
of other files; the engine keeps the findings on the files the shard owns, and a check that iterates
more than `documents()` skips the other files early with `CheckContext.owns`.

A root-scoped check follows the share itself (the engine does not filter its findings): while it runs
the rendered views yield only the shard's roots (`Repository.restricted`), and the source files it
judges on their own are those `Repository.owns_file` gives the shard (every file a unit reads goes
with the unit, any other by its path). So one card may have file and root parts: GL304 validates the
files the shard owns and its roots' builds. What such a check needs from the rest of the repository
it reads from whole-repository indexes (`Repository.derived`), built so that they render no root of
another shard unless needed: GL705's Services (`checks/services.py`).

A finding is never split across shards, so `merge` only concatenates: a unit holds every root that
reads a file, so one file's findings (a base line reached by several overlays, which one run merges
into one finding listing the environments: `engine.merge_repeats`, `checks/workloads.py`) all come
from one shard. The one exception to "every root that reads a file", a Component that only sets labels
and annotations (`partition.units`), holds no line a built-in root-scoped rule reports on from a
build (GL304 validates the file itself, in the one shard that owns it); with an organisation card of
scope `root` in the selection there is no such exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from gitops_lint.core.findings import Finding, Severity
from gitops_lint.helm.fetched import FetchedChart
from gitops_lint.lint.cards import Card
from gitops_lint.report.sarif import FETCHED_KEY
from gitops_lint.report.summary import Summary


class ShardError(ValueError):
    """A bad --shard value or shard reports that do not fit together."""


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ShardError(f"--shard {text!r}: expected K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise ShardError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def shard_cards(cards: list[Card], k: int, n: int) -> list[Card]:
    """The cards shard `k` of `n` runs: every root- and file-scoped rule (over its share), every
    suppressions-stage rule, and in shard 1 the repository-scoped rules."""
    return [c for c in cards if c.stage == "suppressions" or c.scope != "repository" or k == 1]


def shard_block(k: int, n: int, chosen: list[Card], findings: list[Finding]) -> dict:
    """What a shard adds to its JSON report for `merge`."""
    return {"index": k, "count": n, "rules": sorted(c.id for c in chosen),
            "fixable": sorted({f.fingerprint for f in findings if f.fixable})}


@dataclass
class Merged:
    """The combined report of all shards."""

    findings: list[Finding]
    summary: Summary
    rules: list[str]
    sarif: bool = False  # merged from SARIF reports: no summary counts or resources (SARIF output only)
    fetched: list[FetchedChart] = field(default_factory=list)  # remote charts any shard fetched, once each


SARIF_KEY = "gitopsLint/shard"  # where a shard's SARIF report keeps its block (the run's property bag)


def with_block(text: str, fmt: str, block: dict) -> str:
    """A shard's JSON or SARIF report with its block added (other formats unchanged)."""
    if fmt not in ("json", "sarif"):
        return text
    data = json.loads(text)
    if fmt == "json":
        data["shard"] = block
    else:
        data["runs"][0].setdefault("properties", {})[SARIF_KEY] = block
    return json.dumps(data, indent=2) + "\n"


def _finding(d: dict, fixable: set[str]) -> Finding:
    return Finding(rule=d["rule"], name=d["name"], severity=Severity.parse(d["severity"]), path=d["path"],
                   line=d["line"], column=d["column"], message=d["message"], resource=d.get("resource"),
                   environment=d.get("environment"), fingerprint=d["fingerprint"],
                   fixable=d.get("fixable", False) or d["fingerprint"] in fixable)


def _read(texts: list[str]) -> list[tuple[int, int, dict, dict]]:
    """(index, count, report, shard block) of each shard's JSON or SARIF report."""
    reports = []
    for text in texts:
        try:
            data = json.loads(text)
            block = data["runs"][0]["properties"][SARIF_KEY] if "runs" in data else data["shard"]
            reports.append((int(block["index"]), int(block["count"]), data, block))
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ShardError("not a shard's JSON or SARIF report (check --shard K/N --format json|sarif): "
                             f"{exc}") from None
    return reports


def _sarif_finding(result: dict, names: dict[str, str], fixable: set[str]) -> dict:
    """The JSON shape of a finding, from a SARIF result (what SARIF does not carry stays empty)."""
    region = result["locations"][0]["physicalLocation"]
    level = {"note": "info"}.get(result["level"], result["level"])
    fp = result["partialFingerprints"]["gitopsLint/v1"]
    return {"rule": result["ruleId"], "name": names.get(result["ruleId"], ""), "severity": level,
            "path": region["artifactLocation"]["uri"], "line": region["region"]["startLine"],
            "column": region["region"]["startColumn"], "message": result["message"]["text"], "resource": None,
            "environment": result.get("properties", {}).get("environment"), "fingerprint": fp,
            "fixable": fp in fixable}


def merge_reports(texts: list[str], suppression_rules: set[str]) -> Merged:
    """Combine the JSON (or SARIF) reports of shards 1..N (each exactly once) into one; a finding of
    `suppression_rules` (the suppressions-stage rules every shard runs over all files) only when every
    shard reports it."""
    reports = _read(texts)
    kinds = {"sarif" if "runs" in data else "json" for _, _, data, _ in reports}
    if len(kinds) > 1:
        raise ShardError("give the shards' reports in one format (all JSON or all SARIF)")
    if kinds == {"sarif"}:
        for _, _, data, block in reports:
            run = data["runs"][0]
            names = {r["id"]: r["name"] for r in run["tool"]["driver"]["rules"]}
            data["findings"] = [_sarif_finding(r, names, set(block.get("fixable", ()))) for r in run["results"]]
            data["summary"] = {"files": 0, "documents": 0, "suppressed": 0, "baselined": 0}
    counts = {n for _, n, _, _ in reports}
    indexes = sorted(k for k, _, _, _ in reports)
    if len(counts) != 1 or indexes != list(range(1, len(reports) + 1)) or counts != {len(reports)}:
        raise ShardError(f"expected the reports of shards 1..N once each; got {', '.join(map(str, indexes))} "
                         f"of {', '.join(map(str, sorted(counts)))}")
    n = len(reports)
    seen: dict[str, int] = {}
    findings: list[Finding] = []
    internal: set[str] = set()
    for _, _, data, block in reports:
        fixable = set(block.get("fixable", ()))
        for d in data["findings"]:
            f = _finding(d, fixable)
            if f.rule in suppression_rules:
                key = json.dumps(d, sort_keys=True)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] == n:  # unused (or reported) in every shard
                    findings.append(f)
            elif f.is_internal_error:  # a scoped rule that fails, fails in every shard: reported once
                if f.fingerprint not in internal:
                    internal.add(f.fingerprint)
                    findings.append(f)
            else:
                findings.append(f)
    findings.sort(key=Finding.sort_key)
    first = reports[0][2]["summary"]
    summary = Summary.of(findings, files=first["files"], documents=first["documents"],
                         rules=len(set(reports[0][3]["rules"])),
                         suppressed=sum(r[2]["summary"]["suppressed"] for r in reports),
                         baselined=sum(r[2]["summary"]["baselined"] for r in reports))
    return Merged(findings, summary, sorted(reports[0][3]["rules"]), sarif=kinds == {"sarif"},
                  fetched=_fetched(data for _, _, data, _ in reports))


def _fetched(reports: Iterable[dict]) -> list[FetchedChart]:
    """The remote charts the shards' reports list, each chart version once (the first shard's record)."""
    out: dict[tuple, FetchedChart] = {}
    for data in reports:
        listed = (data["runs"][0].get("properties", {}).get(FETCHED_KEY, []) if "runs" in data
                  else data.get("helm", {}).get("fetched", []))
        for entry in listed:
            try:
                chart = FetchedChart.from_dict(entry)
            except (KeyError, TypeError, AttributeError):
                raise ShardError("a shard's report lists a fetched chart it cannot describe") from None
            out.setdefault((chart.chart, chart.version, chart.repository), chart)
    return list(out.values())
