"""A file the tool declines to read is one `info` finding "not checked", nothing else (regression fixture).

Shaped like a repository that vendors a large CRD bundle beside the custom resources it defines: the
bundle is over the configured size limit, so the build that reads it and the kinds it would define are
not reported as the user's errors.
"""

from __future__ import annotations

from gitops_lint.api import lint_path
from gitops_lint.core.findings import Severity

CRD = (
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n"
    "spec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n"
    "    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n"
    "          type: object\n          description: " + "x" * 3000 + "\n"
)


def _repo(make_repo, extra=None):
    return make_repo(
        {
            ".gitops-lint.yaml": "limits:\n  max_file_bytes: 2000\n",
            "infra/crds/kustomization.yaml": "resources:\n  - bundle.yaml\n  - widget.yaml\n",
            "infra/crds/bundle.yaml": CRD,
            "infra/crds/widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
            **(extra or {}),
        }
    )


def test_declined_file_is_one_info_finding_and_nothing_else(make_repo):
    found = lint_path(_repo(make_repo), select=["GL2", "GL3"], jobs=1).findings
    assert [(f.rule, f.path, f.severity) for f in found] == [("GL307", "infra/crds/bundle.yaml", Severity.INFO)]
    assert found[0].message.startswith("not checked: file is ")
    assert "the tool's limit" in found[0].message


def test_other_kinds_and_real_build_failures_are_still_reported(make_repo):
    root = _repo(make_repo, {
        "apps/web/kustomization.yaml": "resources:\n  - gadget.yaml\n  - missing-dir/\n",
        "apps/web/gadget.yaml": "apiVersion: example.org/v1\nkind: Gadget\nmetadata:\n  name: g\n",
    })
    rules = sorted(f.rule for f in lint_path(root, select=["GL2", "GL3"], jobs=1).findings)
    assert rules == ["GL201", "GL305", "GL307"]
