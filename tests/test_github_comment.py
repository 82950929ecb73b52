"""`gitops-lint github comment` against a loopback HTTP server playing the GitHub REST API."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from gitops_lint.cli import main
from gitops_lint.report import github_comment as github

TOKEN = "ghs_test-token-123"


class FakeGitHub(BaseHTTPRequestHandler):
    """Just enough of the issues-comments API: list (paginated), create, update."""

    comments: list[dict]
    requests: list[tuple[str, str, str | None]]

    def log_message(self, *args):  # keep test output quiet
        pass

    def _reply(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        self.server.seen_auth.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self):
        self.server.log.append(("GET", self.path))
        if not self._authorised():
            return
        m = re.fullmatch(r"/repos/acme/gitops/issues/7/comments\?per_page=100&page=(\d+)", self.path)
        if not m:
            return self._reply(404, {"message": "Not Found"})
        page = int(m.group(1))
        self._reply(200, self.server.comments[(page - 1) * 100 : page * 100])

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_POST(self):
        self.server.log.append(("POST", self.path))
        if not self._authorised():
            return
        if self.path != "/repos/acme/gitops/issues/7/comments":
            return self._reply(404, {"message": "Not Found"})
        comment = {"id": 1000 + len(self.server.comments), "body": self._body()["body"]}
        self.server.comments.append(comment)
        self._reply(201, comment)

    def do_PATCH(self):
        self.server.log.append(("PATCH", self.path))
        if not self._authorised():
            return
        m = re.fullmatch(r"/repos/acme/gitops/issues/comments/(\d+)", self.path)
        hit = next((c for c in self.server.comments if m and c["id"] == int(m.group(1))), None)
        if hit is None:
            return self._reply(404, {"message": "Not Found"})
        hit["body"] = self._body()["body"]
        self._reply(200, hit)


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    # 150 unrelated comments first, so the sticky one is found on the second page
    server.comments = [{"id": i, "body": f"LGTM {i}"} for i in range(150)]
    server.log, server.seen_auth = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _env(server, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": f"http://127.0.0.1:{server.server_port}",
        "GITHUB_REPOSITORY": "acme/gitops",
        "GITHUB_EVENT_PATH": str(event),
    }


def test_create_then_update_the_same_comment(api, tmp_path):
    env = _env(api, tmp_path)
    body = tmp_path / "body.md"
    body.write_text("## gitops-lint diff\nfirst\n")
    runner = CliRunner()
    first = runner.invoke(main, ["github", "comment", "--body-file", str(body)], env=env)
    assert first.exit_code == 0, first.output
    assert "created comment 1150 on acme/gitops#7" in first.output
    body.write_text("## gitops-lint diff\nsecond\n")
    second = runner.invoke(main, ["github", "comment", "--body-file", str(body)], env=env)
    assert second.exit_code == 0, second.output
    assert "updated comment 1150" in second.output
    sticky = [c for c in api.comments if github.DEFAULT_MARKER in c["body"]]
    assert len(sticky) == 1 and sticky[0]["body"].endswith("second\n")
    assert ("PATCH", "/repos/acme/gitops/issues/comments/1150") in api.log
    assert TOKEN not in first.output + second.output
    assert set(api.seen_auth) == {f"Bearer {TOKEN}"}


def test_long_bodies_are_cut_to_the_limit(api, tmp_path):
    target = github.target_from_env(env=_env(api, tmp_path))
    action, comment_id = github.upsert_comment(target, "x\n" * 40_000)
    body = next(c["body"] for c in api.comments if c["id"] == comment_id)
    assert action == "created" and len(body) <= github.BODY_LIMIT and "truncated" in body


def test_api_errors_exit_2_without_leaking_the_token(api, tmp_path):
    env = {**_env(api, tmp_path), "GITHUB_TOKEN": "wrong-token"}
    body = tmp_path / "body.md"
    body.write_text("hi")
    result = CliRunner().invoke(main, ["github", "comment", "--body-file", str(body)], env=env)
    assert result.exit_code == 2 and "HTTP 401" in result.output and "wrong-token" not in result.output


def test_missing_context_is_a_clear_error(tmp_path):
    with pytest.raises(github.GitHubError, match="no token"):
        github.target_from_env(env={})
    with pytest.raises(github.GitHubError, match="pull request"):
        github.target_from_env(env={"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b"})
    with pytest.raises(github.GitHubError, match="non-HTTPS"):
        github.target_from_env(
            env={
                "GITHUB_TOKEN": "t",
                "GITHUB_REPOSITORY": "a/b",
                "GITHUB_API_URL": "http://evil.example.com",
            },
            number=1,
        )
