"""GL205 (kustomize-build-failed) through the engine: located, deduplicated, unrendered features left out."""

from __future__ import annotations

from gitops_lint.api import lint_path

BASE = {
    "base/kustomization.yaml": "resources:\n  - cm.yaml\n  - cm-copy.yaml\n",
    "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
    "base/cm-copy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
}


def _gl205(repo):
    result = lint_path(repo, select=["GL205"])
    assert not [f for f in result.findings if f.rule == "GL000"], result.findings
    return sorted((f.path, f.line, f.message) for f in result.findings if f.rule == "GL205")


def test_a_broken_base_is_reported_once_at_its_line(make_repo):
    files = {
        **BASE,
        "overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
        "overlays/production/kustomization.yaml": "resources:\n  - ../../base\n",
    }
    [(path, line, message)] = _gl205(make_repo(files))
    assert (path, line) == ("base/kustomization.yaml", 3)
    assert "already registered id" in message and "ConfigMap" in message


def test_unrendered_features_are_not_build_failures(make_repo):
    files = {
        "app/kustomization.yaml": "helmCharts:\n  - name: podinfo\n    repo: https://example.com\n",
        "remote/kustomization.yaml": "resources:\n  - https://github.com/example/repo//deploy?ref=v1\n",
    }
    assert _gl205(make_repo(files)) == []


def test_a_patch_without_target_is_reported_in_the_overlay(make_repo):
    files = {
        "base/kustomization.yaml": "resources:\n  - cm.yaml\n",
        "base/cm.yaml": BASE["base/cm.yaml"],
        "overlays/production/kustomization.yaml": (
            "resources:\n  - ../../base\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n"
            "      metadata:\n        name: setting\n      data: {a: b}\n"
        ),
    }
    [(path, line, message)] = _gl205(make_repo(files))
    assert (path, line) == ("overlays/production/kustomization.yaml", 4)
    assert "no resource matches" in message
