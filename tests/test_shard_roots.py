"""`check --shard K/N` splits the kustomization roots and files: for N = 1..4 the merged JSON and SARIF
reports equal one unsharded run's, on fixture repos, the examples, corpus repos and a generated repo;
and a shard renders only its own roots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from shard_repos import generate, with_problems
from shard_scope_repos import argo_repo, flux_repo, kustomize_repo

from conftest import REPO_ROOT, load_benchmark, write_repo
from gitops_lint.api import lint_path
from gitops_lint.cli import main
from gitops_lint.lint.cards import load_cards

FIXTURES = sorted(p.name for p in (REPO_ROOT / "tests" / "fixtures").iterdir() if p.is_dir())
CORPUS_REPOS = ["toboshii__home-ops", "argoproj__argo-cd", "fluxcd__flux2-kustomize-helm-example"]


def _check(repo: Path, out: Path, *args: str) -> tuple[dict, str]:
    """One run's JSON report (parsed) and SARIF report (text)."""
    sarif = out.with_suffix(".sarif")
    res = CliRunner().invoke(main, ["check", str(repo), "--format", "json", "--fail-on", "never", "-j", "1",
                                    "--no-cache", "-q", "--output-format", f"sarif={sarif}", *args])
    assert res.exit_code == 0, res.output[-2000:]
    out.write_text(res.output)
    return json.loads(res.output), sarif.read_text()


def _merge(paths: list[Path], fmt: str, *args: str) -> str:
    res = CliRunner().invoke(main, ["merge", *map(str, paths), "--fail-on", "never", "--format", fmt, *args])
    assert res.exit_code == 0, res.output
    return res.output


def _assert_shards_merge_into_one_run(repo: Path, work: Path, *merge_args: str) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    whole, whole_sarif = _check(repo, work / "whole.json")
    for n in range(1, 5):
        paths = [work / f"{k}-of-{n}.json" for k in range(1, n + 1)]
        for k, path in enumerate(paths, 1):
            _check(repo, path, "--shard", f"{k}/{n}")
        assert json.loads(_merge(paths, "json", *merge_args)) == whole, n
        assert _merge([p.with_suffix(".sarif") for p in paths], "sarif", *merge_args) == whole_sarif, n
    return whole


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_repos(tmp_path, name):
    _assert_shards_merge_into_one_run(REPO_ROOT / "tests" / "fixtures" / name, tmp_path)


def test_the_example_repo(tmp_path):
    _assert_shards_merge_into_one_run(REPO_ROOT / "examples" / "k8s-manifests", tmp_path)


@pytest.mark.parametrize("name", CORPUS_REPOS)
def test_corpus_repos(tmp_path, corpus, name):
    if not (corpus / name).is_dir():
        pytest.skip(f"corpus repo {name} not present")
    whole = _assert_shards_merge_into_one_run(corpus / name, tmp_path)
    assert whole["findings"]


def test_a_generated_monorepo_with_findings_of_every_scope(tmp_path):
    repo = with_problems(generate(tmp_path / "repo", 40), 40)
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work")
    rules = {f["rule"] for f in whole["findings"]}
    assert {"GL704", "GL701", "GL601", "GL301", "GL105"} <= rules  # root, file and repository scopes
    assert any("(environments: development, production, staging)" in f["message"] for f in whole["findings"])
    assert whole["summary"]["suppressed"] == 1


SCOPE_REPOS = {  # a repository builder and the file-scoped rules it has findings of, in many units
    "argo": (argo_repo, {"GL401", "GL402", "GL403", "GL404", "GL405", "GL406", "GL407", "GL409"}),
    "flux": (flux_repo, {"GL501", "GL505", "GL506", "GL507"}),
    "kustomize": (kustomize_repo, {"GL002", "GL202", "GL203", "GL208", "GL210", "GL602", "GL603", "GL604",
                                   "GL605"}),
}


@pytest.mark.parametrize("name", sorted(SCOPE_REPOS))
def test_per_object_rules_split_by_file(tmp_path, name):
    """Rules whose findings on a file depend on that file (and indexes of the whole repository) run in
    every shard over its files: each rule's findings come from several shards and merge into one run's."""
    build, rules = SCOPE_REPOS[name]
    assert rules <= {c.id for c in load_cards() if c.scope == "file"}
    whole = _assert_shards_merge_into_one_run(build(tmp_path / "repo"), tmp_path / "work")
    assert rules <= {f["rule"] for f in whole["findings"]}
    shards: dict[str, set[int]] = {rule: set() for rule in rules}
    for k in range(1, 5):
        for f in json.loads((tmp_path / "work" / f"{k}-of-4.json").read_text())["findings"]:
            if f["rule"] in rules:
                shards[f["rule"]].add(k)
    assert all(len(found) > 1 for found in shards.values()), sorted(shards.items())


