"""`gitops-lint gitlab note` against a loopback HTTP server playing the GitLab notes API (v4)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from gitops_lint.cli import main
from gitops_lint.report import gitlab_note as gitlab

TOKEN = "glpat-test-token-123"
JOB_TOKEN = "glcbt-job-token-456"
NOTES = "/api/v4/projects/42/merge_requests/7/notes"


class FakeGitLab(BaseHTTPRequestHandler):
    """Just enough of the merge-request notes API: list (paginated), create, update, and refusals."""

    def log_message(self, *args):
        pass

    def _reply(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _allowed(self, writing: bool) -> bool:
        self.server.log.append((self.command, self.path))
        self.server.seen_auth.append((self.headers.get("PRIVATE-TOKEN"), self.headers.get("JOB-TOKEN")))
        if self.headers.get("PRIVATE-TOKEN") not in (None, TOKEN) or not (
                self.headers.get("PRIVATE-TOKEN") or self.headers.get("JOB-TOKEN") == JOB_TOKEN):
            self._reply(401, {"message": "401 Unauthorized"})
            return False
        if writing and (self.server.forbid_writes or self.headers.get("JOB-TOKEN")):
            self._reply(403, {"message": "403 Forbidden"})
            return False
        return True

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self):
        if not self._allowed(writing=False):
            return
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path != NOTES or query.get("per_page") != ["100"]:
            return self._reply(404, {"message": "404 Not Found"})
        page = int(query["page"][0])
        self._reply(200, self.server.notes[(page - 1) * 100 : page * 100])

    def do_POST(self):
        if not self._allowed(writing=True):
            return
        if self.path != NOTES:
            return self._reply(404, {"message": "404 Not Found"})
        note = {"id": 5000 + len(self.server.notes), "body": self._body()["body"], "system": False}
        self.server.notes.append(note)
        self._reply(201, note)

    def do_PUT(self):
        if not self._allowed(writing=True):
            return
        prefix, _, note_id = self.path.rpartition("/")
        hit = next((n for n in self.server.notes if prefix == NOTES and str(n["id"]) == note_id), None)
        if hit is None:
            return self._reply(404, {"message": "404 Not Found"})
        hit["body"] = self._body()["body"]
        self._reply(200, hit)


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitLab)
    # 230 other notes (system notes among them), so the sticky one is found on the third page
    server.notes = [{"id": i, "body": f"changed the description {i}", "system": i % 2 == 0} for i in range(230)]
    server.log, server.seen_auth, server.forbid_writes = [], [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _env(server, **extra):
    return {
        "CI_API_V4_URL": f"http://127.0.0.1:{server.server_port}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "7",
        "GITLAB_TOKEN": TOKEN,
        **extra,
    }


def note(env, tmp_path, text):
    body = tmp_path / "body.md"
    body.write_text(text)
    return CliRunner().invoke(main, ["gitlab", "note", "--body-file", str(body)], env=env)


def test_create_then_update_the_same_note(api, tmp_path):
    env = _env(api)
    first = note(env, tmp_path, "## gitops-lint diff\nfirst\n")
    assert first.exit_code == 0, first.output
    assert "created note 5230 on 42!7" in first.output
    second = note(env, tmp_path, "## gitops-lint diff\nsecond\n")
    assert second.exit_code == 0, second.output
    assert "updated note 5230" in second.output
    sticky = [n for n in api.notes if gitlab.DEFAULT_MARKER in n["body"]]
    assert len(sticky) == 1 and sticky[0]["body"].endswith("second\n")
    assert ("PUT", f"{NOTES}/5230") in api.log
    pages = [p for m, p in api.log if m == "GET"]
    assert any("page=3" in p for p in pages) and not any("page=4" in p for p in pages)
    assert TOKEN not in first.output + second.output
    assert set(api.seen_auth) == {(TOKEN, None)}


def test_the_merge_request_project_wins_over_the_pipeline_project(api, tmp_path):
    env = _env(api, CI_PROJECT_ID="99", CI_MERGE_REQUEST_PROJECT_ID="42")
    assert note(env, tmp_path, "x").exit_code == 0
    assert all(path.startswith("/api/v4/projects/42/") for _, path in api.log)


def test_a_fork_pipeline_refused_by_the_api_is_a_message_not_a_failure(api, tmp_path):
    env = {**_env(api, CI_MERGE_REQUEST_PROJECT_ID="42", CI_MERGE_REQUEST_SOURCE_PROJECT_ID="77",
                  CI_JOB_TOKEN=JOB_TOKEN), "GITLAB_TOKEN": ""}
    result = note(env, tmp_path, "x")
    assert result.exit_code == 0, result.output
    assert "HTTP 403" in result.output and "fork" in result.output
    assert JOB_TOKEN not in result.output
    assert set(api.seen_auth) == {(None, JOB_TOKEN)}
    assert not any(gitlab.DEFAULT_MARKER in n["body"] for n in api.notes)


def test_a_token_without_rights_is_a_message_and_a_bad_token_an_error(api, tmp_path):
    api.forbid_writes = True
    forbidden = note(_env(api), tmp_path, "x")
    assert forbidden.exit_code == 0 and "api` scope" in forbidden.output
    bad = note(_env(api, GITLAB_TOKEN="wrong-token"), tmp_path, "x")
    assert bad.exit_code == 2 and "HTTP 401" in bad.output and "wrong-token" not in bad.output


def test_long_bodies_are_cut_to_the_limit(api, tmp_path):
    target = gitlab.target_from_env(env=_env(api))
    action, note_id = gitlab.upsert_note(target, "x\n" * 600_000)
    body = next(n["body"] for n in api.notes if n["id"] == note_id)
    assert action == "created" and len(body) <= gitlab.BODY_LIMIT and "truncated" in body


def test_missing_context_is_a_clear_error():
    with pytest.raises(gitlab.GitLabError, match="no token"):
        gitlab.target_from_env(env={})
    with pytest.raises(gitlab.GitLabError, match="merge request"):
        gitlab.target_from_env(env={"GITLAB_TOKEN": "t", "CI_PROJECT_ID": "1"})
    with pytest.raises(gitlab.GitLabError, match="non-HTTPS"):
        gitlab.target_from_env(env={"GITLAB_TOKEN": "t", "CI_PROJECT_ID": "1", "CI_MERGE_REQUEST_IID": "2",
                                    "CI_API_V4_URL": "http://gitlab.example.com/api/v4"})
    target = gitlab.target_from_env(env={"CI_JOB_TOKEN": "j", "CI_PROJECT_ID": "group/sub project",
                                         "CI_MERGE_REQUEST_IID": "3", "CI_API_V4_URL": "https://gl.example/api/v4"})
    assert target.token_header == "JOB-TOKEN" and gitlab._notes_path(target).startswith(
        "/projects/group%2Fsub%20project/merge_requests/3/notes")
    result = CliRunner().invoke(main, ["gitlab", "note", "--body-file", "-"], input="x",
                                env={"GITLAB_TOKEN": "", "CI_JOB_TOKEN": ""})
    assert result.exit_code == 2 and "no token" in result.output
