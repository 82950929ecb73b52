"""YAML-level rules: the loader's violations (syntax, duplicate keys, unsafe content: each card says which
kinds it `reports`), and Kubernetes identity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from gitops_lint.core.findings import Severity, Violation
from gitops_lint.core.source import UnsafePath
from gitops_lint.deploy.file_roles import judged
from gitops_lint.model.file_roles import Role, declined_files, static_role

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext


def _manifest_like(doc) -> bool:
    """Documents that mean to be Kubernetes objects: a kind, or an apiVersion with metadata.
    Tool configuration in dot-files (`.sops.yaml`, `.fluxschema.yml`…) is never a manifest."""
    if any(part.startswith(".") for part in doc.path.split("/")):
        return False
    data = doc.data
    return "kind" in data or ("apiVersion" in data and "metadata" in data)


def loader_violations(ctx: CheckContext) -> Iterator[Violation]:
    """The loader's violations of the kinds the card `reports` (syntax errors, duplicate keys…), except in
    test fixtures (`testdata/…-broken.yaml` is broken on purpose: the input of a test of the error path).

    The key ends with the rule id, as it always has: fingerprints (and baselines) stay stable."""
    yield from (v for v in _loader_violations(ctx) if not _test_fixture(ctx, v.path))


def _test_fixture(ctx: CheckContext, path: str) -> bool:
    """A file under a test-fixture directory. A file only *named* like an invalid example is still
    reported: its name is a guess, the parse error is certain."""
    role = static_role(ctx.repo, path)
    return role.role == Role.FIXTURE and not role.by_name


def _loader_violations(ctx: CheckContext) -> Iterator[Violation]:
    kinds = set(ctx.card.reports)
    for v in ctx.repo.load_violations:
        if v.kind in kinds:
            yield replace(v, key=f"{v.key}:{ctx.card.id}")


def unsafe_content(ctx: CheckContext) -> Iterator[Violation]:
    """GL307: oversized, binary, non-UTF-8, alias-bomb or too-deep files, and unreadable links. A file over
    the tool's own size or nesting limit is one `info` finding "not checked": the limit is the tool's,
    and no other rule reports on the file (GL205, GL305 stay silent about what it would have held)."""
    declined = declined_files(ctx.repo)
    for v in _loader_violations(ctx):
        if v.path in declined:
            reason = v.message.removesuffix("; not parsed")
            message = f"not checked: {reason} (the tool's limit; raise `limits` in the config to check it)"
            yield replace(v, message=message, severity=Severity.INFO)
        else:
            yield v
    for u in ctx.repo.unsafe:
        if not u.escapes:
            yield _unsafe(u)


def _unsafe(u: UnsafePath) -> Violation:
    return Violation(u.path, f"{u.reason}; not read", key=f"link:{u.reason}")


def missing_identity(ctx: CheckContext) -> Iterator[Violation]:
    """GL303: a manifest-like document without apiVersion, kind or metadata.name."""
    for doc in ctx.documents():
        data = doc.data
        if not _manifest_like(doc) or not judged(ctx.repo, doc.path):
            continue
        if data.get("kind") in ("Kustomization", "Component") and str(data.get("apiVersion", "")).startswith(
            "kustomize.config.k8s.io"
        ):
            continue  # a kustomization under another file name is still not a Kubernetes object
        missing = [k for k in ("apiVersion", "kind") if not isinstance(data.get(k), str) or not data.get(k)]
        metadata = data.get("metadata")
        has_name = isinstance(metadata, dict) and (metadata.get("name") or metadata.get("generateName"))
        if not has_name and not str(data.get("kind", "")).endswith("List"):
            missing.append("metadata.name")
        if missing:
            where = doc.position(("metadata",)) if "metadata.name" in missing and "metadata" in data else doc.start
            yield Violation(
                doc.path,
                f"{doc.ref} has no {', '.join(missing)}; every manifest needs apiVersion, kind and metadata.name",
                where,
                resource=doc.ref,
                key=f"{doc.index}:{','.join(missing)}",
            )

