"""`gitops-lint github …` and `gitops-lint gitlab …`: the CI platforms' pull/merge request clients."""

from __future__ import annotations

import click

from gitops_lint.cli_common import fail as _fail


@click.group()
def github() -> None:
    """GitHub integration (used by the gitops-lint Action)."""


@github.command(name="comment")
@click.option("--body-file", required=True, type=click.File("r", encoding="utf-8"), help="Markdown body ('-': stdin).")
@click.option("--repo", "repository", help="OWNER/NAME (default: $GITHUB_REPOSITORY).")
@click.option("--pr", "number", type=int, help="Pull request number (default: from $GITHUB_EVENT_PATH).")
@click.option("--marker", default=None, help="Hidden marker that identifies the sticky comment.")
def github_comment(body_file, repository, number, marker) -> None:
    """Create or update one sticky PR comment (token from $GITHUB_TOKEN, API from $GITHUB_API_URL)."""
    from gitops_lint.report import github_comment as gh

    try:
        target = gh.target_from_env(repository, number)
        action, comment_id = gh.upsert_comment(target, body_file.read(), marker or gh.DEFAULT_MARKER)
    except gh.GitHubError as exc:
        _fail(str(exc))
    click.echo(f"{action} comment {comment_id} on {target.repository}#{target.number}")


@click.group()
def gitlab() -> None:
    """GitLab integration (used by the GitLab CI template)."""


@gitlab.command(name="note")
@click.option("--body-file", required=True, type=click.File("r", encoding="utf-8"), help="Markdown body ('-': stdin).")
@click.option("--project", help="Project id or path (default: $CI_MERGE_REQUEST_PROJECT_ID, else $CI_PROJECT_ID).")
@click.option("--mr", "merge_request", type=int, help="Merge request IID (default: $CI_MERGE_REQUEST_IID).")
@click.option("--marker", default=None, help="Hidden marker that identifies the sticky note.")
def gitlab_note(body_file, project, merge_request, marker) -> None:
    """Create or update one sticky merge-request note (token from $GITLAB_TOKEN or $CI_JOB_TOKEN)."""
    from gitops_lint.report import gitlab_note as gl

    try:
        target = gl.target_from_env(project, merge_request)
    except gl.GitLabError as exc:
        _fail(str(exc))
    try:
        action, note_id = gl.upsert_note(target, body_file.read(), marker or gl.DEFAULT_MARKER)
    except gl.GitLabError as exc:
        reason = gl.refused(target, exc)
        if reason is None:
            _fail(str(exc))
        click.echo(f"gitops-lint: {reason}", err=True)
        return
    click.echo(f"{action} note {note_id} on {target.label}")
