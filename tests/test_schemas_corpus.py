"""The shared corpus of real repositories validates without false GL304 errors."""

from __future__ import annotations

import pytest

from conftest import REPO_ROOT
from gitops_lint.api import lint_path, resolve_config
from gitops_lint.checks.schemas import manifests
from gitops_lint.core.source import WorkingTree
from gitops_lint.model.repository import Repository
from gitops_lint.schemas import SchemaStore
from gitops_lint.schemas.validators import jsonschema_rs

REPOS = [
    "GoogleCloudPlatform__microservices-demo",
    "fluxcd__flux2-kustomize-helm-example",
    "fluxcd__flux2-multi-tenancy",
    "kubernetes-sigs__kustomize",
]
# real errors, each checked by hand (kustomize's examples/validationTransformer/invalid.yaml is invalid on
# purpose, and nothing lists it: an example of an error, not a manifest; see benchmarks/PRECISION.md)
KNOWN: dict[str, list[tuple[str, str]]] = {}


@pytest.mark.parametrize("name", REPOS)
def test_no_false_schema_errors(corpus, name):
    root = corpus / name
    if not root.is_dir():
        pytest.skip(f"{name} not in the corpus")
    result = lint_path(root, select=("GL304", "GL000"), jobs=1)
    assert [(f.path, f.message) for f in result.findings] == KNOWN.get(name, [])


@pytest.mark.skipif(jsonschema_rs is None, reason="jsonschema-rs not installed")
def test_backends_agree_on_every_corpus_manifest(corpus):
    checked = 0
    for name in REPOS:
        root = corpus / name
        if not root.is_dir():
            continue
        repo = Repository.build(WorkingTree(root), resolve_config(root, None), jobs=1)
        crds = [(d.path, d.data) for d in repo.objects("apiextensions.k8s.io/CustomResourceDefinition")]
        fast, slow = (
            SchemaStore(crds=crds, backend="jsonschema-rs"),
            SchemaStore(crds=crds, backend="jsonschema"),
        )
        for doc in manifests(repo):
            found = fast.lookup(doc.api_version, doc.kind)
            if found is None:
                continue
            schema = found[0]
            assert fast.validators.compile(schema).is_valid(doc.data) == slow.validators.compile(
                schema
            ).is_valid(doc.data), doc.ref
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("name", ["k8s-manifests", "anti-patterns"])
def test_example_repos_have_no_schema_errors(name):
    root = REPO_ROOT / "examples" / name
    if not root.is_dir():
        pytest.skip(f"examples/{name} not present")
    result = lint_path(root, select=("GL304", "GL305", "GL000"), jobs=1)
    assert [(f.rule, f.path, f.message) for f in result.findings] == []
