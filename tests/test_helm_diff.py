"""Helm releases in `diff`: rendered manifests diffed per resource plus the values diff; secrets masked."""

from __future__ import annotations

import json

from gitops_lint.api import resolve_config
from gitops_lint.core.source import WorkingTree
from gitops_lint.diff.pipeline import diff_trees
from gitops_lint.diff.report import render as render_report
from helm_charts import SDK, flux_release, needs_sdk, values_secret, web_chart

RELEASE = flux_release(spec="""\
  valuesFrom:
    - kind: Secret
      name: shop-secret
      valuesKey: host
      targetPath: host
  values:
    replicas: {replicas}
""")

def _repo(make_repo, replicas: int, host: str):
    return make_repo({**web_chart(), "apps/shop/release.yaml": RELEASE.format(replicas=replicas),
                      "apps/shop/secret.yaml": values_secret("host", host)})


def _diff(before, after):
    return diff_trees(WorkingTree(before, use_git=False), WorkingTree(after, use_git=False),
                      resolve_config(after, None))


@needs_sdk
def test_values_change_shows_rendered_and_values_diff(make_repo):
    result = _diff(_repo(make_repo, 2, "shop.internal.example"), _repo(make_repo, 3, "shop.internal.example"))
    [root] = [r for r in result.roots if r.app == "HelmRelease/shop"]
    assert root.status == "modified" and root.root == "HelmRelease/shop (chart web)"
    by_kind = {c.key[1]: c for c in root.changes}
    assert set(by_kind) == {"HelmValues", "Deployment"}
    assert "-  replicas: 2\n+  replicas: 3" in by_kind["Deployment"].diff
    assert "   host: <unchanged>\n-  replicas: 2\n+  replicas: 3" in by_kind["HelmValues"].diff


@needs_sdk
def test_secret_values_are_masked_in_every_output(make_repo):
    result = _diff(_repo(make_repo, 2, "old-secret-host.example"), _repo(make_repo, 2, "new-secret-host.example"))
    [root] = [r for r in result.roots if r.app == "HelmRelease/shop"]
    # the value reaches the chart's ConfigMap, where it is replaced on both sides: only the values show it
    assert {c.key[1] for c in root.changes} == {"HelmValues"}
    everything = json.dumps(result.to_dict()) + render_report("text", result) + render_report("markdown", result)
    assert "secret-host" not in everything
    values = next(c for c in root.changes if c.key[1] == "HelmValues").diff
    assert "<changed>" in values and "<redacted>" in values


@needs_sdk
def test_unchanged_release_is_not_in_the_diff(make_repo):
    result = _diff(_repo(make_repo, 2, "shop.internal.example"), _repo(make_repo, 2, "shop.internal.example"))
    assert not [r for r in result.roots if r.app == "HelmRelease/shop"]


def test_chart_change_alone_is_diffed_for_every_release_using_it(make_repo):
    before = _repo(make_repo, 2, "shop.internal.example")
    after = _repo(make_repo, 2, "shop.internal.example")
    (after / "charts/web/files/motd.txt").write_text("maintenance tonight\n")
    result = _diff(before, after)
    roots = [r for r in result.roots if r.app == "HelmRelease/shop"]
    if SDK:  # rendered: the ConfigMap carrying the file changes, the values do not
        [root] = roots
        assert [c.key[1] for c in root.changes] == ["ConfigMap"]
        assert "-  motd: welcome\n+  motd: maintenance tonight\n" in root.changes[0].diff
