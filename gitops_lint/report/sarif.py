"""SARIF 2.1.0 for GitHub code scanning, with rule metadata from the cards. The remote Helm charts a run
fetched go in the run's property bag (`gitopsLint/helmFetched`), not among the results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gitops_lint import __version__
from gitops_lint.core.findings import Finding

if TYPE_CHECKING:
    from gitops_lint.helm.fetched import FetchedChart

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_SECURITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}
FETCHED_KEY = "gitopsLint/helmFetched"


def _rule(card) -> dict:
    return {
        "id": card.id,
        "name": card.name,
        "shortDescription": {"text": card.summary},
        "fullDescription": {"text": card.rationale},
        "help": {"text": f"{card.rationale}\n\nFix: {card.fix}",
                 "markdown": f"{card.rationale}\n\n**Fix:** {card.fix}"},
        "defaultConfiguration": {"level": _LEVEL[str(card.severity)]},
        "properties": {"tags": ["gitops"], "security-severity": _SECURITY[str(card.severity)]},
    }


def render(findings: list[Finding], cards: list, fetched: Sequence[FetchedChart] = ()) -> str:
    rules = [_rule(c) for c in cards]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, object] = {
            "ruleId": f.rule,
            "level": _LEVEL[str(f.severity)],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                }
            }],
            "partialFingerprints": {"gitopsLint/v1": f.fingerprint},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.environment:
            result["properties"] = {"environment": f.environment}
        results.append(result)
    run: dict[str, object] = {
        "tool": {"driver": {"name": "gitops-lint", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "results": results,
    }
    if fetched:
        run["properties"] = {FETCHED_KEY: [c.to_dict() for c in fetched]}
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
