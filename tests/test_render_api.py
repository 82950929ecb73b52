"""The renderer's public API: origins, caching, confinement, hostile input, unrendered features."""

from __future__ import annotations

import copy
import shutil

import pytest

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import load_yaml, parse_text
from gitops_lint.core.source import WorkingTree
from gitops_lint.render import NotRendered, RenderCache, RenderError, render

BASE = {
    "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "base/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n        - name: web\n          image: nginx\n"
    ),
}
OVERLAY = {
    **BASE,
    "prod/kustomization.yaml": (
        "resources:\n  - ../base\nnamespace: prod\nimages:\n  - name: nginx\n    newTag: '1.27'\n"
        "patches:\n  - path: replicas.yaml\n"
    ),
    "prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
}


def _tree(make_repo, files):
    return WorkingTree(make_repo(files), use_git=False)


def test_objects_know_their_source_and_field_origins(make_repo):
    result = render(_tree(make_repo, OVERLAY), "prod")
    [obj] = result.objects
    assert obj.data["spec"]["replicas"] == 3
    assert obj.data["metadata"]["namespace"] == "prod"
    assert obj.source == "base/deployment.yaml" and obj.position == Position(1, 1)
    assert obj.origin("spec.replicas")[0] == "prod/replicas.yaml"
    assert obj.origin(("metadata", "namespace")) == ("prod/kustomization.yaml", Position(3, 12))
    image_origin = obj.origin(("spec", "template", "spec", "containers", 0, "image"))
    assert image_origin == ("prod/kustomization.yaml", Position(6, 13))  # the entry's newTag sets it
    assert obj.origin("spec.selector") == ("base/deployment.yaml", Position(1, 1))


def test_to_yaml_is_a_kustomize_like_stream(make_repo):
    text = render(_tree(make_repo, OVERLAY), "prod").to_yaml()
    [doc] = [d.data for d in parse_text("out", text).documents]
    assert doc["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert text.startswith("apiVersion: apps/v1\nkind: Deployment\n")


def test_parse_callback_is_used_and_its_documents_are_not_mutated(make_repo):
    tree = _tree(make_repo, OVERLAY)
    seen = {}

    def parse(path):
        seen[path] = seen.get(path) or load_yaml(path, tree.read_bytes(path))
        return seen[path]

    render(tree, "prod", parse=parse)
    before = copy.deepcopy(seen["base/deployment.yaml"].documents[0].data)
    render(tree, "prod", parse=parse)
    assert seen["base/deployment.yaml"].documents[0].data == before
    assert before["spec"]["replicas"] == 1 and "namespace" not in before["metadata"]


def test_base_builds_are_shared_but_never_leak_between_overlays(make_repo):
    files = {**OVERLAY, "dev/kustomization.yaml": "resources:\n  - ../base\nnamePrefix: dev-\n"}
    tree = _tree(make_repo, files)
    cache = RenderCache()
    prod = render(tree, "prod", cache=cache).objects[0].data
    dev = render(tree, "dev", cache=cache).objects[0].data
    again = render(tree, "prod", cache=cache).objects[0].data
    assert dev["metadata"] == {"name": "dev-web"} and dev["spec"]["replicas"] == 1
    assert prod == again and prod["metadata"]["name"] == "web"
    assert cache.session(tree, "rootonly", None)._builds.keys() >= {"base"}


def test_generated_names_get_kustomizes_hash_and_references_follow(make_repo):
    files = {
        "kustomization.yaml": "resources: [pod.yaml]\nconfigMapGenerator:\n- name: a\n  literals: [x=1]\n",
        "pod.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: x\n"
            "    envFrom:\n    - configMapRef: {name: a}\n"
        ),
    }
    objs = [o.data for o in render(_tree(make_repo, files), "").objects]
    assert objs[0]["metadata"]["name"] == "a-hmg6f82fh6"  # as `kubectl kustomize` names it
    assert objs[1]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"] == "a-hmg6f82fh6"


