"""GL602: detect-secrets as a library over every tracked text file, Kubernetes-aware.

How a scan runs:
* Every tracked file is read once (`repo.text`), binary/lock/image files are skipped by name.
* Workers (a process pool over chunked batches of file contents, for large repos) instantiate the
  chosen detect-secrets plugins once. A file is first searched as a whole with each plugin's own
  regexes (MULTILINE); only lines where some plugin could match are handed to the plugins, then to
  detect-secrets' heuristic filters (templated values, `$VAR`, uuids, sequential strings, indirect
  references, `# pragma: allowlist secret`). The result equals a line-by-line scan, much faster.
* Workers drop values that are references or placeholders (`${VAR}`, `$(VAR)`, `vault:`, `ref+`,
  `sm://`, `awssm:`, `<path:…>`, SOPS `ENC[…]`) and keyword hits whose key names a secret rather than
  holding one (`secretName`, `existingSecret`, `passwordKey`, `secretRef`…).
* The parent maps hits in YAML files to the key path of their document and drops what other rules
  own or what is safe by construction: a Secret's data (GL601), SOPS metadata, SealedSecret
  ciphertext, ExternalSecret/SecretStore/SecretProviderClass specs (keyword hits), secretGenerator
  literals and generator files (GL603). Hits accepted by a detect-secrets `.secrets.baseline` are
  dropped by (file, type, hashed secret), as detect-secrets itself does.

Plugins: every built-in detector except the two high-entropy ones and public IPs. On GitOps YAML,
high-entropy strings are mostly image digests, commit SHAs in `targetRevision`, `caBundle`s and
checksums; a public IP is not a credential. Both entropy detectors can be enabled with the option
`high_entropy: true` (limits `base64_limit`, `hex_limit`). Verification (network) is never run.
The secret value never leaves a worker: hits carry its SHA-1 (for baseline matching) only.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from . import sops
from .findings import Position, Violation
from .kustomizations import is_kustomization_file
from .loader import Document

PARALLEL_LINES = 4000  # candidate lines; below this a process pool costs more than it saves
BASELINE_FILE = ".secrets.baseline"
NOISY_PLUGINS = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})
KEYWORD = "Secret Keyword"
REFERENCE_KINDS = frozenset(
    {
        "SealedSecret",
        "ExternalSecret",
        "ClusterExternalSecret",
        "PushSecret",
        "SecretStore",
        "ClusterSecretStore",
        "SecretProviderClass",
        "VaultStaticSecret",
        "VaultDynamicSecret",
        "VaultAuth",
        "OnePasswordItem",
        "InfisicalSecret",
        "DopplerSecret",
    }
)
SKIP_EXTENSIONS = frozenset(
    (
        ".7z .bin .bmp .bz2 .class .css .dmg .doc .eot .exe .gif .gz .ico .iml .ipr .iws .jar "
        ".jpg .jpeg .lock .map .mo .pdf .png .prefs .psd .rar .realm .s7z .sum .svg .tar .tif "
        ".tiff .ttf .webp .woff .woff2 .xls .xlsx .zip .tgz .pyc .so .dll"
    ).split()
)


@dataclass(frozen=True)
class ScanConfig:
    """What workers need (picklable, hashable): plugins with their options and exclusion regexes."""

    plugins: tuple[tuple[str, tuple[tuple[str, object], ...]], ...]
    exclude_lines: tuple[str, ...] = ()
    exclude_secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One detection, without the secret: its type, line, hash (baseline only) and the key on the line."""

    path: str
    line: int
    type: str
    hashed: str
    key: str | None  # the key on that line; None when there is none or it contains the secret
    key_unsafe: bool = False


