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


@pytest.mark.parametrize(
    "text, value",
    [
        # numbers as go-yaml v3 (kustomize, kyaml, Flux, Argo CD) reads them, measured with kubectl kustomize
        ("0644", 420), ("0777", 511), ("-0644", -420), ("+0644", 420), ("0o17", 15), ("0O17", 15),
        ("0x1F", 31), ("0X1f", 31), ("+0x1F", 31), ("0b101", 5), ("-0b11", -3), ("+12", 12),
        ("1_000", 1000), ("1__0", 10), ("0x_1F", 31), ("0", 0), ("09", 9), ("012.5", 12.5), ("1e3", 1000.0),
        (".5", 0.5), ("-.5", -0.5), ("1.", 1.0), ("9223372036854775808", 9223372036854775808),
        ("123456789012345678901234", 1.2345678901234569e23),
        # strings for go-yaml v3 (YAML 1.1 forms it dropped), and numbers too large for a float
        ("1:30", "1:30"), ("190:20:30", "190:20:30"), ("yes", "yes"), ("No", "No"), ("on", "on"),
        ("OFF", "OFF"), ("y", "y"), ("0x", "0x"), ("1E400", "1E400"), (".e3", ".e3"), ("2024-01-01", "2024-01-01"),
        # tags and quotes
        ('!!int "0644"', 420), ('"0644"', "0644"), ("'0x10'", "0x10"), ("!!str 0644", "0644"), ("!!float 1", 1.0),
    ],
)
def test_scalars_resolve_like_go_yaml_v3(text, value):
    (doc,) = load_yaml("x.yaml", f"v: {text}\n".encode()).documents
    assert doc.data["v"] == value and type(doc.data["v"]) is type(value)


def test_brackets_inside_scalars_are_not_nesting():
    rules = "".join(f'    SecRule ARGS "@rx {"[" * 40}{"{" * 40}" "id:{i}"\n' for i in range(20))
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: waf\ndata:\n  rules: |\n{rules}  flow: '{'[' * 200}'\n"
    parsed = load_yaml("waf.yaml", text.encode())
    assert parsed.violations == []
    assert parsed.documents[0].data["data"]["rules"].count("[") == 800


def test_structure_deeper_than_the_limit_is_still_refused_among_scalar_brackets():
    text = "a: '" + "[" * 500 + "'\nb: " + "[" * 150 + "]" * 150 + "\n"
    parsed = load_yaml("deep.yaml", text.encode())
    assert [v.kind for v in parsed.violations] == [UNSAFE_CONTENT] and "nesting" in parsed.violations[0].message


def test_files_of_several_megabytes_are_parsed():
    assert Limits().max_file_bytes == 32 * 1024 * 1024
    body = "".join(f"    line {i} of a vendored bundle\n" for i in range(120_000))  # about 4 MB
    parsed = load_yaml("bundle.yaml", f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: |\n{body}".encode())
    assert len(body) > 3_500_000 and parsed.violations == [] and parsed.documents[0].name == "b"
    over = load_yaml("huge.yaml", b"a: " + b"x" * 200, Limits(max_file_bytes=100))
    assert "limit" in over.violations[0].message


def test_annotation_text_and_folded_paths_are_recorded():
    (doc,) = load_yaml("x.yaml", b"metadata:\n  annotations:\n    a: 0644\n    b: ~\n    c:\nd: >\n  x\n").documents
    assert doc.data["metadata"]["annotations"] == {"a": 420, "b": None, "c": None}
    assert doc.annotation_text == {"a": "0644", "b": "~", "c": ""}
    assert doc.folded == [("d",)]


def test_reused_anchor_names_parse_without_a_library_warning(capfd):
    text = b"a: &host x\nb: [https://h.example]\nc: &host y\nd: *host\n"  # the flow URL needs the pure parser
    parsed = load_yaml("x.yaml", text)
    assert parsed.violations == [] and parsed.documents[0].data["d"] == "y"
    assert capfd.readouterr().err == ""


def test_yaml_1_1_booleans_are_strings_whose_paths_are_recorded():
    (doc,) = load_yaml("k.yaml", b"namespace: yes\nq: 'no'\nl: [on, Off, y]\n").documents
    assert doc.data == {"namespace": "yes", "q": "no", "l": ["on", "Off", "y"]}
    assert doc.yaml11_bools == [("namespace",), ("l", 0), ("l", 1), ("l", 2)]