@pytest.mark.parametrize(
    ("files", "root", "message"),
    [
        (
            {"a/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources: [../a]\n"},
            "a",
            "cycle",
        ),
        ({"kustomization.yaml": "resources: [../outside]\n"}, "", "outside the repository root"),
        (
            {"app/kustomization.yaml": "resources: [../cm.yaml]\n", "cm.yaml": "kind: ConfigMap\n"},
            "app",
            "rootonly",
        ),
        ({"kustomization.yaml": "resources: [missing.yaml]\n"}, "", "not found"),
        ({"kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": "- just\n- a list\n"}, "", "mapping"),
        ({"kustomization.yaml": "resources: [a.yaml]\n", "a.yaml": "a: [unclosed\n"}, "", "cannot parse"),
        ({"kustomization.yaml": "- not a mapping\n"}, "", "kustomization"),
        ({"x.yaml": "a: b\n"}, "", "no kustomization file"),
    ],
)
def test_build_failures_are_render_errors(make_repo, files, root, message):
    with pytest.raises(RenderError) as info:
        render(_tree(make_repo, files), root)
    assert message in str(info.value)


def test_deep_nesting_is_bounded(make_repo):
    files = {f"l{i}/kustomization.yaml": f"resources: [../l{i + 1}]\n" for i in range(60)}
    files["l60/kustomization.yaml"] = "resources: []\n"
    with pytest.raises(RenderError, match="deeper than"):
        render(_tree(make_repo, files), "l0")


def test_load_restrictor_none_allows_files_above_the_kustomization(make_repo):
    files = {
        "app/kustomization.yaml": "resources: [../cm.yaml]\n",
        "cm.yaml": "kind: ConfigMap\nmetadata: {name: c}\n",
    }
    [obj] = render(_tree(make_repo, files), "app", load_restrictor="none").objects
    assert obj.data["metadata"]["name"] == "c"


def test_error_points_at_the_kustomization_line(make_repo):
    files = {**BASE, "o/kustomization.yaml": "resources:\n  - ../base\n  - ../base/deployment.yaml\n"}
    with pytest.raises(RenderError) as info:
        render(_tree(make_repo, files), "o", load_restrictor="none")
    assert info.value.path == "o/kustomization.yaml" and info.value.position.line == 3
    assert "already registered id" in info.value.message


@pytest.mark.parametrize(
    "kustomization",
    [
        "helmCharts:\n- name: podinfo\n  repo: https://example.com\n",
        "resources:\n- https://github.com/example/repo//deploy?ref=v1\n",
        "resources:\n- github.com/example/repo/deploy?ref=v1\n",
        "transformers:\n- fn.yaml\n",
    ],
)
def test_unrendered_features_are_reported_not_attempted(make_repo, kustomization):
    with pytest.raises(NotRendered):
        render(
            _tree(
                make_repo, {"kustomization.yaml": kustomization, "fn.yaml": "kind: X\nmetadata: {name: f}\n"}
            ),
            "",
        )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_external_renderer_delegates_to_kubectl(make_repo):
    from gitops_lint.render.external import render_external

    tree = _tree(make_repo, OVERLAY)
    ours = [o.data for o in render(tree, "prod").objects]
    theirs = [o.data for o in render_external(tree, "prod", renderer="kubectl").objects]
    assert ours == theirs
    with pytest.raises(RenderError, match="no matches"):
        render_external(
            _tree(
                make_repo,
                {"kustomization.yaml": "patches:\n- patch: |\n    kind: X\n    metadata: {name: y}\n"},
            ),
            "",
        )


def test_patch_origins_point_at_the_line_in_the_patch_file(make_repo):
    files = {
        **OVERLAY,
        "prod/replicas.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n"
            "    spec:\n      containers:\n        - name: web\n          resources:\n"
            "            limits: {memory: 1Gi}\n"
        ),
    }
    [obj] = render(_tree(make_repo, files), "prod").objects
    assert obj.origin("spec.replicas") == ("prod/replicas.yaml", Position(6, 13))
    limits = obj.origin(("spec", "template", "spec", "containers", 0, "resources", "limits", "memory"))
    assert limits == ("prod/replicas.yaml", Position(12, 30))