# -- configuration (parent) -------------------------------------------------------------------------
def scan_config(options: dict, baseline: dict | None) -> ScanConfig:
    """Plugins chosen deliberately (see module doc), narrowed by the baseline's `plugins_used`."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes = sorted(c.__name__ for c in get_mapping_from_secret_type_to_class().values())
    chosen = [c for c in classes if c not in NOISY_PLUGINS]
    settings: dict[str, dict] = {c: {} for c in chosen}
    if options.get("high_entropy"):
        settings["Base64HighEntropyString"] = {"limit": float(options.get("base64_limit", 4.5))}
        settings["HexHighEntropyString"] = {"limit": float(options.get("hex_limit", 3.0))}
    exclude_lines, exclude_secrets = (
        list(options.get("exclude_lines", [])),
        list(options.get("exclude_secrets", [])),
    )
    if baseline:
        used = {p.get("name"): p for p in baseline.get("plugins_used", []) if isinstance(p, dict)}
        if used:  # a detector the team disabled stays disabled; custom (file://) plugins are never loaded
            settings = {
                name: {**opts, **_plugin_options(name, used[name])}
                for name, opts in settings.items()
                if name in used
            }
        for f in baseline.get("filters_used", []):
            if isinstance(f, dict) and isinstance(f.get("pattern"), list):
                if f.get("path") == "detect_secrets.filters.regex.should_exclude_line":
                    exclude_lines += f["pattern"]
                elif f.get("path") == "detect_secrets.filters.regex.should_exclude_secret":
                    exclude_secrets += f["pattern"]
    plugins = tuple((name, tuple(sorted(opts.items()))) for name, opts in sorted(settings.items()))
    return ScanConfig(plugins, tuple(exclude_lines), tuple(exclude_secrets))


def _plugin_options(name: str, entry: dict) -> dict:
    if name == "KeywordDetector" and entry.get("keyword_exclude"):
        return {"keyword_exclude": str(entry["keyword_exclude"])}
    return {}


def baseline_exclude_files(baseline: dict | None) -> list[re.Pattern]:
    out = []
    for f in (baseline or {}).get("filters_used", []):
        if isinstance(f, dict) and f.get("path") == "detect_secrets.filters.regex.should_exclude_file":
            out += [_compile(p) for p in f.get("pattern", []) if _compile(p) is not None]
    return out


def _compile(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except (re.error, TypeError):
        return None


def load_baseline(repo, name: str = BASELINE_FILE) -> dict | None:
    text = repo.text(name) if name in repo.files else None
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def accepted(baseline: dict | None) -> set[tuple[str, str, str]]:
    """(file, type, hashed secret) of every result the baseline accepts."""
    out = set()
    results = (baseline or {}).get("results")
    if isinstance(results, dict):
        for filename, entries in results.items():
            for e in entries if isinstance(entries, list) else []:
                if isinstance(e, dict):
                    name = str(filename)
                    out.add(
                        (
                            name[2:] if name.startswith("./") else name,
                            str(e.get("type")),
                            str(e.get("hashed_secret")),
                        )
                    )
    return out


# -- scanning (workers) -----------------------------------------------------------------------------
# Necessary conditions of each built-in detector's regexes, on lower-cased text: a line that matches
# none of them cannot produce a hit, so only matching lines are handed to detect-secrets. Detectors
# missing here (custom or future ones) fall back to their own regexes.
ANCHORS = {
    "ArtifactoryDetector": r"akc[a-z0-9]{10}|ap[0-9a-f][a-z0-9]{8}",
    "AWSKeyDetector": r"(?:a3t[a-z0-9]|abia|acca|akia|asia)[0-9a-z]{16}|aws",
    "AzureStorageKeyDetector": r"accountkey=",
    "BasicAuthDetector": r"://[^/@\s]+:[^/@\s]+@",
    "CloudantDetector": r"(?:cloudant|cl|clou)[_-]?(?:api)?(?:key|pw|pass|token)|\.cloudant\.com",
    "DiscordBotTokenDetector": r"\.[a-z\d_-]{6}\.[a-z\d_-]{27}",
    "GitHubTokenDetector": r"gh[pousr]_",
    "GitLabTokenDetector": r"glpat-|gldt-|glft-|glsoat-|glrt-|gr1348941|glcbt-",
    "IbmCloudIamDetector": r"(?:key|pwd|pass|token)[\"'\]= :>]*[a-z0-9_-]{44}",
    "IbmCosHmacDetector": r"secret[-_]?(?:access)?[-_]?key",
    "JwtTokenDetector": r"eyj",
    "MailchimpDetector": r"-us[0-9]",
    "NpmDetector": r"_authtoken",
    "OpenAIDetector": r"t3blbkfj",
    "PrivateKeyDetector": r"private key|putty-user-key-file-2",
    "PypiTokenDetector": r"pypi-ag",
    "SendGridDetector": r"sg\.[a-z0-9_-]{22}\.",
    "SlackDetector": r"xox[abposr]-|hooks\.slack\.com",
    "SoftlayerDetector": r"(?:softlayer|sl)[_-]?(?:api)?[_-]?(?:key|pw|pass|token)|api\.softlayer\.com",
    "SquareOAuthDetector": r"sq0csp-",
    "StripeDetector": r"[rs]k_live_",
    "TelegramBotTokenDetector": r"\d{8,10}:[0-9a-z_-]{35}",
    "TwilioKeyDetector": r"(?:ac|sk)[a-z0-9]{32}",
}


@dataclass
class _Engine:
    plugins: list
    line_anchors: list  # per plugin: its anchor on a lower-cased line, or None (always run)
    anchor: re.Pattern | None  # on lower-cased text
    anchor_i: re.Pattern | None  # the same, case-insensitive, for text whose lower() changes length
    fallback: list[re.Pattern]
    exclude_lines: list[re.Pattern]
    exclude_secrets: list[re.Pattern]


@lru_cache(maxsize=4)
def _engine(config: ScanConfig) -> _Engine:
    """Plugin instances and prefilter regexes, built once per process."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins import keyword

    by_name = {c.__name__: c for c in get_mapping_from_secret_type_to_class().values()}
    plugins = [by_name[name](**dict(opts)) for name, opts in config.plugins if name in by_name]
    anchors, fallback, line_anchors = [], [], []
    for plugin in plugins:
        name = type(plugin).__name__
        anchor = (
            "|".join(k.lower() for k in keyword.DENYLIST) if name == "KeywordDetector" else ANCHORS.get(name)
        )
        line_anchors.append(re.compile(anchor) if anchor else None)
        if anchor:
            anchors.append(anchor)
        elif hasattr(plugin, "denylist"):
            fallback += [re.compile(p.pattern, p.flags | re.M) for p in plugin.denylist]
        elif hasattr(plugin, "regex"):  # high-entropy strings
            fallback.append(re.compile(plugin.regex.pattern, plugin.regex.flags | re.M))
    joined = "|".join(f"(?:{a})" for a in anchors)
    return _Engine(
        plugins,
        line_anchors,
        re.compile(joined, re.M) if anchors else None,
        re.compile(joined, re.M | re.I) if anchors else None,
        fallback,
        [c for c in map(_compile, config.exclude_lines) if c is not None],
        [c for c in map(_compile, config.exclude_secrets) if c is not None],
    )


