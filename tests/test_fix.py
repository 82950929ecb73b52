"""`check --fix`: deprecated kustomize fields rewritten with comments kept and the same rendered output."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from gitops_lint.cli import main
from gitops_lint.lint.fix import fix_text

BASE = {
    "base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
    "base/deploy.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.0
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
""",
    "overlay/smp.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    "overlay/json.yaml": "- op: replace\n  path: /spec/replicas\n  value: 7\n",
}

OVERLAY = """# production overlay
namePrefix: prod-
namespace: prod
resources:
  - extra.yaml # listed first
bases:
  - ../base  # the shared base
commonLabels:
  team: payments  # owner
patchesStrategicMerge:
  - smp.yaml
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      revisionHistoryLimit: 2
patchesJson6902:
  - target:
      group: apps
      version: v1
      kind: Deployment
      name: web
    path: json.yaml
imageTags:
  - name: nginx
    newTag: "2.0"
"""
EXTRA = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"


def test_fix_text_rewrites_every_fixable_field_and_keeps_comments():
    text, fields = fix_text(OVERLAY)
    assert fields == ("bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "imageTags")
    for gone in ("bases:", "patchesStrategicMerge:", "patchesJson6902:", "commonLabels:", "imageTags:"):
        assert gone not in text
    for comment in ("# production overlay", "# listed first", "# the shared base", "# owner"):
        assert comment in text
    assert "resources:\n  - extra.yaml # listed first\n  - ../base  # the shared base\n" in text
    assert "  - path: smp.yaml\n  - patch: |-\n" in text
    assert "includeSelectors: true" in text
    assert 'images:\n  - name: nginx\n    newTag: "2.0"\n' in text
    assert fix_text(text) == (text, ())  # idempotent


def test_fix_text_leaves_vars_and_clean_or_broken_files_alone():
    with_vars = "resources: [a.yaml]\nvars:\n- name: X\n  objref: {kind: Service, name: s, apiVersion: v1}\n"
    assert fix_text(with_vars) == (with_vars, ())
    assert fix_text("resources: [a\n") == ("resources: [a\n", ())
    assert fix_text("- just a list\n") == ("- just a list\n", ())
    for malformed in (
        "resources: x\nbases: [a]\n",
        "patches: {}\npatchesStrategicMerge: [a]\n",
        "commonLabels: [a]\n",
        "imageTags: 3\n",
        "patchesJson6902: [x]\n",
    ):
        assert fix_text(malformed) == (malformed, ())  # never drops a field it cannot move


def test_fix_keeps_the_rendered_output(make_repo, kubectl):
    repo = make_repo({**BASE, "overlay/kustomization.yaml": OVERLAY, "overlay/extra.yaml": EXTRA})

    def render() -> str:
        proc = subprocess.run(
            [kubectl, "kustomize", str(repo / "overlay")], capture_output=True, text=True, check=True
        )
        return proc.stdout

    before = render()
    assert "replicas: 7" in before and "team: payments" in before and "nginx:2.0" in before
    (repo / "overlay/kustomization.yaml").write_text(fix_text(OVERLAY)[0])
    assert render() == before


def test_check_writes_only_with_fix(make_repo):
    repo = make_repo({**BASE, "overlay/kustomization.yaml": OVERLAY, "overlay/extra.yaml": EXTRA})
    target = repo / "overlay/kustomization.yaml"
    runner = CliRunner()
    plain = runner.invoke(main, ["check", str(repo), "--select", "GL204", "--format", "json"])
    assert plain.exit_code == 0 and '"GL204"' in plain.output
    assert target.read_text() == OVERLAY
    fixed = runner.invoke(main, ["check", str(repo), "--select", "GL204", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "bases:" not in target.read_text() and "# the shared base" in target.read_text()
    assert "0 warning(s)" in fixed.output


def test_fix_honours_suppressions(make_repo):
    text = "# gitops-lint: disable-file=GL204 -- kept for kustomize v3 users\nbases:\n  - ../base\n"
    repo = make_repo({**BASE, "overlay/kustomization.yaml": text})
    result = CliRunner().invoke(main, ["check", str(repo), "--select", "GL204", "--fix"])
    assert result.exit_code == 0, result.output
    assert (repo / "overlay/kustomization.yaml").read_text() == text


def test_fix_keeps_comments_and_blank_lines_in_place():
    text, _ = fix_text(
        "commonLabels:\n  app: hello  # the app\n\n# next\npatchesStrategicMerge:\n"
        "- a.yaml  # first\n- b.yaml\n"
    )
    assert text == (
        "labels:\n- pairs:\n    app: hello # the app\n  includeSelectors: true\n\n# next\n"
        "patches:\n- path: a.yaml # first\n- path: b.yaml\n"
    )


def test_fix_on_corpus_examples_renders_the_same(corpus, kubectl, tmp_path):
    """The kustomize project's own examples: rewritten copies render exactly as the originals."""
    import shutil

    for example in ("examples/helloWorld", "examples/transformerconfigs/crd"):
        source = corpus / "kubernetes-sigs__kustomize" / example
        if not source.is_dir():
            continue
        copy = tmp_path / example.replace("/", "_")
        shutil.copytree(source, copy)
        before = subprocess.run([kubectl, "kustomize", str(copy)], capture_output=True, text=True, check=True)
        text, fields = fix_text((copy / "kustomization.yaml").read_text())
        assert "commonLabels" in fields
        (copy / "kustomization.yaml").write_text(text)
        after = subprocess.run([kubectl, "kustomize", str(copy)], capture_output=True, text=True, check=True)
        assert after.stdout == before.stdout and "commonLabels" not in after.stderr