HOSTILE = [
    "resources: just-a-string\n",
    "resources: [1, 2]\n",
    "patches: not-a-list\n",
    "patches:\n- 42\n",
    "patches:\n- {patch: 12, target: 3}\n",
    "patches:\n- {patch: '[1, 2]', target: {kind: X}}\n",
    "patchesStrategicMerge: [42]\n",
    "patchesJson6902:\n- {target: 1}\n",
    "images: [{name: 1}]\n",
    "images: {a: b}\n",
    "replicas: [{name: x, count: '3'}]\n",
    "replicas: [7]\n",
    "configMapGenerator: x\n",
    "configMapGenerator: [{name: [1]}]\n",
    "configMapGenerator: [{name: a, literals: [noequals]}]\n",
    "configMapGenerator: [{name: a, behavior: sideways}]\n",
    "secretGenerator: [{name: a, files: [../../etc/passwd]}]\n",
    "namespace: {a: b}\n",
    "commonLabels: [a]\n",
    "commonLabels: {a: {b: c}}\n",
    "labels: x\n",
    "labels: [{pairs: {a: b}, fields: [{nopath: 1}]}]\n",
    "components: [1]\n",
    "components: [/etc]\n",
    "configurations: [missing.yaml]\n",
    "sortOptions: fifo\n",
    "sortOptions: {order: random}\n",
    "vars: [{name: X, objref: {kind: Nope, name: n, apiVersion: v1}}]\n",
    "replacements: [{source: {kind: Nope}, targets: []}]\n",
    "namePrefix: [x]\n",
    "crds: [nope.json]\n",
    "kind: Secret\n",
]


@pytest.mark.parametrize("kustomization", HOSTILE)
def test_hostile_kustomizations_fail_cleanly(make_repo, kustomization):
    head = "" if kustomization.startswith("resources:") else "resources: [cm.yaml]\n"
    files = {"kustomization.yaml": head + kustomization, "cm.yaml": "kind: ConfigMap\nmetadata: {name: c}\n"}
    try:
        render(_tree(make_repo, files), "")
    except RenderError as exc:
        assert str(exc)


def test_output_is_byte_identical_to_kubectl_for_a_typical_overlay():
    from pathlib import Path

    case = Path(__file__).parent / "fixtures" / "render" / "patches"
    text = render(WorkingTree(case, use_git=False), "").to_yaml()
    assert text == (case / "expected.yaml").read_text()


def test_output_quotes_strings_a_yaml_1_1_reader_would_retype():
    from gitops_lint.render.output import to_yaml

    text = to_yaml([{"data": {"a": "yes", "b": "on", "c": "0755", "d": "", "e": "1.10", "f": "plain"}}])
    assert 'a: "yes"' in text and 'b: "on"' in text and 'c: "0755"' in text and 'd: ""' in text
    assert 'e: "1.10"' in text and "f: plain" in text


def test_label_origins_cover_selectors_and_templates(make_repo):
    files = {
        **BASE,
        "o/kustomization.yaml": "resources:\n  - ../base\nlabels:\n  - pairs: {team: a}\n    includeSelectors: true\n",
    }
    [obj] = render(_tree(make_repo, files), "o").objects
    where = ("o/kustomization.yaml", Position(4, 5))
    assert obj.origin("metadata.labels.team") == where
    assert obj.origin("spec.selector.matchLabels.team") == where
    assert obj.origin("spec.template.metadata.labels.team") == where


@pytest.mark.parametrize(
    ("kustomization", "line"),
    [
        ("resources: [cm.yaml]\npatchesStrategicMerge:\n  - missing.yaml\n", 3),
        ("resources: [cm.yaml]\nconfigMapGenerator:\n  - name: g\n    files: [missing.txt]\n", 3),
        ("resources: [cm.yaml]\npatches:\n  - path: missing.yaml\n", 3),
    ],
)
def test_missing_inputs_point_at_their_entry(make_repo, kustomization, line):
    files = {"kustomization.yaml": kustomization, "cm.yaml": "kind: ConfigMap\nmetadata: {name: c}\n"}
    with pytest.raises(RenderError) as info:
        render(_tree(make_repo, files), "")
    assert info.value.position.line == line and "not found" in info.value.message