def test_a_shard_scans_only_its_own_files_for_credentials(tmp_path, monkeypatch):
    """GL602 runs detect-secrets over the text files: a shard scans the files it owns, each file in one
    shard, and the shards' findings are the unsharded run's."""
    from gitops_lint.secrets import scan

    repo = kustomize_repo(tmp_path / "repo", 8)
    scanned: list[list[str]] = []
    real = scan.scan_contents

    def recording(config, contents, jobs):
        scanned.append([path for path, _text in contents])
        return real(config, contents, jobs)

    monkeypatch.setattr(scan, "scan_contents", recording)
    whole = lint_path(repo, jobs=1, select=["GL602"]).findings
    everything = scanned.pop()
    found, by_shards = [], []
    for k in (1, 2, 3):
        result = lint_path(repo, jobs=1, shard=(k, 3), select=["GL602"])
        assert result.repo is not None and result.repo.share is not None
        paths = scanned.pop()
        assert paths and all(result.repo.share.owns_file(p) for p in paths)
        by_shards += paths
        found += result.findings
    assert sorted(by_shards) == sorted(everything)
    assert whole and sorted(found, key=lambda f: f.sort_key()) == whole


def test_a_shard_renders_only_its_roots(tmp_path):
    repo = generate(tmp_path / "repo", 12)
    every = set(lint_path(repo, jobs=1).repo.rendered._results)
    seen: list[set[str]] = []
    for k in (2, 3):
        result = lint_path(repo, jobs=1, shard=(k, 3))
        assert result.repo is not None and result.repo.share is not None
        rendered = set(result.repo.rendered._results)
        assert rendered and rendered <= result.repo.share.roots
        seen.append(rendered)
    assert not seen[0] & seen[1] and seen[0] | seen[1] < every


def test_a_file_rule_reports_each_file_in_one_shard(tmp_path):
    repo = write_repo(tmp_path / "repo", {f"broken-{i}.yaml": "a: [b\n" for i in range(12)})
    counts: dict[str, int] = {}
    for k in (1, 2, 3):
        for f in lint_path(repo, jobs=1, shard=(k, 3), select=["GL301"]).findings:
            counts[f.path] = counts.get(f.path, 0) + 1
    assert counts == {f"broken-{i}.yaml": 1 for i in range(12)}


def test_helm_releases_beside_kustomization_roots(tmp_path):
    """Rendered Helm releases (Argo CD Applications of an in-repo chart) are shard 1's; two kustomization
    roots that include some of the Application files are in other units."""
    bench_helm = load_benchmark("bench_helm")
    repo = tmp_path / "repo"
    bench_helm.write(repo, 8)
    values = repo / "charts" / "web" / "values.yaml"
    values.write_text(values.read_text().replace("tag: 1.27.3", "tag: latest"))
    write_repo(repo, {"clusters/prod/kustomization.yaml": "resources:\n  - ../../argocd/web-001.yaml\n",
                      "clusters/dev/kustomization.yaml": "resources:\n  - ../../argocd/web-002.yaml\n"})
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work")
    assert sum(f["rule"] == "GL701" for f in whole["findings"]) == 8  # one per release, from its render


ORG_CARD = """id: ORG001
name: owner-is-a-team
severity: warning
summary: The owner annotation names a team
rationale: Pages go to the owning team.
fix: Set team.example.com/owner to a team.
scope: root
rendered: true
applies_to: {kinds: [Deployment]}
message: "the owner annotation must name a team, not the platform"
schema:
  properties:
    metadata:
      properties:
        annotations:
          properties:
            team.example.com/owner: {not: {const: platform}}
examples:
  bad: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: a, annotations: {team.example.com/owner: platform}}
  good: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: a, annotations: {team.example.com/owner: payments}}
"""


def test_an_organisation_root_rule_on_a_shared_component_line(tmp_path):
    """The generated apps share a Component that only sets an annotation; an organisation card of scope
    `root` reports on that line from every root: with it selected the Component joins the apps into one
    unit, so the line's one finding (listing the environments) is still made by one shard."""
    repo = generate(tmp_path / "repo", 8)
    write_repo(repo, {"policies/ORG001.yaml": ORG_CARD}, config={"rule_dirs": ["policies"]})
    whole = _assert_shards_merge_into_one_run(repo, tmp_path / "work", "--config", str(repo / ".gitops-lint.yaml"))
    on_component = [f for f in whole["findings"] if f["rule"] == "ORG001"]
    assert [f["path"] for f in on_component] == ["components/common/kustomization.yaml"]
    assert "(environments: development, production, staging)" in on_component[0]["message"]
