"""The bundled examples: the reference layout is clean under every rule; each anti-pattern is reported."""

from __future__ import annotations

import re

from conftest import REPO_ROOT
from gitops_lint import api

EXAMPLES = REPO_ROOT / "examples"


def test_reference_repo_is_clean_under_every_rule():
    result = api.lint_path(EXAMPLES / "k8s-manifests")
    assert [(f.rule, f.path, f.line) for f in result.findings] == []
    assert len(result.cards) >= 60


def test_every_anti_pattern_is_reported():
    table = (EXAMPLES / "anti-patterns" / "README.md").read_text(encoding="utf-8")
    expected = set(re.findall(r"GL\d{3}", table))
    result = api.lint_path(EXAMPLES / "anti-patterns")
    assert expected <= {f.rule for f in result.findings}
    assert not any(f.rule == "GL000" for f in result.findings)
    sync = [f.message for f in result.findings if f.rule == "GL402" and f.path == "argocd/web-production.yaml"]
    assert sync and "prune: true" in sync[0]  # the missing prune is named in the same finding
    assert api.exit_code(result.findings, "error") == 1
