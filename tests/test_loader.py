"""The loader: positions, scalar resolution, and bad input turned into violations."""

from __future__ import annotations

import pytest

from gitops_lint.core.findings import Position
from gitops_lint.core.loader import DUPLICATE_KEY, SYNTAX, UNSAFE_CONTENT, Limits, load_yaml

MANIFEST = b"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
# a second document
apiVersion: v1
kind: Service
metadata: {name: web}
"""


def test_every_node_has_a_one_based_position():
    parsed = load_yaml("m.yaml", MANIFEST)
    deploy, service = parsed.documents
    assert deploy.position(("spec", "template", "spec", "containers", 0, "image")) == Position(10, 18)
    assert deploy.position(("spec", "template", "spec", "containers", 0, "image"), key=True) == Position(10, 11)
    assert deploy.position(("spec", "template", "spec", "containers", 0)) == Position(9, 11)
    assert service.start.line == 13 and service.name == "web" and service.ref == "Service/web"
    assert deploy.position(("spec", "missing", "deeper")) == deploy.position(("spec",))


def test_scalars_resolve_like_yaml_1_2():
    doc = load_yaml("x.yaml", b"a: 1\nb: '1'\nc: true\nd: yes\ne: ~\nf: 1.5\ng: 2024-01-01\nh: 0x10\n").documents[0]
    assert doc.data == {"a": 1, "b": "1", "c": True, "d": "yes", "e": None, "f": 1.5, "g": "2024-01-01", "h": 16}


def test_merge_keys_are_applied():
    doc = load_yaml("x.yaml", b"base: &b {cpu: 1, mem: 2}\nlarge: {<<: *b, mem: 4}\n").documents[0]
    assert doc.data["large"] == {"cpu": 1, "mem": 4}


def test_syntax_error_has_the_parsers_position():
    parsed = load_yaml("x.yaml", b"a: 1\nb: [1, 2\nc: 3\n")
    (v,) = parsed.violations
    assert v.kind == SYNTAX and v.position.line == 3


def test_duplicate_key_reported_and_last_value_wins():
    parsed = load_yaml("x.yaml", b"a: 1\nb: 2\na: 3\n")
    (v,) = parsed.violations
    assert v.kind == DUPLICATE_KEY and v.position == Position(3, 1) and "first at line 1" in v.message
    assert parsed.documents[0].data["a"] == 3


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"\x00\x01\x02binary", "binary"),
        (b"a: \xff\xfe\n", "UTF-8"),
        (b"[" * 50_000, "nesting"),
        (b"".join(b" " * i + b"k:\n" for i in range(300)), "nesting"),
        (b"a: &a [*a]\n", "recursive"),
    ],
)
def test_unsafe_input_becomes_gl307(content, fragment):
    parsed = load_yaml("x.yaml", content)
    assert [v.kind for v in parsed.violations] == [UNSAFE_CONTENT]
    assert fragment in parsed.violations[0].message
    assert not parsed.documents


def test_alias_bomb_is_refused_without_expanding_it():
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        refs = ",".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    parsed = load_yaml("bomb.yaml", "\n".join(lines).encode())
    assert [v.kind for v in parsed.violations] == [UNSAFE_CONTENT]
    assert "alias" in parsed.violations[0].message


def test_size_limit():
    parsed = load_yaml("big.yaml", b"a: " + b"x" * 200 + b"\n", Limits(max_file_bytes=100))
    assert parsed.violations[0].kind == UNSAFE_CONTENT and "limit" in parsed.violations[0].message


def test_yaml_1_2_flow_scalars_that_libyaml_refuses_are_accepted():
    # Go's YAML libraries (kustomize, Argo CD, Flux) accept these; so must we.
    parsed = load_yaml("x.yaml", b"repos: [https://github.com/org/repo.git]\nsrc: {url: https://x.example/a, n: 2}\n")
    assert parsed.violations == []
    assert parsed.documents[0].data == {"repos": ["https://github.com/org/repo.git"],
                                        "src": {"url": "https://x.example/a", "n": 2}}
    assert parsed.documents[0].position(("src", "n")) == Position(2, 36)
