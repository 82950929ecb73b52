"""Change rules (GL8xx) run by the same engine as `check`: config, suppressions by comment and by
`gitops-lint.io/ignore` annotation, internal errors with file and line, rule_dirs confinement."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from gitfixture import commit, init, write

from gitops_lint.checks import changes
from gitops_lint.cli import main
from gitops_lint.core.config import ConfigError
from gitops_lint.diff import pool
from gitops_lint.diff.pipeline import diff_path

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
{annotations}spec:
  replicas: 3
  selector:
    matchLabels: {{app: shop}}
  template:
    metadata:
      labels: {{app: shop}}
    spec:
      containers:
        - name: shop
          image: shop:1.0
"""
CLAIM = """apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: orders
{annotations}spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 5Gi}}}}
"""
PRODUCTION = "resources: [../../base]\nnamespace: shop-prod\n"
ZERO = "replicas: [{name: shop, count: 0}]\n"


def annotated(template: str, value: str | None) -> str:
    block = f"  annotations:\n    gitops-lint.io/ignore: \"{value}\"\n" if value else ""
    return template.format(annotations=block)


def files(deployment_note: str | None = None, claim_note: str | None = None) -> dict[str, str]:
    return {
        "shop/base/kustomization.yaml": "resources: [deployment.yaml, claim.yaml]\n",
        "shop/base/deployment.yaml": annotated(DEPLOYMENT, deployment_note),
        "shop/base/claim.yaml": annotated(CLAIM, claim_note),
        "shop/overlays/staging/kustomization.yaml": "resources: [../../base]\nnamespace: shop-stg\n",
        "shop/overlays/production/kustomization.yaml": PRODUCTION,
    }


def diff_after(tmp_path, base: dict[str, str], head: dict[str, str | None], **kwargs):
    """Commit `base`, then `head` on top of it, and diff the two commits."""
    root = tmp_path / "repo"
    init(root, base)
    write(root, head)
    commit(root, "change")
    return diff_path(root, base="HEAD~1", head="HEAD", **kwargs)


def found(result) -> list[tuple[str, str]]:
    return [(f.rule, f.path) for f in result.findings]


# -- suppressions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("note", ["GL804: shop closes", "change-prod-scale-to-zero", "GL801; GL804"])
def test_annotation_on_the_changed_object_suppresses_a_change_rule(tmp_path, note):
    base = files(deployment_note=note)
    result = diff_after(tmp_path, base, {"shop/overlays/production/kustomization.yaml": PRODUCTION + ZERO})
    assert found(result) == []


def test_annotation_for_another_rule_suppresses_nothing(tmp_path):
    base = files(deployment_note="GL801: selector moves")
    result = diff_after(tmp_path, base, {"shop/overlays/production/kustomization.yaml": PRODUCTION + ZERO})
    assert found(result) == [("GL804", "shop/overlays/production/kustomization.yaml")]


def test_annotation_of_a_removed_object_suppresses_its_removal(tmp_path):
    head = {"shop/base/kustomization.yaml": "resources: [deployment.yaml]\n", "shop/base/claim.yaml": None}
    assert {f.rule for f in diff_after(tmp_path / "plain", files(), head).findings} == {"GL802"}
    kept = diff_after(tmp_path / "noted", files(claim_note="GL802: data moved to the new cluster"), head)
    assert found(kept) == []


def test_inline_comment_suppresses_a_change_rule(tmp_path):
    selector = "    matchLabels: {app: shop}\n"
    moved = "    matchLabels: {app: shop-v2}  # gitops-lint: disable=GL801 -- new release train\n"
    head = {"shop/base/deployment.yaml": annotated(DEPLOYMENT, None).replace(selector, moved)}
    assert found(diff_after(tmp_path, files(), head)) == []
    plain = {"shop/base/deployment.yaml": annotated(DEPLOYMENT, None).replace(selector, moved.split("  #")[0] + "\n")}
    assert {f.rule for f in diff_after(tmp_path / "plain", files(), plain).findings} == {"GL801"}


# -- config ---------------------------------------------------------------------------------------
def test_config_reseverities_and_disables_change_rules_per_path(tmp_path):
    config = "rules: {GL804: info}\noverrides:\n  - paths: ['shop/base/**']\n    rules: {GL801: 'off'}\n"
    moved = {"shop/base/deployment.yaml": annotated(DEPLOYMENT, None).replace("{app: shop}", "{app: shop-v2}")}
    scale = {"shop/overlays/production/kustomization.yaml": PRODUCTION + ZERO}
    assert {f.rule for f in diff_after(tmp_path / "a", files(), moved).findings} == {"GL801"}
    base = {**files(), ".gitops-lint.yaml": config}
    assert found(diff_after(tmp_path / "b", base, moved)) == []
    scaled = diff_after(tmp_path / "c", base, scale)
    assert [(f.rule, str(f.severity)) for f in scaled.findings] == [("GL804", "info")]


