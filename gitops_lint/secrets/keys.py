"""Keyword judgement for GL602: is a `Secret Keyword` hit a credential, or a key that *names* one?

Kubernetes and Helm configuration is full of secret-sounding keys whose values are references:
`secretName: web-tls`, `existingSecret: grafana-admin`, `passwordKey: admin-password`,
`secretKeyRef`, `tls: [{secretName: …}]`. These helpers find the key a value is assigned to on a
line and decide from its name (and the shape of the value) whether the value can be a secret.
"""

from __future__ import annotations

import re

_LEADING_KEY = re.compile(
    r"^\s*(?:-\s+)?(?:export\s+)?[\"']?([A-Za-z0-9_.\-/]+)[\"']?\s*(?::=|=>|=|:(?=\s|$))"
)


_KEY_BEFORE = re.compile(
    r"(?<![/:\w.\-])([A-Za-z0-9_.\-/]+)[\"'\]]{0,2}\s*(?::=|=>|==|!=|=|:)\s*[@\"'`]?\s*$"
)


def line_key(line: str, secret: str) -> tuple[str | None, bool]:
    """The key the line assigns (its leading key, else the one just before the secret), unless it
    contains (part of) the secret: then (None, True)."""
    return _safe_key(
        _LEADING_KEY.match(_head(line, secret)) or _KEY_BEFORE.search(_head(line, secret)), secret
    )


def nearest_key(line: str, secret: str) -> str | None:
    """The key directly before the secret (`--password=` in `args: --password=x`), for keyword judgement."""
    head = _head(line, secret)
    m = _KEY_BEFORE.search(head) or _LEADING_KEY.match(head)
    return m.group(1) if m else None


def _head(line: str, secret: str) -> str:
    start = line.rfind(secret) if secret else -1  # the value comes after its key
    return line[:start] if start >= 0 else line


def _safe_key(m: re.Match | None, secret: str) -> tuple[str | None, bool]:
    if m is None:
        return None, False
    key = m.group(1)
    if secret and (secret in key or key in secret):
        return None, True
    return key, False


# a key holds a credential when its name ends with one of these (after an optional qualifier below);
# any other key (`secretName`, `passwordFile`, `secretsStoreCsiDriver`, `passwordKey`…) names or
# configures a secret
CREDENTIAL_ENDINGS = tuple(
    (
        "apikey authkey servicekey accountkey dbkey databasekey privkey privatekey clientkey secretkey accesskey "
        "signingkey encryptionkey masterkey password passwd pwd pass secret token credential credentials contrasena"
    ).split()
)
_QUALIFIER = re.compile(
    r"(?:value|plain|plaintext|raw|prod|production|dev|development|staging|stage|test|qa|\d+)$"
)


REFERENCE_PREFIXES = ("existing", "use", "create", "generate", "external", "k8s", "kube")


_DNS_NAME = re.compile(r"^(?:[a-z0-9][-a-z0-9.]*/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")  # [namespace/]name


_KEY_WORDS = frozenset(
    ("password", "passwd", "pwd", "secret", "token", "apikey", "api-key", "api_key", "key", "pass")
)


def _names_a_key(value: str) -> bool:
    """`password`, `admin-password`, `api-key`: a lower-case name ending in a credential word."""
    text = value.strip()
    parts = re.split(r"[-_.]", text.lower())
    return bool(re.fullmatch(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*", text)) and parts[-1] in _KEY_WORDS


def _named_after_key(norm_key: str, value: str) -> bool:
    """`authKey: auth`: a lower-case value that is part of its own key's name names that key."""
    text = value.strip()
    return len(text) >= 3 and bool(re.fullmatch(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*", text)) and \
        re.sub(r"[^a-z0-9]", "", text) in norm_key


def keyword_is_reference(key: str | None, value: str) -> bool:
    """Whether a `Secret Keyword` hit names a secret (or configures one) rather than holding it."""
    if value.strip().lower() in ("true", "false", "yes", "no", "on", "off", "null", "none", "~", "nil"):
        return True
    if re.search(r"\s", value.strip()):
        return True  # prose (comments, descriptions, docs): credentials do not contain spaces
    if re.fullmatch(r"[0-9.]+[a-z]{0,2}", value.strip()):  # lengths, durations, sizes
        return True
    if key is None:
        return True  # no assignment on the line (prose, code): not a configuration value
    norm = re.sub(r"[^a-z0-9]", "", key.lower().rsplit(".", 1)[-1].rsplit("/", 1)[-1])
    if norm.startswith(REFERENCE_PREFIXES):
        return True
    if norm.endswith("key") and (_names_a_key(value) or _named_after_key(norm, value)):
        return True  # `secretKey: password`, `passwordKey: admin-password`, `authKey: auth`: a key's name
    stem = _QUALIFIER.sub("", norm) or norm
    if stem.endswith(CREDENTIAL_ENDINGS):
        # `tlsSecret: web-tls`, `adminSecret: grafana-admin`: a Kubernetes object name, not a value
        return stem.endswith("secret") and "-" in value and bool(_DNS_NAME.match(value))
    return True
