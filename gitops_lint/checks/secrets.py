"""Secret rules (GL601–GL605). No message, key or fingerprint ever carries a secret value: findings
name the object, the key and (GL602) the detector only.

Sealed Secrets, External Secrets, the CSI secrets store and SOPS are the safe paths.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitops_lint.core.findings import FILE_START, Position, Violation
from gitops_lint.core.loader import Document, parse_text
from gitops_lint.deploy.file_roles import explain
from gitops_lint.model.kustomizations import is_kustomization_file
from gitops_lint.model.workloads import POD_SPEC_PATHS, Workload, source_locator
from gitops_lint.secrets import sops
from gitops_lint.secrets.scan import GENERATOR_FIELDS, REFERENCE_KINDS, scan_repository

if TYPE_CHECKING:
    from gitops_lint.lint.engine import CheckContext

SECRET_FIELDS = ("data", "stringData")
SAFE_KINDS = REFERENCE_KINDS  # sealed, external, CSI and vault-operator objects hold no plaintext


# Argo CD declarative repository/cluster Secrets: these fields are settings, not credentials
ARGOCD_SECRET_TYPE = "argocd.argoproj.io/secret-type"
ARGOCD_PUBLIC_KEYS = frozenset(
    "url type name project server namespaces clusterResources enableOCI insecure insecureIgnoreHostKey "
    "enableLfs forceHttpBasicAuth proxy noProxy githubAppID githubAppInstallationID "
    "githubAppEnterpriseBaseUrl".split()
)


def _names(keys: list[str], limit: int = 3) -> str:
    shown = ", ".join(str(k) for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def is_secret(doc: Document) -> bool:
    return doc.kind == "Secret" and doc.api_version in ("v1", "")


# -- GL601 ------------------------------------------------------------------------------------------
def plaintext_keys(doc: Document) -> list[tuple[str, str]]:
    """(field, key) of a Secret's data/stringData entries that hold a real value (not empty,
    a placeholder, a reference or SOPS ciphertext)."""
    out = []
    labels = doc.get("metadata", "labels")
    public = ARGOCD_PUBLIC_KEYS if isinstance(labels, dict) and ARGOCD_SECRET_TYPE in labels else frozenset()
    for name in SECRET_FIELDS:
        entries = doc.data.get(name)
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            if key in public or sops.is_empty_or_reference(value, base64_encoded=name == "data"):
                continue
            out.append((name, str(key)))
    return out


def secret_plaintext(ctx: CheckContext) -> Iterator[Violation]:
    """GL601: a Secret whose data/stringData is committed in plaintext (not SOPS-encrypted)."""
    for doc in ctx.documents():
        if not is_secret(doc) or sops.metadata(doc.data) is not None or not explain(ctx.repo, doc.path).is_configuration:
            continue  # SOPS files are judged by GL604
        keys = plaintext_keys(doc)
        if not keys:
            continue
        first_field, first_key = keys[0]
        yield Violation(
            doc.path,
            f"{doc.ref} holds plaintext values for {_names([k for _f, k in keys])} in "
            f"{'/'.join(sorted({f for f, _k in keys}))}; encrypt it with SOPS or use a SealedSecret or "
            "ExternalSecret",
            doc.position((first_field, first_key), key=True),
            resource=doc.ref,
            environment=ctx.repo.environment_of(doc.path),
            key="plaintext",
        )


# -- GL602 ------------------------------------------------------------------------------------------
def secret_detected(ctx: CheckContext) -> Iterator[Violation]:
    """GL602: credentials found by detect-secrets in any tracked text file (Kubernetes-aware filtering)."""
    yield from scan_repository(ctx.repo, ctx.options, ctx.owns)


# -- GL603 ------------------------------------------------------------------------------------------
def secret_generator_literal(ctx: CheckContext) -> Iterator[Violation]:
    """GL603: kustomize secretGenerator literals, or generator files/envs holding plaintext."""
    repo = ctx.repo
    for directory in sorted(repo.kustomizations):
        k = repo.kustomizations[directory]
        if not ctx.owns(k.path):
            continue
        env = repo.environment_of(directory)
        generators = k.data.get("secretGenerator")
        for i, gen in enumerate(generators if isinstance(generators, list) else []):
            if not isinstance(gen, dict) or not isinstance(gen.get("literals"), list):
                continue
            bad = [
                (j, lit.split("=", 1)[0])
                for j, lit in enumerate(gen["literals"])
                if isinstance(lit, str) and not _literal_is_safe(lit)
            ]
            if bad:
                name = gen.get("name") or "?"
                yield Violation(
                    k.path,
                    f"secretGenerator {name} has plaintext literals for {_names([key for _j, key in bad])}; "
                    "generate it from a SOPS-encrypted file or use an ExternalSecret",
                    k.position("secretGenerator", i, "literals", bad[0][0]),
                    environment=env,
                    key=f"literals:{name}",
                )
        for ref in k.refs(*GENERATOR_FIELDS):
            if ref.target is None or not repo.tree.is_file(ref.target):
                continue  # remote, escaping or missing: GL201/GL202
            if _file_is_plaintext(repo, ref.target, dotenv=ref.field != "secretGenerator.files"):
                yield Violation(
                    k.path,
                    f"secretGenerator reads {ref.target}, which is not SOPS-encrypted; encrypt it with SOPS "
                    "or use an ExternalSecret",
                    ref.position,
                    environment=env,
                    key=f"file:{ref.target}",
                )


def _literal_is_safe(literal: str) -> bool:
    _key, sep, value = literal.partition("=")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return not sep or sops.is_empty_or_reference(value)


def _file_is_plaintext(repo, path: str, dotenv: bool) -> bool:
    if is_sops_file(repo, path):
        return False
    text = repo.text(path)
    if text is None:
        return True  # binary content (keystores, certificates): plaintext secret material
    if dotenv:
        return any(not sops.is_empty_or_reference(v) for _n, _k, v in sops.dotenv_pairs(text))
    if _PUBLIC_PEM.sub("", text).strip() == "" or path.endswith((".pub", "known_hosts")):
        return False  # certificates, public keys, known hosts: public material beside the secret
    return not sops.is_empty_or_reference(text)


_PUBLIC_PEM = re.compile(
    r"-----BEGIN (CERTIFICATE|PUBLIC KEY|X509 CRL|TRUSTED CERTIFICATE)-----.*?-----END \1-----", re.S
)


def is_sops_file(repo, path: str) -> bool:
    """Whether a file is SOPS-encrypted (YAML/JSON `sops` metadata, dotenv/ini `sops_mac`)."""
    parsed = repo.parsed(path)
    if parsed is not None:
        return any(sops.metadata(d.data) is not None for d in parsed.documents)
    text = repo.text(path)
    return text is not None and sops.is_sops_text(text)


# -- GL604 ------------------------------------------------------------------------------------------
def secret_sops_partial(ctx: CheckContext) -> Iterator[Violation]:
    """GL604: SOPS files with plaintext values the encryption rules cover, or without metadata/MAC;
    plain files that a specific `.sops.yaml` creation rule says must be encrypted."""
    repo = ctx.repo
    rules = sops.creation_rules(repo)
    for path in repo.files:
        if not ctx.owns(path) or posixpath.basename(path) in (*sops.SOPS_CONFIG_NAMES, ".secrets.baseline"):
            continue
        parsed = repo.parsed(path)
        if parsed is None and path.endswith(".json"):
            text = repo.text(path)
            parsed = parse_text(path, text) if text and "ENC[" in text else None
        if parsed is not None:
            yield from _sops_yaml(repo, parsed.documents, sops.rule_for(rules, path), path)
        elif path.endswith((".env", ".ini")) or posixpath.basename(path).startswith(".env"):
            yield from _sops_dotenv(repo, path)


def _sops_yaml(repo, docs: list[Document], rule, path: str) -> Iterator[Violation]:
    env = repo.environment_of(path)
    encrypted_file = any(sops.metadata(d.data) is not None for d in docs)
    for doc in docs:
        meta = sops.metadata(doc.data)
        where = doc.ref if doc.kind else path
        if meta is None:
            if sops.contains_encrypted(doc.data) and not encrypted_file:
                yield Violation(
                    path,
                    f"{where} holds SOPS ciphertext but no sops metadata, so it cannot be "
                    "decrypted; re-encrypt the file with sops",
                    doc.start,
                    resource=_res(doc),
                    environment=env,
                    key=f"no-metadata:{doc.index}",
                )
            elif (
                rule is not None
                and not rule.catch_all
                and not encrypted_file
                and _should_be_encrypted(doc, rule)
            ):
                yield Violation(
                    path,
                    f"{where} matches the .sops.yaml creation rule {rule.path_regex!r} but is not "
                    "encrypted; run `sops --encrypt --in-place` on it",
                    doc.start,
                    resource=_res(doc),
                    environment=env,
                    key=f"unencrypted:{doc.index}",
                )
            continue
        if not sops.has_mac(meta):
            yield Violation(
                path,
                f"{where} has sops metadata without a MAC, so tampering goes unnoticed; "
                "re-encrypt the file with sops",
                doc.position(("sops",), key=True),
                resource=_res(doc),
                environment=env,
                key=f"no-mac:{doc.index}",
            )
        leaves = list(sops.plaintext_leaves(doc.data, sops.Selection.from_mapping(meta)))
        if leaves:
            keys = [".".join(str(p) for p in leaf) for leaf in leaves]
            yield Violation(
                path,
                f"{where} is SOPS-encrypted but leaves {_names(keys)} in plaintext although its "
                "encryption rules cover them; re-encrypt with sops",
                doc.position(leaves[0], key=True),
                resource=_res(doc),
                environment=env,
                key=f"partial:{doc.index}:{','.join(keys)}",
            )


def _res(doc: Document) -> str | None:
    return doc.ref if doc.kind else None


def _should_be_encrypted(doc: Document, rule) -> bool:
    if doc.kind in SAFE_KINDS or is_secret(doc) or is_kustomization_file(doc.path):
        return False  # Secrets are GL601's; sealed/external ones are safe by design
    return any(True for _ in sops.plaintext_leaves(doc.data, rule.selection))


def _sops_dotenv(repo, path: str) -> Iterator[Violation]:
    text = repo.text(path)
    if not text or "sops_" not in text:
        return
    meta = sops.dotenv_metadata(text)
    env = repo.environment_of(path)
    if not meta.get("mac"):
        yield Violation(
            path,
            f"{path} has sops metadata without a MAC; re-encrypt the file with sops",
            FILE_START,
            environment=env,
            key="no-mac",
        )
    selection = sops.Selection.from_mapping(meta)
    bad = [
        (n, k)
        for n, k, v in sops.dotenv_pairs(text)
        if not k.startswith("sops_") and v and selection.encrypts((k,)) and not sops.is_encrypted_value(v)
    ]
    if bad:
        yield Violation(
            path,
            f"{path} is SOPS-encrypted but leaves {_names([k for _n, k in bad])} in plaintext; "
            "re-encrypt with sops",
            Position(bad[0][0], 1),
            environment=env,
            key="partial:" + ",".join(k for _n, k in bad),
        )


# -- GL605 ------------------------------------------------------------------------------------------
def secret_inline_env(ctx: CheckContext) -> Iterator[Violation]:
    """GL605: credential-named env vars with a literal `value:` instead of `valueFrom.secretKeyRef`."""
    patterns = [p.upper() for p in ctx.option("names")]
    ignored = [p.upper() for p in ctx.option("ignore_names")]
    repo = ctx.repo
    for doc in ctx.documents():
        if doc.kind not in POD_SPEC_PATHS or not explain(repo, doc.path).is_configuration:
            continue
        w = Workload(doc.data, None, source_locator(doc))
        env = repo.environment_of(doc.path)
        for path, container, _init in w.containers():
            entries = container.get("env")
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                if (
                    not isinstance(entry, dict)
                    or not isinstance(entry.get("name"), str)
                    or "value" not in entry
                ):
                    continue
                name = entry["name"]
                upper = name.upper()
                if not any(fnmatch.fnmatchcase(upper, p) for p in patterns):
                    continue
                if any(fnmatch.fnmatchcase(upper, p) for p in ignored) or _harmless_env_value(entry["value"]):
                    continue
                cname = container.get("name", "?")
                yield Violation(
                    doc.path,
                    f"{doc.ref} container {cname}: env {name} has a literal value; take it from a Secret with "
                    "valueFrom.secretKeyRef",
                    doc.position((*path, "env", i, "value"), key=True),
                    resource=doc.ref,
                    environment=env,
                    key=f"{cname}:{name}",
                )


def _harmless_env_value(value) -> bool:
    if not isinstance(value, str):
        return True  # null, booleans, numbers, structures
    text = value.strip()
    return (
        sops.is_empty_or_reference(text)
        or text.lower() in ("true", "false", "yes", "no", "none", "null")
        or text.isdigit()
        or re.fullmatch(r"\d+(?:ms|s|m|h|d)", text) is not None
        or text.startswith("/")
    )
