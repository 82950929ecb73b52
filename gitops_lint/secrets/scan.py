"""GL602: detect-secrets as a library over every tracked text file, Kubernetes-aware.

* Every tracked file is read once (`repo.text`); binary, lock and image files are skipped by name.
* `secret_engine` scans the texts (anchors prefilter, detect-secrets plugins and filters, references
  and key-name values dropped), in a process pool over chunked batches for large trees (`--jobs`).
* Here, hits in YAML files are mapped to the key path of their document, and what other rules own
  or what is safe by construction is dropped: a Secret's data (GL601), SOPS files (GL604), SealedSecret
  ciphertext, ExternalSecret/SecretStore/SecretProviderClass specs (keyword hits), secretGenerator
  literals and inputs (GL603). Hits accepted by a detect-secrets `.secrets.baseline` are dropped by
  (file, type, hashed secret), as detect-secrets itself does.

Plugins: every built-in detector except the two high-entropy ones and public IPs. On GitOps YAML,
high-entropy strings are mostly image digests, commit SHAs in `targetRevision`, `caBundle`s and
checksums; a public IP is not a credential. Both entropy detectors can be enabled with the option
`high_entropy: true` (limits `base64_limit`, `hex_limit`). A baseline's `plugins_used` can only narrow
the set (custom `file://` plugins are never loaded: that would run repository code), its regex
exclusion filters are applied. Verification (network) is never run. Messages name the key path and
the detector, never the value.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator

from gitops_lint.core.findings import Position, Violation
from gitops_lint.core.loader import Document
from gitops_lint.model.kustomizations import is_kustomization_file
from gitops_lint.secrets import sops
from gitops_lint.secrets.engine import (
    KEYWORD,
    Hit,
    ScanConfig,
    compile_regex,
    default_jobs,
    extra_plugins,
    scan_contents,
)
from gitops_lint.secrets.keys import keyword_is_reference

BASELINE_FILE = ".secrets.baseline"
GENERATOR_FIELDS = ("secretGenerator.files", "secretGenerator.envs", "secretGenerator.env")


NOISY_PLUGINS = frozenset({"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"})


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


def scan_config(options: dict, baseline: dict | None) -> ScanConfig:
    """Plugins chosen deliberately (see module doc), narrowed by the baseline's `plugins_used`.

    `options` are GL602's, typed and defaulted by its card (`Card.options_for`)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    known: dict[str, type] = get_mapping_from_secret_type_to_class()
    classes = sorted(c.__name__ for c in known.values())
    own = [c.__name__ for c in extra_plugins()]
    chosen = [c for c in classes if c not in NOISY_PLUGINS] + own
    settings: dict[str, dict] = {c: {} for c in chosen}
    if options["high_entropy"]:
        settings["Base64HighEntropyString"] = {"limit": float(options["base64_limit"])}
        settings["HexHighEntropyString"] = {"limit": float(options["hex_limit"])}
    exclude_lines, exclude_secrets = list(options["exclude_lines"]), list(options["exclude_secrets"])
    if baseline:
        used = {p.get("name"): p for p in baseline.get("plugins_used", []) if isinstance(p, dict)}
        if used:  # a detector the team disabled stays disabled; custom (file://) plugins are never loaded
            settings = {
                name: {**opts, **_plugin_options(name, used.get(name, {}))}
                for name, opts in settings.items()
                if name in used or name in own
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
    out: list[re.Pattern] = []
    for f in (baseline or {}).get("filters_used", []):
        if isinstance(f, dict) and f.get("path") == "detect_secrets.filters.regex.should_exclude_file":
            out += [r for r in map(compile_regex, f.get("pattern", [])) if r is not None]
    return out


def load_baseline(repo, name: str = BASELINE_FILE) -> dict | None:
    text = repo.text(name) if name in repo.files else None
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return _well_formed(data) if isinstance(data, dict) else None


def _well_formed(data: dict) -> dict:
    """The baseline without entries of the wrong shape (a hand-edited baseline never breaks the scan)."""
    out = dict(data)
    plugins, filters = data.get("plugins_used"), data.get("filters_used")
    out["plugins_used"] = [
        p
        for p in (plugins if isinstance(plugins, list) else [])
        if isinstance(p, dict) and isinstance(p.get("name"), str)
    ]
    out["filters_used"] = [
        {
            **f,
            "pattern": [p for p in f["pattern"] if isinstance(p, str)]
            if isinstance(f.get("pattern"), list)
            else [],
        }
        for f in (filters if isinstance(filters, list) else [])
        if isinstance(f, dict)
    ]
    if not isinstance(data.get("results"), dict):
        out["results"] = {}
    return out


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


def scannable(path: str) -> bool:
    name = posixpath.basename(path)
    return (
        name != BASELINE_FILE
        and posixpath.splitext(name)[1].lower() not in SKIP_EXTENSIONS
        and not name.endswith((".lock", "-lock.json", "go.sum"))
        and "swagger" not in path
    )


class ScanRecord:
    """The files GL602 scanned in a run, and those with any hit (accepted by the baseline or not): the
    parse cache keeps only files scanned clean (`repo.derived(ScanRecord)`, one record per run)."""

    def __init__(self, _repo: object) -> None:
        self.scanned: set[str] = set()
        self.flagged: set[str] = set()


def scan_repository(repo, options: dict, owns: Callable[[str], bool] = lambda _path: True) -> Iterator[Violation]:
    """GL602 violations for the files of the repository that `owns` accepts (all of them by default; a
    shard's share in `check --shard`): a file's findings depend on its own text and on repository-wide
    facts only (the baseline, `.sops.yaml` rules, secretGenerator inputs). `options`: typed and
    defaulted by the card."""
    baseline = load_baseline(repo, options["baseline"])
    contents, hits = _scan(repo, options, baseline, owns)
    if not hits:
        return
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


def record_scan(repo, options: dict, owns: Callable[[str], bool]) -> None:
    """Scan the files `owns` accepts as GL602 does, for the run's `ScanRecord` only (no finding): what a
    run restricted to named files does before its parses of other files may be kept."""
    _scan(repo, options, load_baseline(repo, options["baseline"]), owns)


def _scan(repo, options: dict, baseline: dict | None, owns: Callable[[str], bool]) -> tuple[list, list[Hit]]:
    """(path, text) of the files scanned, and every hit in them (accepted by the baseline or not), noted
    in the run's `ScanRecord`."""
    baseline_name = options["baseline"]
    config = scan_config(options, baseline)
    excluded = baseline_exclude_files(baseline)
    contents = []
    for path in repo.files:
        if not owns(path) or not scannable(path) or path == baseline_name or any(r.search(path) for r in excluded):
            continue
        text = repo.text(path)
        if text:
            contents.append((path, text))
    jobs = options["jobs"] or getattr(repo, "jobs", None) or default_jobs()
    hits = scan_contents(config, contents, jobs)
    if options["configmap_keys"]:
        hits += configmap_hits(repo, {(h.path, h.line) for h in hits}, {p for p, _t in contents})
    record = repo.derived(ScanRecord)
    record.scanned.update(p for p, _t in contents)
    record.flagged.update(h.path for h in hits)
    return contents, hits


CONFIGMAP_KEY = "Credential-named ConfigMap key"


def configmap_hits(repo, seen: set[tuple[str, int]], scanned: set[str]) -> list[Hit]:
    """ConfigMap data under a credential-named key (`API_TOKEN`, `db_password`…) with a literal value:
    detect-secrets' keyword list lacks `token`, and a ConfigMap is never the place for a credential."""
    from detect_secrets.core.potential_secret import PotentialSecret

    hits = []
    for doc in repo.objects("ConfigMap"):
        if doc.path not in scanned:
            continue
        data = doc.data.get("data")
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            line = doc.position(("data", key), key=True).line
            if (doc.path, line) in seen or not isinstance(value, str) or "\n" in value.strip():
                continue  # reported already, or a whole file (scanned line by line)
            if sops.is_reference(value) or keyword_is_reference(str(key), value) or str(key) in value:
                continue
            hits.append(Hit(doc.path, line, CONFIGMAP_KEY, PotentialSecret.hash_secret(value), str(key)))
    return hits


def generator_inputs(repo) -> set[str]:
    """Files read by secretGenerators (GL603 owns them)."""
    return {r.target for k in repo.kustomizations.values() for r in k.refs(*GENERATOR_FIELDS) if r.target}


def _violation(repo, hit: Hit, counters: dict) -> Violation | None:
    doc, path = locate(repo, hit.path, hit.line)
    if doc is not None and owned_elsewhere(doc, path, hit):
        return None
    environment = repo.environment_of(hit.path)
    resource = doc.ref if doc is not None and doc.kind and not is_kustomization_file(hit.path) else None
    if path and doc is not None and _path_is_safe(doc, path, hit):
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
    detector = "a credential name" if hit.type == CONFIGMAP_KEY else f"detect-secrets: {hit.type}"
    message = (
        f"{subject}{where} looks like a credential ({detector}); move the value to a "
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
    if doc.kind == "CustomResourceDefinition" and hit.type == KEYWORD:
        return True  # a schema: descriptions and examples are documentation, not configuration
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
