"""The progress line: on a terminal only, once a run has taken over a second, never with --quiet."""

from __future__ import annotations

import io
import time

from click.testing import CliRunner

from conftest import write_repo
from gitops_lint import cli


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_waits_a_second_and_needs_a_terminal(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(cli.sys, "stderr", terminal)
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    show = cli._progress()
    assert show is not None
    show("parsing", 0, 1)
    assert terminal.getvalue() == ""  # a quick run shows nothing
    now[0] += 1.5
    show("GL101 kustomize-missing-resource", 1, 3)
    assert "1/3" in terminal.getvalue()

    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())  # not a terminal
    assert cli._progress() is None


def test_quiet_check_writes_no_progress(tmp_path, monkeypatch):
    repo = write_repo(tmp_path / "repo", {"a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    calls: list[str] = []
    monkeypatch.setattr(cli, "_progress", lambda: calls.append("asked") or None)
    res = CliRunner().invoke(cli.main, ["check", str(repo), "--quiet", "--no-cache", "--fail-on", "never"])
    assert res.exit_code == 0 and calls == []
    res = CliRunner().invoke(cli.main, ["check", str(repo), "--no-cache", "--fail-on", "never"])
    assert res.exit_code == 0 and calls == ["asked"]
