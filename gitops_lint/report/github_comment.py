"""One sticky pull-request comment, created or updated through the GitHub REST API (urllib only).

The comment is found by a hidden HTML marker in its body, so each run edits the same comment
instead of adding a new one. The token comes from the environment (`GITHUB_TOKEN`/`GH_TOKEN`), the
API URL from `GITHUB_API_URL` (GitHub Enterprise) and the pull request from the event payload.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import dataclass

from gitops_lint.report import sticky

DEFAULT_MARKER = sticky.DEFAULT_MARKER
DEFAULT_API = "https://api.github.com"
BODY_LIMIT = 65_536
_TRUNCATED = "\n\n_Comment truncated to GitHub's size limit._\n"


class GitHubError(sticky.ApiError):
    """The API refused a request, or the environment lacks what the command needs."""


@dataclass
class Target:
    api_url: str
    repository: str  # owner/name
    number: int
    token: str


def target_from_env(repository: str | None = None, number: int | None = None, env=None) -> Target:
    """Where to comment, from explicit values or the GitHub Actions environment."""
    env = os.environ if env is None else env
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise GitHubError("no token: set GITHUB_TOKEN (e.g. `env: GITHUB_TOKEN: ${{ github.token }}`)")
    repository = repository or env.get("GITHUB_REPOSITORY")
    if not repository or repository.count("/") != 1:
        raise GitHubError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
    if number is None:
        number = _pr_number(env.get("GITHUB_EVENT_PATH"))
    if number is None:
        raise GitHubError("no pull request number: pass --pr N or run on a pull_request event")
    api = sticky.checked_api_url(env.get("GITHUB_API_URL") or DEFAULT_API, GitHubError)
    return Target(api, repository, int(number), token)


def _pr_number(event_path: str | None) -> int | None:
    if not event_path:
        return None
    try:
        with open(event_path, encoding="utf-8") as fh:
            event = json.load(fh)
    except (OSError, ValueError):
        return None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    number = pr.get("number") if isinstance(pr, dict) else None
    return number if isinstance(number, int) else None


def _request(target: Target, method: str, path: str, payload: dict | None = None):
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {target.token}",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    return sticky.request_json(target.api_url, method, path, headers, payload, error=GitHubError)


def with_marker(body: str, marker: str = DEFAULT_MARKER) -> str:
    """The comment body: the marker first, cut to GitHub's limit."""
    return sticky.with_marker(body, marker, BODY_LIMIT, _TRUNCATED)


def _comments_page(target: Target, page: int) -> list:
    repo = urllib.parse.quote(target.repository, safe="/")
    return _request(target, "GET", f"/repos/{repo}/issues/{target.number}/comments?per_page={sticky.PAGE_SIZE}"
                                   f"&page={page}")


def find_comment(target: Target, marker: str = DEFAULT_MARKER) -> int | None:
    """The id of the first comment on the PR whose body holds `marker`."""
    return sticky.find_marked(lambda page: _comments_page(target, page), marker)


def upsert_comment(target: Target, body: str, marker: str = DEFAULT_MARKER) -> tuple[str, int]:
    """Create the sticky comment or update it in place; returns ("created"|"updated", comment id)."""
    repo = urllib.parse.quote(target.repository, safe="/")
    return sticky.upsert(
        lambda page: _comments_page(target, page),
        lambda text: _request(target, "POST", f"/repos/{repo}/issues/{target.number}/comments", {"body": text}),
        lambda cid, text: _request(target, "PATCH", f"/repos/{repo}/issues/comments/{cid}", {"body": text}),
        with_marker(body, marker), marker,
    )
