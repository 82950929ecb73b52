"""No library warning reaches the user: a valid file that reuses an anchor name is linted silently."""

from __future__ import annotations

import warnings

from gitops_lint.api import lint_path

# Valid YAML: an anchor name may be defined again; the later definition wins for later aliases.
REUSED_ANCHOR = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: hosts
  namespace: web
data:
  first: &host one.example.org
  copy1: *host
  second: &host two.example.org
  copy2: *host
"""


def test_reused_anchor_name_prints_no_warning(make_repo):
    repo = make_repo({"apps/web/configmap.yaml": REUSED_ANCHOR})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lint_path(repo)
    assert [str(w.message) for w in caught] == []
    assert not [f for f in result.findings if f.rule in {"GL000", "GL301", "GL307"}]
