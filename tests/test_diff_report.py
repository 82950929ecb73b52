"""Markdown/text/json output of `diff`: well-formed, escaped, dangerous first, truncated under the limit."""

from __future__ import annotations

import json
import re

from gitops_lint.core.findings import Finding, Position, Severity
from gitops_lint.diff import normalise as diffnorm
from gitops_lint.diff import report as diffreport
from gitops_lint.diff.changes import Change, RootDiff, compare
from gitops_lint.diff.pipeline import DiffResult
from gitops_lint.diff.sides import Resource


def _resource(name: str, **extra) -> Resource:
    data = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}, **extra}
    return Resource(data, "cm.yaml", Position(1, 1))


def _root(root: str, n: int = 1, payload: str = "x", prefix: str = "cm") -> RootDiff:
    r = RootDiff(root, "app", "production", "modified")
    for i in range(n):
        before, after = _resource(f"{prefix}-{i}"), _resource(f"{prefix}-{i}", data={"k": payload})
        action, text = compare(before, after, [])
        r.changes.append(Change(root, "app", "production", action, before, after, text))
    return r


def _result(roots, findings=()) -> DiffResult:
    return DiffResult("base", "head", list(roots), findings=list(findings))


def _well_formed(md: str) -> None:
    fences = [line for line in md.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0
    md = re.sub(r"^(`{3,})diff\n.*?^\1$", "", md, flags=re.S | re.M)  # HTML inside code is literal
    assert md.count("<details>") == md.count("</details>")
    assert md.count("<summary>") == md.count("</summary>")


def test_markdown_truncates_under_the_comment_limit():
    roots = [_root(f"apps/a{i:03d}/overlays/production", n=3, payload="y" * 300) for i in range(300)]
    md = diffreport.render("markdown", _result(roots))
    assert len(md) <= diffreport.DEFAULT_MARKDOWN_BUDGET < diffreport.COMMENT_LIMIT
    assert "_Truncated: the diffs of" in md
    _well_formed(md)
    shown = md.count("<details>")
    assert 0 < shown < 300 and f"{300 - shown} more root(s)" in md


def test_markdown_small_budget_still_well_formed():
    roots = [_root(f"r{i}", n=2) for i in range(50)]
    md = diffreport.markdown(_result(roots), budget=1500)
    assert len(md) <= 1500
    assert "Truncated" in md


def test_names_are_escaped():
    root = _root("apps/<script>alert(1)</script>|x")
    md = diffreport.render("markdown", _result([root]))
    assert "<script>" not in md
    assert "&lt;script&gt;" in md and "\\|x" in md
    _well_formed(md)


def test_code_fence_survives_backticks_in_values():
    root = _root("r", payload="```\n</details>\n")
    md = diffreport.render("markdown", _result([root]))
    assert "````diff" in md
    _well_formed(md)


def test_dangerous_roots_and_findings_come_first():
    quiet, loud = _root("a-quiet"), _root("z-loud", prefix="loud")
    ref = loud.changes[0].ref
    finding = Finding(
        "GL801",
        "change-immutable-field",
        Severity.ERROR,
        "cm.yaml",
        3,
        1,
        "bad",
        resource=ref,
        environment="production",
    )
    md = diffreport.render("markdown", _result([quiet, loud], [finding]))
    assert md.index("### Dangerous changes") < md.index("| app | environment")
    assert md.index("<code>z-loud</code>") < md.index("<code>a-quiet</code>")


def test_text_and_json():
    result = _result([_root("r")])
    text = diffreport.render("text", result, color=True)
    assert "\033[" in text and "== r [modified]" in text
    assert "\033[" not in diffreport.render("text", result, color=False)
    data = json.loads(diffreport.render("json", result))
    assert data["changes"][0]["action"] == "modified" and data["roots"][0]["modified"] == 1


def test_yaml_emitter_round_trips():
    from ruamel.yaml import YAML

    data = {
        "a": ["x", {"b": 1, "c": [1, 2]}, []],
        "yes": "no",
        "n": "0123",
        "s": "a: b",
        "e": {},
        "multi": "line1\nline2",
        "t": True,
        "none": None,
        "star": "*x",
        "empty": "",
    }
    assert YAML(typ="safe", pure=True).load(diffnorm.to_yaml(data)) == data


def test_strip_patterns():
    obj = {"metadata": {"annotations": {"checksum/config": "1", "keep": "2"}, "name": "x"}}
    assert diffnorm.strip(obj, [diffnorm.parse_strip("metadata.annotations[checksum/*]")]) == {
        "metadata": {"annotations": {"keep": "2"}, "name": "x"}
    }
    assert re.search("annotations", str(diffnorm.strip(obj, [("metadata", "annotations")]))) is None


def test_sealed_secret_and_sops_payloads_are_masked():
    sealed = {
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "metadata": {"name": "s"},
        "spec": {
            "encryptedData": {"a": "AgBy3i4OJSWK+PiTySYZZA==", "b": "same"},
            "template": {"metadata": {"name": "s"}},
        },
    }
    changed = {**sealed, "spec": {**sealed["spec"], "encryptedData": {"a": "AgCHANGED==", "b": "same"}}}
    base, head = diffnorm.mask_pair(sealed, changed)
    assert base["spec"]["encryptedData"] == {"a": "<redacted>", "b": "<unchanged>"}
    assert head["spec"]["encryptedData"] == {"a": "<changed>", "b": "<unchanged>"}
    assert head["spec"]["template"] == {"metadata": {"name": "s"}}
    sops = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"k": "ENC[AES256_GCM,data:abc,iv:x,type:str]"},
        "sops": {"mac": "ENC[AES256_GCM,data:m]"},
    }
    masked = diffnorm.mask_single(sops)
    assert "ENC[" not in diffnorm.to_yaml(masked) and masked["metadata"] == {"name": "c"}
