"""action.yml and the README's workflow example, validated against the schemas check-jsonschema vendors."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from ruamel.yaml import YAML

from conftest import REPO_ROOT

ACTION = REPO_ROOT / "action.yml"


def _schema_check(schema: str, path) -> None:
    exe = shutil.which("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema is not installed")
    proc = subprocess.run(
        [exe, "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_metadata_is_valid():
    _schema_check("vendor.github-actions", ACTION)


def test_readme_workflow_example_is_valid(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [
        b for b in re.findall(r"```ya?ml\n(.*?)```", readme, re.S) if "pull_request" in b and "jobs:" in b
    ]
    assert blocks, "README must show a complete workflow example"
    for i, block in enumerate(blocks):
        workflow = tmp_path / f"workflow{i}.yml"
        workflow.write_text(block, encoding="utf-8")
        _schema_check("vendor.github-workflows", workflow)
        data = YAML(typ="safe", pure=True).load(block)
        steps = [s for job in data["jobs"].values() for s in job["steps"]]
        checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout"))
        assert checkout["with"]["fetch-depth"] == 0
        assert "pull_request_target" not in data[True if True in data else "on"]


def test_action_runs_nothing_from_the_pull_request():
    action = YAML(typ="safe", pure=True).load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    install = steps[0]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install["run"]
    for step in steps:
        # inputs and event data reach scripts only through env, never spliced into the script text
        assert "${{" not in step.get("run", ""), step["name"]
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "gitops-lint diff" not in scripts or "$GITOPS_LINT" in scripts
    assert '"$GITOPS_LINT" github comment' in scripts and "GITHUB_STEP_SUMMARY" in scripts
    assert set(action["inputs"]) >= {"path", "base-ref", "fail-on", "sarif", "comment", "args"}


def test_helm_args_reach_both_check_and_diff():
    action = YAML(typ="safe", pure=True).load(ACTION.read_text(encoding="utf-8"))
    assert action["inputs"]["helm-args"]["default"] == ""
    steps = {s.get("id"): s for s in action["runs"]["steps"]}
    for step in ("check", "diff"):
        assert steps[step]["env"]["INPUT_HELM_ARGS"] == "${{ inputs.helm-args }}"
    assert steps["check"]["run"].count("$INPUT_HELM_ARGS") == 2  # the annotations run and the SARIF run
    assert "$INPUT_HELM_ARGS" in steps["diff"]["run"].split('"$GITOPS_LINT" diff', 1)[1]