_NEWLINE = re.compile("\n")


def candidate_lines(text: str, patterns: Iterable[tuple[re.Pattern, str]]) -> set[int]:
    """0-based indexes of lines on which some pattern may match: after each hit the search restarts
    at the next line, so no line-local match is ever hidden behind a longer whole-text match."""
    found: set[int] = set()
    starts: list[int] | None = None
    for pattern, subject in patterns:
        pos = 0
        while True:
            m = pattern.search(subject, pos)
            if m is None:
                break
            if starts is None:
                starts = [0] + [n.end() for n in _NEWLINE.finditer(text)]
            index = bisect_right(starts, m.start()) - 1
            found.add(index)
            if index + 1 >= len(starts):
                break
            pos = starts[index + 1]
    return found


def _prefilter(engine: _Engine, text: str) -> set[int]:
    pairs: list[tuple[re.Pattern, str]] = [(p, text) for p in engine.fallback]
    if engine.anchor is not None:
        lower = text.lower()
        pairs.append((engine.anchor, lower) if len(lower) == len(text) else (engine.anchor_i, text))
    return candidate_lines(text, pairs)


def scan_text(config: ScanConfig, path: str, text: str, candidates: Iterable[int] | None = None) -> list[Hit]:
    """Hits of one file (the secret values stay inside this function); `candidates` are the
    prefiltered 0-based line indexes when the caller already computed them."""
    from detect_secrets.core.potential_secret import PotentialSecret
    from detect_secrets.filters import allowlist, heuristic
    from detect_secrets.util.code_snippet import get_code_snippet

    engine = _engine(config)
    plugins, exclude_lines, exclude_secrets = engine.plugins, engine.exclude_lines, engine.exclude_secrets
    candidates = _prefilter(engine, text) if candidates is None else candidates
    if not candidates:
        return []
    lines = text.splitlines()
    hits: list[Hit] = []
    for index in sorted(candidates):
        if index >= len(lines):
            continue
        line = lines[index].rstrip()
        if not line or heuristic.is_indirect_reference(line) or any(r.search(line) for r in exclude_lines):
            continue
        context = get_code_snippet(lines, index + 1)
        if allowlist.is_line_allowlisted(path, line, context):
            continue
        lower = line.lower()
        exact = len(lower) == len(line)
        for plugin, anchor in zip(plugins, engine.line_anchors, strict=True):
            if exact and anchor is not None and anchor.search(lower) is None:
                continue  # this detector cannot match the line
            for found in plugin.analyze_line(
                filename=path, line=line, line_number=index + 1, context=context
            ):
                secret = found.secret_value or ""
                if _filtered(secret, line, plugin) or any(r.search(secret) for r in exclude_secrets):
                    continue
                key, unsafe = line_key(line, secret)
                if plugin.secret_type == KEYWORD and keyword_is_reference(nearest_key(line, secret), secret):
                    continue
                hits.append(
                    Hit(path, index + 1, plugin.secret_type, PotentialSecret.hash_secret(secret), key, unsafe)
                )
    return hits


