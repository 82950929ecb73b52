"""One sticky merge-request note, created or updated through the GitLab REST API (v4, notes API).

Runs inside a GitLab merge-request pipeline: the API URL comes from `CI_API_V4_URL`, the project from
`CI_MERGE_REQUEST_PROJECT_ID` (the project the merge request belongs to; `CI_PROJECT_ID` otherwise)
and the merge request from `CI_MERGE_REQUEST_IID`. A project/personal/group access token with `api`
scope in `GITLAB_TOKEN` (or `GITOPS_LINT_GITLAB_TOKEN`) is sent as `PRIVATE-TOKEN`; without one,
`CI_JOB_TOKEN` is sent as `JOB-TOKEN`, which only instances that let job tokens write notes accept.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass

from gitops_lint.report import sticky

DEFAULT_MARKER = sticky.DEFAULT_MARKER
BODY_LIMIT = 1_000_000  # GitLab's limit on a note body (characters)
_TRUNCATED = "\n\n_Note truncated to GitLab's size limit._\n"
TOKEN_VARIABLES = ("GITOPS_LINT_GITLAB_TOKEN", "GITLAB_TOKEN")


class GitLabError(sticky.ApiError):
    """The API refused a request, or the environment lacks what the command needs."""


@dataclass
class Target:
    api_url: str
    project: str  # numeric id or namespace/path
    merge_request: int  # the IID, as shown in the merge request's URL
    token: str
    token_header: str  # PRIVATE-TOKEN or JOB-TOKEN
    from_fork: bool = False

    @property
    def label(self) -> str:
        return f"{self.project}!{self.merge_request}"


def target_from_env(project: str | None = None, merge_request: int | None = None, env=None) -> Target:
    """Where to write the note, from explicit values or the GitLab CI environment."""
    env = os.environ if env is None else env
    token_header, token = "PRIVATE-TOKEN", next((env[v] for v in TOKEN_VARIABLES if env.get(v)), "")
    if not token and env.get("CI_JOB_TOKEN"):
        token_header, token = "JOB-TOKEN", env["CI_JOB_TOKEN"]
    if not token:
        raise GitLabError("no token: set GITLAB_TOKEN to an access token with `api` scope (a masked CI/CD "
                          "variable), or run in a GitLab CI job (CI_JOB_TOKEN)")
    project = project or env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID")
    if not project:
        raise GitLabError("no project: pass --project ID or run in a GitLab CI job (CI_PROJECT_ID)")
    if merge_request is None and (env.get("CI_MERGE_REQUEST_IID") or "").isdigit():
        merge_request = int(env["CI_MERGE_REQUEST_IID"])
    if merge_request is None:
        raise GitLabError("no merge request: pass --mr IID or run in a merge request pipeline "
                          "(`rules: - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"`)")
    if not env.get("CI_API_V4_URL"):
        raise GitLabError("no API URL: set CI_API_V4_URL (e.g. https://gitlab.example.com/api/v4)")
    api = sticky.checked_api_url(env["CI_API_V4_URL"], GitLabError)
    source, target_project = env.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID"), env.get("CI_MERGE_REQUEST_PROJECT_ID")
    from_fork = bool(source and target_project and source != target_project)
    return Target(api, str(project), int(merge_request), token, token_header, from_fork)


def _request(target: Target, method: str, path: str, payload: dict | None = None):
    headers = {"Accept": "application/json", target.token_header: target.token}
    return sticky.request_json(target.api_url, method, path, headers, payload, error=GitLabError)


def _notes_path(target: Target) -> str:
    project = urllib.parse.quote(target.project, safe="")
    return f"/projects/{project}/merge_requests/{target.merge_request}/notes"


def with_marker(body: str, marker: str = DEFAULT_MARKER) -> str:
    """The note body: the marker first, cut to GitLab's limit."""
    return sticky.with_marker(body, marker, BODY_LIMIT, _TRUNCATED)


def upsert_note(target: Target, body: str, marker: str = DEFAULT_MARKER) -> tuple[str, int]:
    """Create the sticky note or update it in place; returns ("created"|"updated", note id)."""
    notes = _notes_path(target)
    return sticky.upsert(
        lambda page: _request(target, "GET", f"{notes}?sort=asc&order_by=created_at"
                                             f"&per_page={sticky.PAGE_SIZE}&page={page}"),
        lambda text: _request(target, "POST", notes, {"body": text}),
        lambda note_id, text: _request(target, "PUT", f"{notes}/{note_id}", {"body": text}),
        with_marker(body, marker), marker,
    )


def refused(target: Target, error: GitLabError) -> str | None:
    """For a refusal the job should survive (a note is a courtesy, not a gate), why and what to do;
    None when the error is a real failure (a bad access token, a wrong project, the network)."""
    if error.status == 403 and target.from_fork:
        why = ("this pipeline runs for a merge request from a fork, and its jobs cannot write to the target "
               "project; run the pipeline in the parent project to get the note")
    elif error.status in (401, 403) and target.token_header == "JOB-TOKEN":
        why = ("CI_JOB_TOKEN may not write merge request notes here; set GITLAB_TOKEN to a project access "
               "token with `api` scope and the Reporter role or higher")
    elif error.status == 403:
        why = "the access token lacks `api` scope or the Reporter role on this project"
    else:
        return None
    return f"note not written ({error}): {why}"
