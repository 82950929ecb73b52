"""kustomize patch/replacement target selectors: which objects a `target:` (or `select:`) picks.

group, version, kind, name and namespace are regular expressions anchored at both ends, as kustomize's
SelectorRegex; an empty or absent field matches everything. The namespace compared is the effective
one (`default` for a namespaced object without one). labelSelector and annotationSelector use the full
Kubernetes label-selector syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
`k>1`, `k<1`, joined by commas (all must hold).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from gitops_lint.core.datapath import as_dict
from gitops_lint.render.errors import RenderError
from gitops_lint.render.resource import is_cluster_scoped, split_api_version

_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_TOKEN = re.compile(r"\s*(==|!=|=|!|\(|\)|,|>|<|[^\s,=!()<>]+)")

Requirement = Callable[[dict], bool]


@functools.lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(f"^(?:{pattern})$")
    except re.error as exc:
        raise RenderError(f"invalid regular expression {pattern!r} in target selector: {exc}") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_key(key: str, selector: str) -> None:
    prefix, _, name = key.rpartition("/")
    ok = bool(name) and len(name) <= 63 and _LABEL_VALUE.fullmatch(name) is not None
    if prefix:
        ok = ok and len(prefix) <= 253 and _DNS_SUBDOMAIN.fullmatch(prefix) is not None
    if not ok:
        raise RenderError(f"invalid selector {selector!r}: {key!r} is not a valid label key")


def _check_value(value: str, selector: str) -> None:
    if len(value) > 63 or _LABEL_VALUE.fullmatch(value) is None:
        raise RenderError(f"invalid selector {selector!r}: {value!r} is not a valid label value")


def _tokens(selector: str) -> list[str]:
    out, pos = [], 0
    while pos < len(selector):
        if selector[pos:].strip() == "":
            break
        match = _TOKEN.match(selector, pos)
        if match is None:  # pragma: no cover - the token pattern accepts every non-space character
            raise RenderError(f"invalid selector {selector!r}")
        out.append(match.group(1))
        pos = match.end()
    return out


@functools.lru_cache(maxsize=512)
def parse_selector(selector: str) -> tuple[Requirement, ...]:
    """Parse a label selector into requirements (each a predicate over a label map)."""
    tokens = _tokens(selector)
    requirements: list[Requirement] = []
    i = 0

    def fail(why: str) -> RenderError:
        return RenderError(f"invalid selector {selector!r}: {why}")

    while i < len(tokens):
        negate = tokens[i] == "!"
        i += negate
        if i >= len(tokens) or tokens[i] in ("==", "!=", "=", "!", "(", ")", ",", ">", "<"):
            raise fail("expected a label key")
        key = tokens[i]
        _check_key(key, selector)
        i += 1
        op = tokens[i] if i < len(tokens) else ","
        if negate or op == ",":
            if negate and op != ",":
                raise fail(f"unexpected {op!r} after '!{key}'")
            requirements.append(_absent(key) if negate else _present(key))
        elif op in ("=", "==", "!=", ">", "<"):
            i += 1
            value = ""
            if i < len(tokens) and tokens[i] != ",":
                value = tokens[i]
                i += 1
            if op in (">", "<"):
                if not re.fullmatch(r"-?[0-9]+", value):
                    raise fail(f"{value!r} is not an integer")
                requirements.append(_compare(key, int(value), op))
            else:
                _check_value(value, selector)
                requirements.append(_equals(key, value, op == "!="))
        elif op in ("in", "notin"):
            i += 1
            if i >= len(tokens) or tokens[i] != "(":
                raise fail(f"expected '(' after {op!r}")
            i += 1
            values: set[str] = set()
            expect_value = True
            while i < len(tokens) and tokens[i] != ")":
                if tokens[i] == ",":
                    if expect_value:
                        values.add("")
                    expect_value = True
                else:
                    if not expect_value:
                        raise fail("expected ',' between values")
                    _check_value(tokens[i], selector)
                    values.add(tokens[i])
                    expect_value = False
                i += 1
            if i >= len(tokens):
                raise fail("missing ')'")
            if expect_value:
                values.add("")
            i += 1
            requirements.append(_member(key, frozenset(values), op == "notin"))
        else:
            raise fail(f"unexpected {op!r} after {key!r}")
        if i < len(tokens):
            if tokens[i] != ",":
                raise fail(f"expected ',' but found {tokens[i]!r}")
            i += 1
            if i >= len(tokens):
                raise fail("trailing ','")
    return tuple(requirements)


def _present(key: str) -> Requirement:
    return lambda labels: key in labels


def _absent(key: str) -> Requirement:
    return lambda labels: key not in labels


def _equals(key: str, value: str, negate: bool) -> Requirement:
    if negate:
        return lambda labels: key not in labels or _text(labels[key]) != value
    return lambda labels: key in labels and _text(labels[key]) == value


def _member(key: str, values: frozenset, negate: bool) -> Requirement:
    if negate:
        return lambda labels: key not in labels or _text(labels[key]) not in values
    return lambda labels: key in labels and _text(labels[key]) in values


def _compare(key: str, bound: int, op: str) -> Requirement:
    def check(labels: dict) -> bool:
        text = _text(labels.get(key)) if key in labels else ""
        if not re.fullmatch(r"-?[0-9]+", text):
            return False
        return int(text) > bound if op == ">" else int(text) < bound

    return check


def selector_matches(selector: Any, labels: Any) -> bool:
    """Does the label map satisfy the selector string? An empty selector matches everything."""
    if selector is None or _text(selector).strip() == "":
        return True
    labels = labels if isinstance(labels, dict) else {}
    return all(req(labels) for req in parse_selector(_text(selector)))


def effective_namespace(obj: dict, namespace: str | None = None) -> str:
    """kustomize's effective namespace: `default` when unset, a marker for cluster-scoped kinds."""
    kind = obj.get("kind")
    if isinstance(kind, str) and is_cluster_scoped(kind, _text(obj.get("apiVersion"))):
        return "_non_namespaceable_"
    if namespace is None:
        meta = as_dict(obj.get("metadata"))
        namespace = _text(meta.get("namespace"))
    return namespace or "default"


