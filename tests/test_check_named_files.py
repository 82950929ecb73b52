"""`check FILE…` checks only what the named files touch (the units of kustomization roots that read them,
every reader of a named hub, the Helm releases only when a named file is one of theirs, the whole
repository when a named file's object suppression needs it) and reports at the named files exactly what
a whole run reports there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from shard_repos import ENVS, generate, with_problems

from conftest import write_repo
from gitops_lint.api import lint_path
from gitops_lint.cli import main
from helm_charts import argo_app, argo_source, needs_sdk, web_chart

MERGED = "(environments: development, production, staging)"


def _overlays(app: str) -> set[str]:
    return {f"apps/{app}/overlays/{env}" for env in ENVS}


def _same_as_whole(repo: Path, named: list[str], **options):
    """The restricted run of `named`, after checking that its findings (and suppressed findings) are the
    whole run's at those files."""
    whole = lint_path(repo, jobs=1, **options)
    restricted = lint_path(repo, jobs=1, files=named, **options)
    for found, everything in ((restricted.findings, whole.findings),
                              (restricted.result.suppressed, whole.result.suppressed)):
        assert [f.to_dict() for f in found] == [f.to_dict() for f in everything if f.path in named]
    return restricted


def test_a_named_base_files_merged_workload_findings_equal_a_whole_runs(tmp_path):
    repo = with_problems(generate(tmp_path / "repo", 6), 6)  # svc-0000's base Deployment has no resources
    named = ["apps/svc-0000/base/deployment.yaml"]
    restricted = _same_as_whole(repo, named)
    merged = [f for f in restricted.findings if f.rule.startswith("GL7") and MERGED in f.message]
    assert {f.rule for f in merged} >= {"GL704"}
    assert restricted.repo is not None and restricted.repo.share is not None
    assert restricted.repo.share.roots == _overlays("svc-0000")  # its unit: the base's three overlays


def test_only_the_roots_that_read_a_named_file_are_rendered(tmp_path):
    repo = with_problems(generate(tmp_path / "repo", 6), 6)
    restricted = _same_as_whole(repo, ["apps/svc-0000/base/deployment.yaml"], select=["GL701", "GL704"])
    assert restricted.findings
    assert restricted.repo is not None and set(restricted.repo.rendered._results) == _overlays("svc-0000")


def test_a_named_hub_is_checked_from_every_root_that_reads_it(tmp_path):
    repo = generate(tmp_path / "repo", 4)  # every base includes the annotation-only components/common
    restricted = _same_as_whole(repo, ["components/common/kustomization.yaml"])
    assert restricted.repo is not None and restricted.repo.share is not None
    assert restricted.repo.share.roots == set().union(*(_overlays(f"svc-{i:04d}") for i in range(4)))


def _org_card(scope: str, rendered: bool) -> str:
    return f"""id: ORG001
name: deployments-name-a-team
severity: warning
summary: Every Deployment names its team
rationale: Pages go to the owning team.
fix: Set the team label.
scope: {scope}
rendered: {str(rendered).lower()}
applies_to: {{kinds: [Deployment]}}
message: "a Deployment must carry the team label"
schema:
  properties:
    metadata:
      required: [labels]
      properties:
        labels: {{required: [team]}}
examples:
  bad: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: a, labels: {{app: a}}}}
  good: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: a, labels: {{team: payments}}}}
"""


@pytest.mark.parametrize(("scope", "rendered"), [("root", True), ("file", True), ("file", False),
                                                 ("repository", True)])
def test_an_organisation_rule_of_any_scope(tmp_path, scope, rendered):
    """However a card declares its scope, the named files' findings are a whole run's."""
    repo = generate(tmp_path / "repo", 4)
    write_repo(repo, {"policies/ORG001.yaml": _org_card(scope, rendered)}, config={"rule_dirs": ["policies"]})
    named = ["apps/svc-0001/base/deployment.yaml", "apps/svc-0001/base/kustomization.yaml",
             "components/common/kustomization.yaml"]
    restricted = _same_as_whole(repo, named, config_path=str(repo / ".gitops-lint.yaml"))
    # rendered: at the base's `labels` line (one finding, listing the environments); else at the Deployment
    found = [(f.path, MERGED in f.message) for f in restricted.findings if f.rule == "ORG001"]
    assert found == [(named[1], True)] if rendered else [(named[0], False)]


