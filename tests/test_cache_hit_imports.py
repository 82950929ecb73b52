"""A `check` answered from the run cache imports neither the model, the engine, Helm nor jsonschema; a rule
pack is schema-checked again whenever one of its files changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_repo
from gitops_lint.api import lint_path
from gitops_lint.lint.cards import CardError

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["gitops_lint.model.repository", "gitops_lint.lint.engine", "gitops_lint.helm.fetch",
         "gitops_lint.lint.shard", "gitops_lint.render.build", "jsonschema"]
PROBE = """
import json, sys
from gitops_lint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _run(repo: Path, cache: Path) -> tuple[dict, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, "check", str(repo), "--cache-dir", str(cache), "--format",
                           "json", "-j", "1"], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(proc.stdout), set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_a_cache_hit_imports_only_what_it_needs(tmp_path):
    repo = write_repo(tmp_path / "repo", {
        "apps/web/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "apps/web/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                                    "spec:\n  template:\n    spec:\n      containers:\n"
                                    "        - name: web\n          image: nginx:latest\n",
    })
    cold, cold_modules = _run(repo, tmp_path / "cache")
    warm, warm_modules = _run(repo, tmp_path / "cache")
    assert cold["findings"] and warm == cold
    assert set(HEAVY) <= cold_modules  # the probe sees what a full run imports
    assert not set(HEAVY) & warm_modules


ORG_CARD = """id: ORG001
name: org-team-label
severity: warning
summary: Every object has a team label
rationale: Ownership.
fix: Add the label.
schema:
  type: object
examples:
  bad: {"a.yaml": "kind: ConfigMap\\n"}
  good: {"a.yaml": "kind: ConfigMap\\n"}
"""


def test_a_changed_card_is_schema_checked_again(tmp_path):
    repo = write_repo(tmp_path / "repo", {"apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
                                          ".gitops-lint.yaml": "rule_dirs: [org-rules]\n",
                                          "org-rules/ORG001.yaml": ORG_CARD})
    cache = tmp_path / "cache"
    first = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache)
    assert "ORG001" in {c.id for c in first.pack}
    assert lint_path(repo, jobs=1, use_cache=True, cache_dir=cache).repo is None  # the pack was validated before
    (repo / "org-rules/ORG001.yaml").write_text(ORG_CARD.replace("severity: warning", "severity: fatal"))
    with pytest.raises(CardError, match="severity"):
        lint_path(repo, jobs=1, use_cache=True, cache_dir=cache)
