"""SOPS awareness: encrypted values, file metadata, `.sops.yaml` creation rules, and which leaves
SOPS would have encrypted (encrypted_regex / unencrypted_regex / encrypted_suffix / unencrypted_suffix).

Also the shared test for values that are references or placeholders rather than secrets
(`${VAR}`, `$(VAR)`, `vault:…`, `ref+…`, `<path:…>` …, and the placeholders of `placeholders.py`:
`dummy`, `changeme`, `your-…-here`, password hashes), used by every GL6xx rule.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitops_lint.model.repository import Repository

from gitops_lint.core.source import base_name
from gitops_lint.secrets.placeholders import is_placeholder

DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"
ENC_VALUE = re.compile(r"^ENC\[[A-Z0-9_]+,data:.*\]$", re.S)
_ENC_LOOSE = re.compile(r"^ENC\[.*\]$", re.S)
_REGEX_FIELDS = ("encrypted_regex", "unencrypted_regex", "encrypted_suffix", "unencrypted_suffix")
# values that point at a secret kept elsewhere, or that a tool substitutes later
_REFERENCE = re.compile(
    r"""^\s*(?:
        \$\{[^}]*\}                      # ${VAR} (Flux postBuild, envsubst, Terraform, Helm values)
      | \$\([^)]*\)                      # $(VAR) (Kubernetes dependent env vars)
      | \$[A-Za-z_][A-Za-z0-9_]*         # $VAR
      | \{\{.*\}\}                       # {{ template }}
      | <[^<>]+>                         # <path:...> (argocd-vault-plugin), <placeholder>
      | (?:vault|awssm|azkv|gcpsm|sm|ssm|secretsmanager|op|doppler|onepassword|bw):[^\s]*
      | ref\+[a-z0-9]+://[^\s]*          # vals references
      | (?:sm|awssm|gcpsm|azkv|vault|op|ssm|secretsmanager)://[^\s]*
      | arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):[^\s]*
      | projects/[^/\s]+/secrets/[^\s]+  # GCP Secret Manager resource name
      | [A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+    # SCREAMING_SNAKE placeholders substituted by scripts (API_KEY_VAL)
    )\s*$""",
    re.X | re.S,
)
_PLACEHOLDER_ANYWHERE = re.compile(r"\$\{[^}]+\}|\{\{[^}]*\}\}|<path:[^>]+>")


def is_encrypted_value(value: Any) -> bool:
    """A SOPS ciphertext (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`)."""
    return isinstance(value, str) and bool(_ENC_LOOSE.match(value.strip()))


def is_reference(value: Any) -> bool:
    """A value that names a secret kept elsewhere or a placeholder substituted later (never a secret)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if not text:
        return True
    if _REFERENCE.match(text) or is_encrypted_value(text) or is_placeholder(text):
        return True
    # a value made only of placeholders and punctuation, e.g. `${USER}:${PASS}` or `postgres://${CREDS}@db`
    rest = _PLACEHOLDER_ANYWHERE.sub("", text)
    return rest != text and not re.search(r"[A-Za-z0-9]{6,}", rest)


def is_empty_or_reference(value: Any, base64_encoded: bool = False) -> bool:
    """Empty, null, a placeholder or a reference; with `base64_encoded`, also after decoding."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if is_reference(value):
        return True
    if base64_encoded:
        decoded = decode_base64(value)
        return decoded is not None and is_reference(decoded)
    return False


def decode_base64(value: str) -> str | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


# -- metadata -------------------------------------------------------------------------------------
def metadata(data: Any) -> dict | None:
    """The `sops` metadata mapping of a YAML/JSON document, if it has one."""
    if isinstance(data, dict) and isinstance(data.get("sops"), dict):
        return data["sops"]
    return None


def has_mac(meta: dict) -> bool:
    return isinstance(meta.get("mac"), str) and bool(meta["mac"].strip())


@dataclass(frozen=True)
class Selection:
    """Which keys SOPS encrypts: the regex/suffix options recorded in metadata or a creation rule."""

    encrypted_regex: str | None = None
    unencrypted_regex: str | None = None
    encrypted_suffix: str | None = None
    unencrypted_suffix: str | None = None
    comment_based: bool = False  # encrypted_comment_regex / unencrypted_comment_regex: not judged

    @classmethod
    def from_mapping(cls, meta: dict) -> Selection:
        values = {
            f: meta.get(f) if isinstance(meta.get(f), str) and meta.get(f) else None for f in _REGEX_FIELDS
        }
        comment = any(meta.get(f) for f in ("encrypted_comment_regex", "unencrypted_comment_regex"))
        if not any(values.values()) and not comment:
            values["unencrypted_suffix"] = DEFAULT_UNENCRYPTED_SUFFIX
        return cls(**values, comment_based=bool(comment))

    def encrypts(self, keys: tuple[str, ...]) -> bool:
        """Whether SOPS encrypts a leaf reached through these mapping keys (sops' tree walk)."""
        encrypted = True
        if self.unencrypted_suffix and any(k.endswith(self.unencrypted_suffix) for k in keys):
            encrypted = False
        if self.encrypted_suffix:
            encrypted = any(k.endswith(self.encrypted_suffix) for k in keys)
        if self.unencrypted_regex and any(_search(self.unencrypted_regex, k) for k in keys):
            encrypted = False
        if self.encrypted_regex:
            encrypted = any(_search(self.encrypted_regex, k) for k in keys)
        return encrypted


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def plaintext_leaves(data: dict, selection: Selection) -> Iterator[tuple]:
    """Paths of leaves SOPS should have encrypted but that hold plaintext (empty/null leaves excluded)."""
    if selection.comment_based:
        return

    def walk(node: Any, path: tuple, keys: tuple[str, ...]) -> Iterator[tuple]:
        if isinstance(node, dict):
            for k, v in node.items():
                if not path and k == "sops":
                    continue
                yield from walk(v, (*path, k), (*keys, str(k)))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, (*path, i), keys)
        elif node is None or node == "":
            return
        elif selection.encrypts(keys) and not is_encrypted_value(node):
            yield path

    yield from walk(data, (), ())


def contains_encrypted(node: Any) -> bool:
    if isinstance(node, dict):
        return any(contains_encrypted(v) for v in node.values())
    if isinstance(node, list):
        return any(contains_encrypted(v) for v in node)
    return is_encrypted_value(node)


# -- dotenv / ini files -----------------------------------------------------------------------------
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")


def dotenv_pairs(text: str) -> Iterator[tuple[int, str, str]]:
    """(1-based line, key, value) of `KEY=value` lines; comments and blanks skipped."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _DOTENV_LINE.match(line)
        if m:
            value = m.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            yield number, m.group(1), value


def dotenv_metadata(text: str) -> dict:
    """SOPS metadata of a dotenv file (`sops_mac=…`, `sops_unencrypted_suffix=…`)."""
    return {k[len("sops_") :]: v for _n, k, v in dotenv_pairs(text) if k.startswith("sops_")}


def is_sops_text(text: str) -> bool:
    """Whether non-YAML text looks SOPS-encrypted (dotenv/ini `sops_mac`, JSON `"sops"`, binary `data`)."""
    return "ENC[" in text and ("sops_mac" in text or '"sops"' in text or "[sops]" in text)


def is_encrypted_file(repo: Repository, path: str) -> bool:
    """Whether a file carries SOPS metadata (a `sops` mapping with a MAC, or dotenv `sops_mac=`)."""
    parsed = repo.parsed(path)
    if parsed is not None:
        return any(
            (meta := metadata(d.data)) is not None and ("mac" in meta or "ENC[" in (parsed.text or ""))
            for d in parsed.documents
        )
    if not path.endswith((".env", ".json", ".ini", ".txt")) and "." in path.rsplit("/", 1)[-1]:
        return False
    text = repo.text(path) or ""
    return "ENC[" in text and ("sops_mac=" in text or '"sops"' in text)


# -- .sops.yaml creation rules ----------------------------------------------------------------------
@dataclass(frozen=True)
class CreationRule:
    directory: str  # directory of the .sops.yaml (path_regex is relative to it)
    path_regex: str | None
    selection: Selection

    def matches(self, path: str) -> bool:
        rel = path[len(self.directory) + 1 :] if self.directory else path
        if self.directory and not path.startswith(self.directory + "/"):
            return False
        return self.path_regex is None or _search(self.path_regex, rel)

    @property
    def catch_all(self) -> bool:
        """A rule for every file (`.*`, `.*\\.yaml`): too broad to say a plain file should be encrypted."""
        probes = ("gitops-lint-probe/manifest.yaml", "a/b/deployment.yaml", "values.yaml")
        return self.path_regex is None or any(_search(self.path_regex, p) for p in probes)


SOPS_CONFIG_NAMES = (".sops.yaml", ".sops.yml")


def creation_rules(repo) -> list[CreationRule]:
    """Every `.sops.yaml` creation rule in the repository, nearest configuration first."""
    rules: list[CreationRule] = []
    configs = sorted(
        (f for f in repo.files if f.endswith(SOPS_CONFIG_NAMES) and base_name(f) in SOPS_CONFIG_NAMES),
        key=lambda f: -f.count("/"),
    )
    for path in configs:
        parsed = repo.parsed(path)
        doc = parsed.documents[0] if parsed and parsed.documents else None
        entries = doc.data.get("creation_rules") if doc is not None and isinstance(doc.data, dict) else None
        if not isinstance(entries, list):
            continue
        directory = posixpath.dirname(path)
        for entry in entries:
            if isinstance(entry, dict):
                regex = entry.get("path_regex") if isinstance(entry.get("path_regex"), str) else None
                rules.append(CreationRule(directory, regex, Selection.from_mapping(entry)))
    return rules


def rule_for(rules: list[CreationRule], path: str) -> CreationRule | None:
    """The creation rule SOPS would pick for a path (the first match of the nearest configuration)."""
    return next((r for r in rules if r.matches(path)), None)
