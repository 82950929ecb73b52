"""Values that stand in for a secret without being one: the placeholder vocabulary of GL601–GL605.

`dummy`, `changeme`, `your-api-key-here`, `sk-noauth` (the key a local model server ignores),
`xxxxxx`, `bbbbbbbb`, `<redacted>`, and one-way password hashes (bcrypt `$2a$…`, `$argon2id$…`, crypt `$6$…`),
which configuration such as Argo CD's `admin.password` is meant to hold, and timestamps. References and templates
(`${VAR}`, `{{ … }}`, `<path:…>`, `vault:…`) are recognised beside this, in `sops.is_reference`.
"""

from __future__ import annotations

import re

# a word of the value that makes it a placeholder wherever it appears (`dummy-token`, `changeme123`)
PLACEHOLDER_WORDS = frozenset("dummy changeme changeit replaceme placeholder redacted".split())
PLACEHOLDER_VALUES = PLACEHOLDER_WORDS | frozenset("tbd todo fixme notset unset none null nil".split())
_WORDS = re.compile(r"[a-z]+")
_YOUR_HERE = re.compile(r"^(?:your[-_ ]?|(?:insert|enter|put)[-_ ]).*(?:here|key|token|password|secret)$")
_NO_AUTH_KEY = re.compile(r"^sk-(?:no|none|noauth|no-?key|dummy|xxx+|local|placeholder|ignored?)(?:[-_][a-z]+)*$")
_FILLER = re.compile(r"^(?:x{3,}|\*{3,}|\.{3,}|-{3,}|_{3,}|0{6,}|([a-z])\1{5,})$")  # `bbbbbbbb`: one letter
_PASSWORD_HASH = re.compile(
    r"^(?:\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}"        # bcrypt
    r"|\$argon2(?:id|i|d)\$[^\s]+"                   # argon2
    r"|\$(?:1|5|6|y|sha1|pbkdf2-sha\d+)\$[^\s]+"      # crypt(3): md5, sha256, sha512, yescrypt, pbkdf2
    r"|\{(?:SSHA|SHA|SSHA256|SSHA512|PBKDF2[-_A-Z0-9]*)\}[A-Za-z0-9+/=.$]+)$"  # LDAP / htpasswd schemes
)


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$")


def is_placeholder(value: str) -> bool:
    """Whether a value is a stand-in for a secret (or a one-way hash of one) rather than a credential."""
    text = value.strip().strip("'\"").strip()
    lower = text.lower()
    if not lower:
        return True
    squashed = re.sub(r"[-_.\s]", "", lower)
    if any(word in PLACEHOLDER_WORDS for word in _WORDS.findall(lower)) or squashed in PLACEHOLDER_VALUES:
        return True
    if any(squashed.startswith(word) for word in ("changeme", "replaceme", "dummy", "placeholder")):
        return True
    return bool(
        _YOUR_HERE.match(lower)
        or _NO_AUTH_KEY.match(lower)
        or _FILLER.match(lower)
        or _PASSWORD_HASH.match(text)
        or _TIMESTAMP.match(text)  # `admin.passwordMtime`: when a password changed, never a credential
    )