def _field_matches(target: dict, field: str, *candidates: str) -> bool:
    pattern = target.get(field)
    if pattern is None or _text(pattern) == "":
        return True
    regex = _regex(_text(pattern))
    return any(regex.match(c) for c in candidates)


def matches(
    obj: dict,
    target: dict,
    *,
    original_name: str | None = None,
    original_namespace: str | None = None,
) -> bool:
    """Does `obj` fit the kustomize selector `target`? Name and namespace also match when the object's
    original (pre-prefix/suffix, pre-namespace-change) name or namespace fits, as in kustomize."""
    if not isinstance(target, dict):
        raise RenderError("a target selector must be a mapping")
    if not isinstance(obj, dict):
        return False
    meta = as_dict(obj.get("metadata"))
    name = _text(meta.get("name"))
    names: tuple[str, ...] = (name,) if original_name is None else (original_name, name)
    namespaces: tuple[str, ...] = (effective_namespace(obj),)
    if original_namespace is not None:
        namespaces = (effective_namespace(obj, original_namespace), *namespaces)
    group, version = split_api_version(obj.get("apiVersion"))
    if not _field_matches(target, "namespace", *namespaces) or not _field_matches(target, "name", *names):
        return False
    if not all(
        _field_matches(target, field, value)
        for field, value in (("group", group), ("version", version), ("kind", _text(obj.get("kind"))))
    ):
        return False
    return selector_matches(target.get("labelSelector"), meta.get("labels")) and selector_matches(
        target.get("annotationSelector"), meta.get("annotations")
    )
