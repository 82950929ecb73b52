"""Commands in CI files and scripts that change a cluster directly (`kubectl apply`, `helm upgrade`…).

Line-based: each line is split into shell segments (`|`, `;`, `&&`, `||`) and a segment counts when a
cluster-writing command starts it (after optional flags such as `kubectl -n ns apply`). Not counted:
comments, `--dry-run` segments, read-only commands (`kubectl diff`, `kubectl kustomize`, `helm template`,
`helm lint`, `rollout status`), `echo`/`printf` text and step names, node administration (`kubectl
label/taint node`), `kubectl create token`, and the bootstrap of the operator or its decryption key. Commands that run against a
throw-away cluster (kind, k3d, minikube: an end-to-end test) are not pushes to a real cluster: the
caller drops them per GitHub Actions job, or per file elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_FLAGS = r"(?:\s+--?\w[\w.-]*(?:=\S+|\s+(?!-)[^\s|;&]+)?)*"
WRITES = (
    (
        "kubectl",
        rf"(?:^|[\s@(`'\"-])(kubectl|oc){_FLAGS}\s+(apply|create|replace|patch|delete|scale|set|edit|"
        r"label|annotate|rollout\s+(?:restart|undo|pause|resume))\b",
    ),
    ("helm", rf"(?:^|[\s@(`'\"-])(helm3?){_FLAGS}\s+(upgrade|install|uninstall|rollback|delete)\b"),
    ("other", rf"(?:^|[\s@(`'\"-])(skaffold){_FLAGS}\s+(run|deploy)\b"),
    ("other", rf"(?:^|[\s@(`'\"-])(helmfile){_FLAGS}\s+(apply|sync|destroy)\b"),
    ("other", rf"(?:^|[\s@(`'\"-])(kapp){_FLAGS}\s+(deploy|delete)\b"),
)
_WRITES = [(group, re.compile(pattern)) for group, pattern in WRITES]
_SEGMENT = re.compile(r"\|\|?|;|&&")
_DRY_RUN = re.compile(r"--dry-run(?!=none)\b")
_TEXT_KEY = re.compile(r"^\s*-?\s*(name|description|title|displayName|summary)\s*:")
_ECHO = re.compile(r"^\s*(echo|printf|log|info|warn)\b")
# not drift: node administration, short-lived tokens, and the bootstrap of the operator (Argo CD, Flux)
# or of its decryption key (the SOPS age/GPG key Secret), which only a person or an installer can do
NOT_DRIFT = re.compile(
    r"(?i)(\b(?:label|annotate|taint)\s+(?:--?\S+\s+)*(?:nodes?\b|node/)|\bcreate\s+token\b"
    r"|\bargo-?cd\b|argoproj/argo|\bflux(?:cd|-system)?\b|gotk-components"
    r"|\bsops[-_](?:age|gpg|key)|\.agekey\b|\bage[-_.]key\b|sops\.asc\b|--from-file=\S*\.asc\b)"
)
EPHEMERAL = re.compile(
    r"(?i)\b(kind\s+create\s+cluster|k3d\s+cluster\s+create|minikube\s+start|kind-action|setup-kind|"
    r"k3d-action|setup-k3d|setup-minikube|k3s-action|microk8s)\b"
)


@dataclass(frozen=True)
class Command:
    """A cluster-changing command found on a line (1-based line and column)."""

    line: int
    column: int
    name: str  # e.g. "kubectl apply" (tool and verb only: never the rest of the line)


def comment_style(path: str) -> str:
    """`//` for Groovy (Jenkinsfile), `#` for everything else we scan."""
    return "//" if path.rsplit("/", 1)[-1].startswith("Jenkinsfile") or path.endswith(".groovy") else "#"


def _strip_comment(line: str, style: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(style) or (style == "//" and stripped.startswith(("/*", "*"))):
        return ""
    cut = re.search(r"\s" + re.escape(style), line)
    return line[: cut.start()] if cut else line


def scan(text: str, style: str = "#", first_line: int = 1, last_line: int | None = None) -> Iterator[Command]:
    """Cluster-changing commands in `text` between two 1-based lines (inclusive)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        if number < first_line or (last_line is not None and number > last_line):
            continue
        line = _strip_comment(raw, style)
        if not line.strip() or _TEXT_KEY.match(line) or NOT_DRIFT.search(line):
            continue
        start = 0
        for segment in _SEGMENT.split(line):
            offset = line.index(segment, start) if segment else start
            start = offset + len(segment)
            if _ECHO.match(segment) or _DRY_RUN.search(segment):
                continue
            for _group, pattern in _WRITES:
                hit = pattern.search(segment)
                if hit:
                    verb = " ".join(hit.group(2).split())
                    yield Command(number, offset + hit.start(1) + 1, f"{hit.group(1)} {verb}")
                    break
