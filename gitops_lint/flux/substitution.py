"""Flux postBuild variable substitution as rules that read values see it.

Flux replaces `${VAR}`, `${VAR:=default}` (and envsubst's `${VAR=default}`, `${VAR:-default}`,
`${VAR-default}`) in the text of the built manifests before applying them, so a field written
`replicas: ${REPLICAS:=2}` is the integer 2 when the variable is unset, and `port: ${PORT}` is
whatever the cluster's ConfigMap or Secret holds. A value that is only a variable cannot be judged
by its type; a default is read as the YAML scalar it becomes. SOPS ciphertext (`ENC[…]`) is likewise
a value the tool cannot see.
"""

from __future__ import annotations

import re
from typing import Any

_WHOLE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])(.*))?\}$", re.DOTALL)
_SOPS_VALUE = re.compile(r"^ENC\[[A-Z0-9_]+,data:.*\]$", re.DOTALL)
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOLS = {"true": True, "false": False}


def is_unresolved(value: Any) -> bool:
    """A value that is only a substitution variable without a default, or SOPS ciphertext."""
    if not isinstance(value, str):
        return False
    match = _WHOLE.match(value.strip())
    return (match is not None and match.group(2) is None) or _SOPS_VALUE.match(value.strip()) is not None


def substituted(node: Any) -> Any:
    """A copy of `node` where every string that is a whole `${VAR<op>default}` becomes its default,
    typed as YAML would type it after Flux's text substitution (`${R:=2}` → 2)."""
    if isinstance(node, dict):
        return {k: substituted(v) for k, v in node.items()}
    if isinstance(node, list):
        return [substituted(v) for v in node]
    if isinstance(node, str):
        match = _WHOLE.match(node.strip())
        if match is not None and match.group(2) is not None:
            return _scalar(match.group(3))
    return node


def _scalar(text: str) -> Any:
    stripped = text.strip()
    if _INT.match(stripped):
        return int(stripped)
    if _FLOAT.match(stripped):
        return float(stripped)
    if stripped.lower() in _BOOLS:
        return _BOOLS[stripped.lower()]
    return text
