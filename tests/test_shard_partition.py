"""The partition behind `check --shard`: units of kustomization roots, balanced and stable shards."""

from __future__ import annotations

import random

import pytest
from shard_repos import generate

from conftest import write_repo
from gitops_lint.core.config import resolve_config
from gitops_lint.core.source import WorkingTree
from gitops_lint.lint.cards import CardError, load_card
from gitops_lint.lint.docs import explain_card
from gitops_lint.model.partition import Unit, assign, share_of, units
from gitops_lint.model.repository import Repository

K = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n"


def _repo(path) -> Repository:
    return Repository.build(WorkingTree(path), resolve_config(path, None), jobs=1)


def _app(name: str, components: str = "") -> dict[str, str]:
    files = {f"apps/{name}/base/kustomization.yaml": K + "resources:\n  - cm.yaml\n" + components,
             f"apps/{name}/base/cm.yaml": CM.format(name)}
    for env in ("dev", "prod"):
        files[f"apps/{name}/{env}/kustomization.yaml"] = K + "resources:\n  - ../base\n"
    return files


def test_units_keep_an_app_together_and_share_only_label_components(tmp_path):
    mixin = "components:\n  - ../../../components/owner\n"
    patching = "components:\n  - ../../../components/patching\n"
    repo = _repo(write_repo(tmp_path, {
        **_app("a", mixin), **_app("b", mixin), **_app("c", patching), **_app("d", patching),
        "apps/e/prod/kustomization.yaml": K + "resources:\n  - ../missing.yaml\n",
        "apps/f/prod/kustomization.yaml": K + "resources:\n  - ../../e/missing.yaml\n",
        "components/owner/kustomization.yaml": COMPONENT + "commonAnnotations:\n  owner: team\n",
        "components/patching/kustomization.yaml": COMPONENT + "patches:\n  - path: patch.yaml\n",
        "components/patching/patch.yaml": CM.format("c"),
    }))
    found, hubs = units(repo)
    assert sorted(u.roots for u in found) == [
        ("apps/a/dev", "apps/a/prod"), ("apps/b/dev", "apps/b/prod"),
        ("apps/c/dev", "apps/c/prod", "apps/d/dev", "apps/d/prod"),  # the Component patches: it joins them
        ("apps/e/prod", "apps/f/prod"),  # both fail on one missing file: one GL205 finding
    ]
    assert hubs == {"components/owner/kustomization.yaml"}
    assert all(u.size > 0 for u in found)
    joined, no_hubs = units(repo, mixins=False)  # an organisation rule of scope root is selected
    assert not no_hubs and ("apps/a/dev", "apps/a/prod", "apps/b/dev", "apps/b/prod") in [u.roots for u in joined]


@pytest.mark.parametrize("body", [
    "commonAnnotations:\n  owner: [team\n",  # a syntax error: every build including it fails
    "commonAnnotations:\n  replicas: 2\n",  # not a string
    "labels:\n  - pairs: {team: a}\n    includeSelectors: sometimes\n",
    "commonAnnotations: {owner: team}\nimages:\n  - name: web\n    newTag: latest\n",  # sets more than metadata
])
def test_only_a_clean_label_component_is_a_hub(tmp_path, body):
    uses = "components:\n  - ../../../components/owner\n"
    repo = _repo(write_repo(tmp_path, {**_app("a", uses), **_app("b", uses),
                                       "components/owner/kustomization.yaml": COMPONENT + body}))
    found, hubs = units(repo)
    assert not hubs and len(found) == 1


def test_every_root_and_file_has_one_shard(tmp_path):
    repo = _repo(generate(tmp_path / "repo", 12))
    for n in (1, 2, 3):
        shares = [share_of(repo, k, n) for k in range(1, n + 1)]
        roots = [r for s in shares for r in s.roots]
        assert sorted(roots) == sorted(repo.top_level_roots)
        assert all(sum(s.owns_file(f) for s in shares) == 1 for f in repo.files)
        assert [s.charts for s in shares] == [True] + [False] * (n - 1)


