"""The GL602 scanning engine (what runs in worker processes): detect-secrets plugins over file texts.

A file is first searched as a whole with one cheap anchor per detector (a necessary condition of its
regexes, on lower-cased text); only lines where some detector could match are handed to that
detector, then to detect-secrets' heuristic filters (templated values, `$VAR`, uuids, sequential
strings, indirect references, `# pragma: allowlist secret`). The result equals a line-by-line scan.
Values that are references or placeholders, and keyword hits whose key names a secret, are dropped
here. The secret value never leaves this module: a `Hit` carries its SHA-1 (baseline matching) only.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from gitops_lint.secrets import sops
from gitops_lint.secrets.keys import keyword_is_reference, line_key, nearest_key

PARALLEL_BYTES = 2_000_000  # characters of text; below this a process pool costs more than it saves


KEYWORD = "Secret Keyword"


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


def compile_regex(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except (re.error, TypeError):
        return None


# Necessary conditions of each built-in detector's regexes, on lower-cased text: a line that matches
# none of them cannot produce a hit, so only matching lines are handed to detect-secrets. Detectors
# missing here (custom or future ones) fall back to their own regexes.
ANCHORS = {
    "AgeSecretKeyDetector": r"age-secret-key-1",
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


def extra_plugins() -> list[type]:
    """Detectors GitOps repositories need that detect-secrets lacks, as detect-secrets plugins:
    an age identity (`AGE-SECRET-KEY-1…`) is the private key that decrypts every SOPS file."""
    from detect_secrets.plugins.base import RegexBasedDetector

    class AgeSecretKeyDetector(RegexBasedDetector):
        secret_type = "Age Secret Key"
        denylist = (re.compile(r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),)

    return [AgeSecretKeyDetector]


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

    known: dict[str, type] = get_mapping_from_secret_type_to_class()
    by_name: dict[str, type] = {c.__name__: c for c in known.values()}
    by_name.update({c.__name__: c for c in extra_plugins()})
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
        [c for c in map(compile_regex, config.exclude_lines) if c is not None],
        [c for c in map(compile_regex, config.exclude_secrets) if c is not None],
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
    if engine.anchor is not None and engine.anchor_i is not None:  # built together
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
    detector_name = detector_filename(path)
    source_code = path.endswith(SOURCE_CODE_SUFFIXES)
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
        comment = line.lstrip().startswith(_COMMENT_MARKS)
        for plugin, anchor in zip(plugins, engine.line_anchors, strict=True):
            if exact and anchor is not None and anchor.search(lower) is None:
                continue  # this detector cannot match the line
            for found in plugin.analyze_line(
                filename=detector_name, line=line, line_number=index + 1, context=context
            ):
                secret = found.secret_value or ""
                if _filtered(secret, line, plugin) or any(r.search(secret) for r in exclude_secrets):
                    continue
                key, unsafe = line_key(line, secret)
                if source_code and plugin.secret_type in SOURCE_CODE_SHAPES:
                    continue  # `password := "x"`, `http://u:p@host`, a JWT in Go/Python source: test code
                if plugin.secret_type == KEYWORD and (
                    comment or keyword_is_reference(nearest_key(line, secret), secret)
                ):
                    continue  # commented examples (`# password: changeme` in chart values) are docs
                hits.append(
                    Hit(path, index + 1, plugin.secret_type, PotentialSecret.hash_secret(secret), key, unsafe)
                )
    return hits


# program source is not configuration: keyword assignments, URLs with a user and JWTs there are code (test
# fixtures above all); credential formats (private keys, cloud keys, service tokens) are still reported in it
SOURCE_CODE_SHAPES = frozenset({KEYWORD, "Basic Auth Credentials", "JSON Web Token"})
SOURCE_CODE_SUFFIXES = (".go", ".py", ".java", ".kt", ".js", ".ts", ".rs", ".rb", ".cs", ".php", ".scala", ".c",
                        ".cc", ".cpp", ".h", ".swift")
_COMMENT_MARKS = ("#", "//", "--", ";", "<!--", "/*", "* ")


def detector_filename(path: str) -> str:
    """The name detect-secrets sees: dotenv files are key=value configuration (unquoted values count),
    an extension-less `Kustomization` is YAML."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".env") or name.startswith(".env") or name == ".envrc":
        return path + ".conf"
    if name == "Kustomization":
        return path + ".yaml"
    return path


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


def scan_batch(config: ScanConfig, batch: list[tuple[str, str]]) -> list[Hit]:
    """Scan a batch of (path, text): prefilter, detectors, filters (what each worker runs)."""
    return [hit for path, text in batch for hit in scan_text(config, path, text)]


def scan_contents(config: ScanConfig, contents: list[tuple[str, str]], jobs: int) -> list[Hit]:
    """Scan (path, text) pairs; with `jobs` > 1 and enough text, in a process pool over chunked
    batches balanced by size (each worker builds its plugins once)."""
    size = sum(len(text) for _p, text in contents)
    if jobs <= 1 or size < PARALLEL_BYTES:
        return scan_batch(config, contents)
    batches: list[list[tuple[str, str]]] = [[] for _ in range(jobs * 4)]
    loads = [0] * len(batches)
    for item in sorted(contents, key=lambda c: -len(c[1])):
        smallest = loads.index(min(loads))
        batches[smallest].append(item)
        loads[smallest] += len(item[1]) + 200  # per-file overhead
    hits: list[Hit] = []
    from concurrent.futures import ProcessPoolExecutor  # here: only a run that starts a pool imports it

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(scan_batch, [config] * len(batches), batches):
            hits.extend(result)
    return hits


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
