"""What the sticky review comments share (GitHub PR comment, GitLab MR note): one JSON-over-HTTPS
helper (urllib only), the hidden marker that finds the comment again, and create-or-update."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

DEFAULT_MARKER = "<!-- gitops-lint:diff -->"  # hidden in the rendered Markdown of both hosts
PAGE_SIZE = 100
MAX_PAGES = 50
_LOOPBACK = ("http://127.0.0.1", "http://localhost", "http://[::1]")


class ApiError(RuntimeError):
    """The API refused a request, or the environment lacks what the command needs."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def checked_api_url(url: str, error: type[ApiError] = ApiError) -> str:
    """The API base URL without a trailing slash; only HTTPS (or loopback, for tests) gets a token."""
    url = url.rstrip("/")
    if not url.startswith(("https://", *_LOOPBACK)):
        raise error(f"refusing to send the token to a non-HTTPS API URL {url!r}")
    return url


def request_json(api_url: str, method: str, path: str, headers: dict[str, str], payload: dict | None = None,
                 error: type[ApiError] = ApiError):
    """Send one request to `api_url + path` and decode the JSON answer; errors never show the token."""
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(
        f"{api_url}{path}", data=data, method=method,
        headers={"User-Agent": "gitops-lint", **headers,
                 **({"Content-Type": "application/json"} if data is not None else {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - scheme checked by checked_api_url
            body = resp.read()
    except urllib.error.HTTPError as exc:
        raise error(f"{method} {path}: HTTP {exc.code} {exc.reason}", status=exc.code) from None
    except urllib.error.URLError as exc:
        raise error(f"{method} {path}: {exc.reason}") from None
    try:
        return json.loads(body) if body else None
    except ValueError:
        raise error(f"{method} {path}: the answer is not JSON") from None


def with_marker(body: str, marker: str, limit: int, notice: str) -> str:
    """The comment body: the marker first, cut at a line end to `limit` characters with `notice`."""
    text = f"{marker}\n{body}"
    if len(text) > limit:
        text = text[: limit - len(notice)].rsplit("\n", 1)[0] + notice
    return text


def pages(fetch: Callable[[int], list | None]) -> Iterator[list]:
    """The pages of a `per_page=PAGE_SIZE&page=N` listing, until a short or empty one."""
    for number in range(1, MAX_PAGES + 1):
        items = fetch(number)
        if not items:
            return
        yield items
        if len(items) < PAGE_SIZE:
            return


def find_marked(fetch: Callable[[int], list | None], marker: str) -> int | None:
    """The id of the first listed comment whose body holds `marker`."""
    for items in pages(fetch):
        for item in items:
            if isinstance(item, dict) and marker in (item.get("body") or ""):
                return int(item["id"])
    return None


def upsert(fetch: Callable[[int], list | None], create: Callable[[str], dict],
           update: Callable[[int, str], object], text: str, marker: str) -> tuple[str, int]:
    """Update the comment holding `marker` to `text`, or create it; ("created"|"updated", id)."""
    existing = find_marked(fetch, marker)
    if existing is None:
        return "created", int(create(text)["id"])
    update(existing, text)
    return "updated", existing