def _filtered(secret: str, line: str, plugin) -> bool:
    from detect_secrets.filters import heuristic

    return (
        heuristic.is_sequential_string(secret)
        or heuristic.is_potential_uuid(secret)
        or heuristic.is_likely_id_string(secret, line, plugin)
        or heuristic.is_templated_secret(secret)
        or heuristic.is_prefixed_with_dollar_sign(secret)
        or heuristic.is_not_alphanumeric_string(secret)
        or sops.is_reference(secret)
        or sops.is_reference(_value_after(line, secret))
    )


def _value_after(line: str, secret: str) -> str:
    """The whole value the secret sits in (`vault:secret/data/x#password` around a keyword hit)."""
    start = line.find(secret)
    if start < 0:
        return secret
    head = re.split(r"[:=]\s*[\"']?", line[:start])[-1] if re.search(r"[:=]", line[:start]) else ""
    tail = re.split(r"[\"'\s,}]", line[start + len(secret) :], maxsplit=1)[0]
    return (head + secret + tail).strip()


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


CREDENTIAL_ENDINGS = (
    "apikey",
    "authkey",
    "servicekey",
    "accountkey",
    "dbkey",
    "databasekey",
    "privkey",
    "privatekey",
    "clientkey",
    "secretkey",
    "accesskey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "token",
    "credential",
    "credentials",
    "contrasena",
)
REFERENCE_ENDINGS = (
    "name",
    "names",
    "ref",
    "refs",
    "reference",
    "key",
    "keys",
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "mount",
    "volume",
    "store",
    "provider",
    "selector",
    "namespace",
    "type",
    "kind",
    "enabled",
    "enable",
    "length",
    "policy",
    "id",
    "ids",
    "arn",
    "version",
    "template",
    "format",
    "hash",
    "algorithm",
    "rotation",
    "ttl",
    "expiry",
    "url",
    "uri",
    "endpoint",
    "header",
    "field",
    "env",
    "source",
    "size",
    "regex",
    "pattern",
    "label",
    "labels",
    "annotation",
    "annotations",
    "mode",
    "class",
    "prefix",
    "suffix",
    "required",
    "optional",
    "generator",
    "manager",
    "backend",
    "engine",
    "role",
    "method",
    "audience",
    "issuer",
    "scope",
    "scopes",
    "location",
    "resource",
    "create",
    "secrets",
    "keyref",
    "secretref",
    "user",
    "username",
)
REFERENCE_PREFIXES = ("existing", "use", "create", "generate", "external", "k8s", "kube")
_DNS_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