# -- internal errors ------------------------------------------------------------------------------
def test_internal_error_in_a_change_rule_keeps_its_file_and_line(tmp_path, monkeypatch):
    def broken(ctx):
        raise KeyError("replicas")

    monkeypatch.setattr(changes, "prod_scale_to_zero", broken)
    result = diff_after(tmp_path, files(), {"shop/overlays/production/kustomization.yaml": PRODUCTION + ZERO})
    errors = [f for f in result.findings if f.rule == "GL000"]
    assert [(f.path, f.line) for f in errors] == [("GL804-change-prod-scale-to-zero.yaml", 1)]
    line = broken.__code__.co_firstlineno + 1
    assert f"[test_change_rules.py:{line}]" in errors[0].message
    assert "GL804" in errors[0].message and "KeyError" in errors[0].message
    code = CliRunner().invoke(main, ["diff", str(tmp_path / "repo"), "--base", "HEAD~1", "--head", "HEAD"])
    assert code.exit_code == 2


# -- rule_dirs confinement ------------------------------------------------------------------------
@pytest.mark.parametrize("head", ["HEAD", None])
def test_repository_config_may_not_name_rule_dirs_outside_it(tmp_path, head):
    outside = tmp_path / "org-rules"
    outside.mkdir()
    root = tmp_path / "repo"
    init(root, {**files(), ".gitops-lint.yaml": "rule_dirs: [../org-rules]\n"})
    write(root, {"shop/overlays/production/kustomization.yaml": PRODUCTION + ZERO})
    if head:
        commit(root, "scale down")
    base = "HEAD~1" if head else "HEAD"
    with pytest.raises(ConfigError, match="rule_dirs entry '../org-rules' leads outside the repository"):
        diff_path(root, base=base, head=head)
    result = CliRunner().invoke(main, ["diff", str(root), "--base", base, *(["--head", head] if head else [])])
    assert result.exit_code == 2 and "leads outside the repository" in result.output


def test_rule_dirs_of_a_config_given_explicitly_are_trusted(tmp_path):
    outside = tmp_path / "org-rules"
    outside.mkdir()
    config = tmp_path / "trusted.yaml"
    config.write_text(f"rule_dirs: [{outside}]\n", encoding="utf-8")
    result = diff_after(tmp_path, files(), {"shop/overlays/production/kustomization.yaml": PRODUCTION + ZERO},
                        config_path=str(config))
    assert found(result) == [("GL804", "shop/overlays/production/kustomization.yaml")]


# -- the worker pool ------------------------------------------------------------------------------
class _Side:
    tree = None


class _RootDiff:
    def __init__(self, root: str):
        self.root, self.changes = root, []


def _diff_one(base, head, root: str, status: str) -> _RootDiff:
    if root == "bad":
        raise ValueError(f"cannot diff {root}")
    return _RootDiff(root)


def test_pool_returns_roots_in_order_and_raises_a_worker_error(monkeypatch):
    monkeypatch.setattr(pool, "MIN_ROOTS", 2)
    if pool.workers(2, 8) < 2:
        pytest.skip("no fork or a single CPU here")
    roots = [(f"r{i}", "modified") for i in range(8)]
    assert [r.root for r in pool.diff_roots(_Side(), _Side(), roots, _diff_one, jobs=2)] == [r for r, _ in roots]
    with pytest.raises(ValueError, match="cannot diff bad"):
        pool.diff_roots(_Side(), _Side(), [*roots, ("bad", "added")], _diff_one, jobs=2)


# -- one repository model -------------------------------------------------------------------------
def test_diff_and_check_agree_on_the_environment_of_a_root(tmp_path):
    from gitops_lint.core.config import Config
    from gitops_lint.core.source import WorkingTree
    from gitops_lint.model.repository import Repository

    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge\ndata: {{mode: {mode}}}\n"
    base = {**files(), "clusters/staging/edge.yaml": config_map.format(mode="a")}
    result = diff_after(tmp_path, base, {"clusters/staging/edge.yaml": config_map.format(mode="b")})
    model = Repository.build(WorkingTree(tmp_path / "repo"), Config(), jobs=1)
    assert [(r.root, r.environment) for r in result.roots] == [("clusters/staging", "staging")]
    assert model.environment_of("clusters/staging") == "staging"


def _diff_one_or_die(base, head, root: str, status: str) -> _RootDiff:
    if root == "bad":
        os._exit(3)  # a worker killed mid-run (out of memory, a signal)
    return _RootDiff(root)


def test_pool_reports_a_worker_that_died(monkeypatch):
    monkeypatch.setattr(pool, "MIN_ROOTS", 2)
    monkeypatch.setattr(pool, "POLL_SECONDS", 0.1)
    if pool.workers(2, 8) < 2:
        pytest.skip("no fork or a single CPU here")
    roots = [(f"r{i}", "modified") for i in range(8)] + [("bad", "added")]
    with pytest.raises(RuntimeError, match="stopped before returning"):
        pool.diff_roots(_Side(), _Side(), roots, _diff_one_or_die, jobs=2)