def test_an_object_suppression_in_a_named_file_checks_the_whole_repository(tmp_path):
    """A loose manifest's `gitops-lint.io/ignore` silences the finding about its object at the app's base,
    which no root reading the loose file makes: GL001 (unused suppression) needs the whole run."""
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nANNOTATIONspec:\n"
                  "  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n"
                  "    spec:\n      containers:\n        - name: api\n          image: IMAGE\n")
    repo = write_repo(tmp_path / "repo", {
        "apps/api/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "apps/api/base/deployment.yaml": deployment.replace("ANNOTATION", "").replace("IMAGE", "nginx:latest"),
        "apps/api/overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
        "loose/api.yaml": deployment.replace("IMAGE", "nginx:1.27.0").replace(
            "ANNOTATION", "  annotations:\n    gitops-lint.io/ignore: 'GL701: pinned by the release job'\n"),
    })
    named = ["loose/api.yaml"]
    whole = lint_path(repo, jobs=1)
    assert any(f.rule == "GL701" and f.path == "apps/api/base/deployment.yaml" for f in whole.result.suppressed)
    restricted = _same_as_whole(repo, named)
    assert restricted.repo is not None and restricted.repo.share is None
    assert not [f for f in restricted.findings if f.rule == "GL001"]


ARGO_APP = argo_app(argo_source(path="charts/web", helm="valueFiles:\n  - values-production.yaml\n"))


@needs_sdk
def test_the_helm_releases_are_rendered_when_a_named_file_is_theirs(tmp_path):
    repo = write_repo(tmp_path / "repo", {
        **web_chart(), "charts/web/values-production.yaml": "replicas: 3\nimage: nginx:latest\n",
        "argocd/shop.yaml": ARGO_APP,
        "apps/api/base/kustomization.yaml": "resources:\n  - configmap.yaml\n",
        "apps/api/base/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\n",
    }, config={"repo_urls": ["https://github.com/acme/deploy.git"]})
    values = _same_as_whole(repo, ["charts/web/values-production.yaml"])
    assert [(f.rule, f.line) for f in values.findings if f.rule == "GL701"] == [("GL701", 2)]
    assert values.repo is not None and values.repo.share is not None and values.repo.share.charts
    other = _same_as_whole(repo, ["apps/api/base/configmap.yaml"])
    assert other.repo is not None and other.repo.share is not None and not other.repo.share.charts


def test_a_restricted_run_is_cached_under_its_own_key(tmp_path):
    repo = with_problems(generate(tmp_path / "repo", 3), 3)
    cache = tmp_path / "cache"
    named = ["apps/svc-0000/base/deployment.yaml"]
    first = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache, files=named)
    again = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache, files=named)
    assert first.repo is not None and again.repo is None and again.findings == first.findings
    whole = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache)
    assert whole.repo is not None  # the named files' findings never answer a whole run
    assert first.findings == [f for f in whole.findings if f.path in named]
    other = ["apps/svc-0001/base/kustomization.yaml"]
    served = lint_path(repo, jobs=1, use_cache=True, cache_dir=cache, files=other)  # by the whole run
    assert served.repo is None and served.findings == [f for f in whole.findings if f.path in other]


def test_check_files_on_the_command_line(tmp_path, monkeypatch):
    repo = with_problems(generate(tmp_path / "repo", 6), 6)
    named = ["apps/svc-0001/base/secret.yaml", "apps/svc-0003/base/deployment.yaml"]
    whole = lint_path(repo, jobs=1)
    monkeypatch.chdir(repo)
    res = CliRunner().invoke(main, ["check", *named, "--format", "json", "--fail-on", "never", "-j", "1",
                                    "--no-cache"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    expected = [f for f in whole.findings if f.path in named]
    assert {f.rule for f in expected} >= {"GL601", "GL704"}
    assert report["findings"] == [f.to_dict() for f in expected]
