"""Whether a remote kustomize reference (a git or HTTP base) is pinned to a tag or commit (GL203)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def remote_pin_problem(url: str, branches: set[str]) -> str | None:
    """Why a remote reference is not pinned, or None when it is (or when it cannot be told)."""
    value = url.strip()
    query = parse_qs(value.split("?", 1)[1]) if "?" in value else {}
    ref = next(iter(query.get("ref") or query.get("version") or []), None)
    if ref is not None:
        return _ref_problem(ref, branches)
    if _is_file_url(value):
        path_ref = _ref_in_file_url(value)
        # a plain HTTP file elsewhere: whether it is immutable cannot be told from here
        return _ref_problem(path_ref, branches) if path_ref is not None else None
    return "has no `?ref=`, so it follows the default branch"


def _ref_problem(ref: str, branches: set[str]) -> str | None:
    ref = ref.strip()
    short = ref.removeprefix("refs/heads/")
    if not ref:
        return "has an empty `ref`"
    if ref.startswith("refs/heads/") or short.lower() in branches:
        return f"follows the branch `{short}`"
    return None  # a tag or a commit sha (anything else cannot be told apart from a tag)


def _ref_in_file_url(url: str) -> str | None:
    """The git ref inside well-known raw-file URLs (raw.githubusercontent.com, /raw/, /blob/, releases)."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    segments = [s for s in parts.path.split("/") if s]
    if segments[2:3] == ["-"]:  # GitLab: /org/repo/-/raw/<ref>/…
        segments = segments[:2] + segments[3:]
    host = parts.netloc.lower()
    if host == "raw.githubusercontent.com" and len(segments) >= 3:
        return segments[2]
    for marker in ("raw", "blob"):
        if marker in segments[2:3] and len(segments) > 3:
            return segments[3]
    if segments[2:4] == ["releases", "latest"]:
        return "latest"
    if segments[2:4] == ["releases", "download"] and len(segments) > 4:
        return segments[4]
    return None


def _is_file_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return url.lower().startswith(("http://", "https://")) and path.endswith((".yaml", ".yml", ".json"))
