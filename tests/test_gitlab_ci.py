"""The GitLab CI template (ci/gitlab/) and the README's `.gitlab-ci.yml` snippet: valid against GitLab
CI's schema (vendored by check-jsonschema), wired to the reports it writes, and its scripts run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from gitfixture import GIT_ENV, commit, git, init, write
from ruamel.yaml import YAML

from conftest import REPO_ROOT

TEMPLATE = REPO_ROOT / "ci" / "gitlab" / "gitops-lint.gitlab-ci.yml"
ANTI_PATTERNS = REPO_ROOT / "examples" / "anti-patterns"


def _load(text: str) -> dict:
    return YAML(typ="safe", pure=True).load(text)


def _schema_check(path) -> None:
    exe = shutil.which("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema is not installed")
    proc = subprocess.run([exe, "--builtin-schema", "vendor.gitlab-ci", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _script(job: dict) -> str:
    return "\n".join(job["script"])


def test_template_is_valid_gitlab_ci():
    _schema_check(TEMPLATE)


def test_check_job_uploads_the_reports_it_writes():
    jobs = _load(TEMPLATE.read_text(encoding="utf-8"))
    check = jobs["gitops-lint:check"]
    outputs = dict(re.findall(r"--output-format (\w+)=(\S+)", _script(check)))
    assert check["artifacts"]["reports"] == {"codequality": outputs["codequality"], "junit": outputs["junit"]}
    assert check["artifacts"]["when"] == "always"  # the reports matter most when the job fails


def test_diff_job_runs_on_merge_requests_against_the_target_branch():
    jobs = _load(TEMPLATE.read_text(encoding="utf-8"))
    diff = jobs["gitops-lint:diff"]
    assert diff["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    script = _script(diff)
    assert "git fetch" in script and "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in script
    assert "gitops-lint gitlab note --body-file gitops-lint-diff.md" in script
    assert diff["variables"]["GIT_DEPTH"] == "0"
    install = "\n".join(jobs[".gitops-lint"]["before_script"])
    assert '"$GITOPS_LINT_PIP_SPEC"' in install and "pip install ." not in install  # never from the MR


def test_readme_snippet_includes_the_template(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```ya?ml\n(.*?)```", readme, re.S) if "include:" in b]
    assert blocks, "README must show a .gitlab-ci.yml example"
    for i, block in enumerate(blocks):
        path = tmp_path / f"gitlab-ci{i}.yml"
        path.write_text(block, encoding="utf-8")
        _schema_check(path)
        (include,) = _load(block)["include"]
        assert include["remote"].endswith("/" + TEMPLATE.relative_to(REPO_ROOT).as_posix())


def _run_job(name: str, cwd, env: dict) -> subprocess.CompletedProcess:
    """Run a job's script as the GitLab runner does (bash, errexit), with this checkout's gitops-lint."""
    job = _load(TEMPLATE.read_text(encoding="utf-8"))[name]
    variables = _load(TEMPLATE.read_text(encoding="utf-8"))["variables"]
    shim = cwd.parent / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "gitops-lint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gitops_lint.cli "$@"\n')
    (shim / "gitops-lint").chmod(0o755)
    full_env = {**os.environ, **GIT_ENV, **variables, **job.get("variables", {}), **env,
                "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", _script(job)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def test_check_job_script_writes_valid_reports(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    proc = _run_job("gitops-lint:check", work, {"GITOPS_LINT_PATH": str(ANTI_PATTERNS)})
    assert proc.returncode == 1, proc.stderr  # the anti-patterns have errors
    issues = json.loads((work / "gl-code-quality-report.json").read_text())
    assert issues and all(i["fingerprint"] and i["location"]["path"] for i in issues)
    assert (work / "gitops-lint-junit.xml").read_text().count("<failure") == len(issues)


def test_diff_job_script_diffs_against_the_fetched_target_branch(tmp_path):
    origin = tmp_path / "origin"
    base = {"apps/web/base/kustomization.yaml": "resources: [cm.yaml]\n",
            "apps/web/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata: {a: '1'}\n",
            "apps/web/overlays/production/kustomization.yaml": "resources: [../../base]\n"}
    target = init(origin, base)
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", "main", str(origin), str(work))
    git(work, "checkout", "-q", "-b", "feature")
    write(work, {"apps/web/base/cm.yaml": base["apps/web/base/cm.yaml"].replace("'1'", "'2'")})
    commit(work, "change")
    git(work, "branch", "-q", "-D", "main")
    git(work, "update-ref", "-d", "refs/remotes/origin/main")  # as in a merge request pipeline's clone
    env = {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "GITOPS_LINT_NOTE": "false",
           "GITOPS_LINT_HELM_ARGS": f"--helm-cache {tmp_path / 'helm-cache'}"}  # diff takes check's Helm flags
    proc = _run_job("gitops-lint:diff", work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    body = (work / "gitops-lint-diff.md").read_text()
    assert target in body and '+  a: "2"' in body  # from the target branch's commit to HEAD


def test_helm_args_reach_both_jobs():
    jobs = _load(TEMPLATE.read_text(encoding="utf-8"))
    assert jobs["variables"]["GITOPS_LINT_HELM_ARGS"] == ""
    for job in ("gitops-lint:check", "gitops-lint:diff"):
        command = next(line for line in jobs[job]["script"] if line.startswith(f"gitops-lint {job.split(':')[1]}"))
        assert "$GITOPS_LINT_HELM_ARGS" in command