def _loads(found: list[Unit], n: int) -> list[int]:
    shard = assign(found, n)
    load = [0] * n
    for u in found:
        load[shard[u.name] - 1] += u.size
    return load


def test_shards_are_balanced_by_size_on_a_generated_repo(tmp_path):
    found, _ = units(_repo(generate(tmp_path / "repo", 40)))
    assert len(found) > 40  # each app is one unit (its base and three overlays), plus the infrastructure
    for n in (2, 3, 4):
        load = _loads(found, n)
        assert max(load) / (sum(load) / n) <= 1.3, (n, load)


def test_assignment_is_deterministic_and_stable_when_apps_are_added(tmp_path):
    before, _ = units(_repo(generate(tmp_path / "before", 40)))
    after, _ = units(_repo(generate(tmp_path / "after", 44)))  # the same 40 apps and 4 more
    shuffled = list(before)
    random.Random(7).shuffle(shuffled)
    for n in (2, 3, 4):
        first, second = assign(before, n), assign(after, n)
        assert assign(shuffled, n) == first
        common = set(first) & set(second)
        assert len(common) == len(before)
        moved = sum(first[u] != second[u] for u in common)
        assert moved <= len(common) // 8, (n, moved)  # most units keep their shard


def test_cards_declare_a_scope_and_explain_shows_it(tmp_path):
    from gitops_lint.lint.cards import load_cards

    scopes = {c.id: c.scope for c in load_cards()}
    assert scopes["GL301"] == "file" and scopes["GL704"] == "root" and scopes["GL705"] == "root"
    assert scopes["GL304"] == "root" and scopes["GL305"] == "repository"
    assert "Scope: root (" in explain_card(next(c for c in load_cards() if c.id == "GL205"))
    card = tmp_path / "X.yaml"
    card.write_text("id: ORG002\nname: x\nseverity: info\nsummary: s\nrationale: r\nfix: f\nscope: cluster\n"
                    "check: gitops_lint.checks.workloads:workload_no_probes\n"
                    "examples: {bad: 'a: 1', good: 'a: 2'}\n")
    with pytest.raises(CardError, match="scope"):
        load_card(card, builtin=False)


def test_the_readme_lists_the_root_and_file_rules_of_the_cards():
    import re

    from conftest import REPO_ROOT
    from gitops_lint.lint.cards import load_cards

    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for scope in ("root", "file"):
        listed = re.search(rf"\*\*`{scope}`\*\* rules \(([^:]*):", text)
        assert listed, scope
        ids: set[str] = set()
        for part in re.split(r",\s+", listed[1]):  # the list may wrap
            first, _, last = part.partition("–")
            ids |= {f"GL{n:03d}" for n in range(int(first[2:]), int((last or first)[2:]) + 1)}
        assert ids == {c.id for c in load_cards() if c.scope == scope}, scope


def test_merge_reports_an_internal_error_of_a_scoped_rule_once():
    import json

    from gitops_lint.core.findings import INTERNAL_ERROR
    from gitops_lint.lint.shard import merge_reports

    crash = {"rule": INTERNAL_ERROR, "name": "internal-error", "severity": "error", "path": "GL704.yaml",
             "line": 1, "column": 1, "message": "internal error in rule GL704", "fingerprint": "f0"}
    finding = {**crash, "rule": "GL704", "name": "workload-no-resources", "path": "a.yaml", "fingerprint": "f1"}
    summary = {"files": 1, "documents": 1, "suppressed": 0, "baselined": 0}
    texts = [json.dumps({"findings": [crash, *([finding] if k == 2 else [])], "summary": summary,
                         "shard": {"index": k, "count": 2, "rules": ["GL704"], "fixable": []}}) for k in (1, 2)]
    merged = merge_reports(texts, set())
    assert [f.fingerprint for f in merged.findings] == ["f0", "f1"]