_KEY_WORDS = frozenset(
    ("password", "passwd", "pwd", "secret", "token", "apikey", "api-key", "api_key", "key", "pass")
)


def _names_a_key(value: str) -> bool:
    parts = re.split(r"[-_.]", value.strip().lower())
    return bool(re.fullmatch(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*", value.strip())) and bool(
        _KEY_WORDS & set(parts)
    )


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
    if norm.endswith("key") and _names_a_key(value):
        return True  # `secretKey: password`, `passwordKey: admin-password`: the name of a key in a Secret
    if norm.endswith(CREDENTIAL_ENDINGS):
        # `tlsSecret: web-tls`, `adminSecret: grafana-admin`: a Kubernetes object name, not a value
        return norm.endswith("secret") and "-" in value and bool(_DNS_NAME.match(value))
    return norm.endswith(REFERENCE_ENDINGS)


def scan_batch(config: ScanConfig, batch: list[tuple[str, str, list[int]]]) -> list[Hit]:
    return [hit for path, text, lines in batch for hit in scan_text(config, path, text, lines)]


def scan_contents(config: ScanConfig, contents: list[tuple[str, str]], jobs: int) -> list[Hit]:
    """Scan (path, text) pairs. The cheap prefilter runs here; files with candidate lines go to
    detect-secrets, in a process pool of `jobs` workers when there are many candidate lines."""
    engine = _engine(config)
    work = []
    for path, text in contents:
        lines = _prefilter(engine, text)
        if lines:
            work.append((path, text, sorted(lines)))
    total = sum(len(lines) for _p, _t, lines in work)
    if jobs <= 1 or total < PARALLEL_LINES:
        return scan_batch(config, work)
    batches: list[list] = [[] for _ in range(jobs * 4)]
    for i, item in enumerate(sorted(work, key=lambda w: -len(w[2]))):
        batches[i % len(batches)].append(item)  # balanced by candidate lines
    hits: list[Hit] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(scan_batch, [config] * len(batches), batches):
            hits.extend(result)
    return hits


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# -- the rule (parent) ------------------------------------------------------------------------------
def scannable(path: str) -> bool:
    name = posixpath.basename(path)
    return (
        name != BASELINE_FILE
        and posixpath.splitext(name)[1].lower() not in SKIP_EXTENSIONS
        and not name.endswith((".lock", "-lock.json", "go.sum"))
        and "swagger" not in path
    )


def scan_repository(repo, options: dict) -> Iterator[Violation]:
    """GL602 violations for the whole repository."""
    baseline_name = str(options.get("baseline", BASELINE_FILE))
    baseline = load_baseline(repo, baseline_name)
    config = scan_config(options, baseline)
    excluded = baseline_exclude_files(baseline)
    contents = []
    for path in repo.files:
        if not scannable(path) or path == baseline_name or any(r.search(path) for r in excluded):
            continue
        text = repo.text(path)
        if text:
            contents.append((path, text))
    hits = scan_contents(config, contents, int(options.get("jobs") or default_jobs()))
    allowed = accepted(baseline)
    rules = [r for r in sops.creation_rules(repo) if not r.catch_all]
    owned = generator_inputs(repo) | {
        p for p, _t in contents if rules and sops.rule_for(rules, p) is not None
    }
    counters: dict[tuple[str, str], int] = {}
    for hit in sorted(hits, key=lambda h: (h.path, h.line, h.type)):
        if (hit.path, hit.type, hit.hashed) in allowed or hit.path in owned:
            continue
        v = _violation(repo, hit, counters)
        if v is not None:
            yield v


def generator_inputs(repo) -> set[str]:
    """Files read by secretGenerators (GL603 owns them; files a specific SOPS rule covers are GL604's)."""
    return {
        r.target
        for k in repo.kustomizations.values()
        for r in k.refs("secretGenerator.files", "secretGenerator.envs", "secretGenerator.env")
        if r.target
    }


def _violation(repo, hit: Hit, counters: dict) -> Violation | None:
    doc, path = locate(repo, hit.path, hit.line)
    if doc is not None and owned_elsewhere(doc, path, hit):
        return None
    environment = repo.environment_of(hit.path)
    resource = doc.ref if doc is not None and doc.kind and not is_kustomization_file(hit.path) else None
    if path and _path_is_safe(doc, path, hit):
        where = ".".join(str(p) for p in path)
        if hit.key is not None and str(path[-1]) != hit.key:
            where += f": {hit.key}"  # a line inside a block scalar (properties, env files in a ConfigMap)
        stable = where
    elif hit.key is not None:
        where = stable = hit.key
    else:
        n = counters[(hit.path, hit.type)] = counters.get((hit.path, hit.type), 0) + 1
        where, stable = f"line {hit.line}", f"#{n}"
    subject = f"{resource} " if resource else ""
    message = (
        f"{subject}{where} looks like a credential (detect-secrets: {hit.type}); move the value to a "
        "secret manager or SOPS, or accept it in .secrets.baseline if it is not a secret"
    )
    position = Position(hit.line, 1)
    if doc is not None and path:
        found = doc.position(path, key=True)
        position = found if found.line == hit.line else position
    return Violation(
        hit.path, message, position, resource=resource, environment=environment, key=f"{hit.type}:{stable}"
    )


def _path_is_safe(doc: Document, path: tuple, hit: Hit) -> bool:
    """Whether the key path may be shown: keys on the hit's line must be the key the worker found
    before the secret (a key that is, or contains, the secret is never shown)."""
    if hit.key_unsafe:
        return False
    for depth in range(1, len(path) + 1):
        prefix = path[:depth]
        line = doc.keys.get(prefix, doc.values.get(prefix, (0, 0)))[0]
        if line < hit.line:
            continue
        if line > hit.line or depth != len(path) or hit.key is None or str(path[-1]) != hit.key:
            return False
    return True


def owned_elsewhere(doc: Document, path: tuple, hit: Hit) -> bool:
    """Hits that another rule reports or that sit in ciphertext/references by construction."""
    data = doc.data if isinstance(doc.data, dict) else {}
    head = path[0] if path else None
    if sops.metadata(data) is not None:
        return True  # a SOPS file: its plaintext leaves are GL604's
    if doc.kind == "Secret" and head in ("data", "stringData"):
        return True  # GL601 (plaintext) or GL604 (SOPS)
    if doc.kind == "SealedSecret" and tuple(path[:2]) == ("spec", "encryptedData"):
        return True
    if doc.kind in REFERENCE_KINDS and hit.type == KEYWORD:
        return True
    return is_kustomization_file(doc.path) and head == "secretGenerator"  # GL603


def locate(repo, path: str, line: int) -> tuple[Document | None, tuple]:
    """The document of a YAML file holding `line`, and the deepest key path set on (or above) it."""
    parsed = repo.parsed(path)
    if parsed is None:
        return None, ()
    for doc in parsed.documents:
        if doc.start.line <= line <= doc.end_line:
            best: tuple = ()
            best_line = 0
            for table in (doc.keys, doc.values):
                for p, (ln, _col) in table.items():
                    if ln <= line and (ln > best_line or (ln == best_line and len(p) > len(best))):
                        best, best_line = p, ln
            return doc, best
    return None, ()
