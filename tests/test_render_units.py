"""Small pieces of the renderer checked against values `kubectl kustomize` (v5.5) produced."""

from __future__ import annotations

import pytest

from gitops_lint.render.build import is_remote
from gitops_lint.render.generators import content_hash, encode_base64
from gitops_lint.render.resource import ResId, is_cluster_scoped
from gitops_lint.render.transformers import split_image


@pytest.mark.parametrize(
    ("obj", "suffix"),
    [
        ({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1"}}, "hmg6f82fh6"),
        ({"kind": "ConfigMap", "metadata": {"name": "e"}}, "6ct58987ht"),
        # the name never enters kustomize's hash
        ({"kind": "ConfigMap", "metadata": {"name": "other"}, "data": {"x": "1"}}, "hmg6f82fh6"),
        ({"kind": "Secret", "metadata": {"name": "s"}, "type": "Opaque", "data": {}}, "46f8b28mk5"),
    ],
)
def test_content_hash_matches_kustomize(obj, suffix):
    assert content_hash(obj) == suffix


def test_generated_base64_wraps_like_kustomize():
    assert encode_base64(b"short") == "c2hvcnQ="
    wrapped = encode_base64(b"x" * 200)
    lines = wrapped.split("\n")
    assert wrapped.endswith("\n") and [len(line) for line in lines[:-1]] == [70, 70, 70, 58]


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("nginx", "", "")),
        ("nginx:1.25", ("nginx", "1.25", "")),
        ("localhost:5000/app:1", ("localhost:5000/app", "1", "")),
        ("repo/app@sha256:abc", ("repo/app", "", "sha256:abc")),
        ("repo/app:1@sha256:abc", ("repo/app", "1", "sha256:abc")),
    ],
)
def test_split_image(image, parts):
    assert split_image(image) == parts


@pytest.mark.parametrize(
    ("entry", "remote"),
    [
        ("https://github.com/org/repo//deploy?ref=v1", True),
        ("github.com/org/repo/deploy?ref=v1", True),
        ("git::https://example.com/repo.git", True),
        ("../base", False),
        ("deployment.yaml", False),
    ],
)
def test_remote_entries(entry, remote):
    assert is_remote(entry) is remote


def test_scope_is_by_exact_api_version_as_in_kustomize():
    assert is_cluster_scoped("ClusterRole", "rbac.authorization.k8s.io/v1")
    assert not is_cluster_scoped("ClusterRole", "rbac.authorization.k8s.io/v1alpha1")
    assert not is_cluster_scoped("ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1")
    assert ResId("", "v1", "Namespace", "x", "").effective_namespace == "_non_namespaceable_"
    assert ResId("example.com", "v1", "ClusterIssuer", "x", "").effective_namespace == "default"
