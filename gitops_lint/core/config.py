"""`.gitops-lint.yaml`: discovery, validation against the config's own JSON Schema, defaults."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops_lint.core.findings import Severity
from gitops_lint.core.loader import Document, Limits, load_yaml

if TYPE_CHECKING:  # imported where used: `gitops-lint build` and `--version` start faster without them
    import pathspec

CONFIG_NAMES = (".gitops-lint.yaml", ".gitops-lint.yml")
DEFAULT_PRODUCTION = ("production", "prod", "prd", "live")
KNOWN_ENVIRONMENTS = (
    "development", "dev", "develop", "test", "testing", "qa", "integration", "int", "uat",
    "staging", "stage", "stg", "preprod", "pre-production", "sandbox", "demo", "local",
    *DEFAULT_PRODUCTION,
)

_RULE_SETTING = {
    "oneOf": [
        {"enum": ["off", "error", "warning", "info", False]},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "severity": {"enum": ["error", "warning", "info"]},
                "options": {"type": "object"},
            },
        },
    ]
}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "gitops-lint configuration",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "layout": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "apps": {"type": "array", "items": {"type": "string"}},
                "base": {"type": "string"},
                "overlays": {"type": "string"},
                "infrastructure": {"type": "array", "items": {"type": "string"}},
                "clusters": {"type": "array", "items": {"type": "string"}},
            },
        },
        "environments": {"type": "array", "items": {"type": "string"}},
        "production": {"type": "array", "items": {"type": "string"}},
        "rules": {"type": "object", "patternProperties": {"^GL[0-9]{3}$|^[A-Za-z][A-Za-z0-9-]*$": _RULE_SETTING},
                  "additionalProperties": False},
        "overrides": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["paths", "rules"],
                "properties": {
                    "paths": {"type": "array", "items": {"type": "string"}},
                    "rules": {"type": "object", "additionalProperties": _RULE_SETTING},
                },
            },
        },
        "exclude": {"type": "array", "items": {"type": "string"}},
        "rule_dirs": {"type": "array", "items": {"type": "string"}},
        "fail_on": {"enum": ["error", "warning", "info", "never"]},
        "kubernetes_version": {"type": "string", "pattern": r"^v?1\.[0-9]+(\.[0-9]+)?$"},
        "schema_dirs": {"type": "array", "items": {"type": "string"}},
        "cache_dir": {"type": "string", "minLength": 1},
        "repo_urls": {"type": "array", "items": {"type": "string"}},
        "load_restrictor": {"enum": ["rootonly", "none"]},
        "require_reason": {"type": "boolean"},
        "report_unused_suppressions": {"type": "boolean"},
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_file_bytes": {"type": "integer", "minimum": 1},
                "max_nodes": {"type": "integer", "minimum": 1},
                "max_depth": {"type": "integer", "minimum": 1},
            },
        },
        "helm": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "fetch": {"type": "boolean"},
                "cache": {"type": "string"},
                "timeout": {"type": "number", "exclusiveMinimum": 0},
                "memory_mb": {"type": "integer", "minimum": 256},
                "backend": {"enum": ["sdk", "binary"]},
            },
        },
    },
}


class ConfigError(ValueError):
    """The configuration file is unreadable or invalid (exit code 2)."""


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool = True
    severity: Severity | None = None
    options: dict = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any) -> RuleSetting:
        if raw in ("off", False):
            return cls(enabled=False)
        if isinstance(raw, str):
            return cls(severity=Severity.parse(raw))
        severity = Severity.parse(raw["severity"]) if "severity" in raw else None
        return cls(enabled=raw.get("enabled", True), severity=severity, options=dict(raw.get("options", {})))


@dataclass(frozen=True)
class Override:
    spec: pathspec.PathSpec
    rules: dict[str, RuleSetting]


@dataclass(frozen=True)
class HelmSettings:
    """Helm rendering: remote charts fetched only with `fetch` (or --helm-fetch), into `cache`."""

    fetch: bool = False
    cache: str | None = None  # default: the user's cache directory
    timeout: float = 30.0  # seconds per render
    memory_mb: int = 2048  # address-space limit of the render worker
    backend: str | None = None  # "sdk" or "binary"; default: the SDK when installed, else `helm`


@dataclass(frozen=True)
class Config:
    """The effective configuration (defaults filled in)."""

    app_globs: tuple[str, ...] = ("apps/*",)
    base_dir: str = "base"
    overlays_dir: str = "overlays"
    infrastructure_globs: tuple[str, ...] = ("infrastructure/*",)
    cluster_globs: tuple[str, ...] = ("clusters/*",)
    environments: tuple[str, ...] = ()
    production: tuple[str, ...] = DEFAULT_PRODUCTION
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    exclude: tuple[str, ...] = ()
    rule_dirs: tuple[str, ...] = ()
    fail_on: str = "error"
    kubernetes_version: str | None = None
    schema_dirs: tuple[str, ...] = ()
    cache_dir: str | None = None  # relative to the config file's directory
    repo_urls: tuple[str, ...] = ()
    load_restrictor: str = "rootonly"
    require_reason: bool = False
    report_unused_suppressions: bool = True
    limits: Limits = Limits()
    helm: HelmSettings = HelmSettings()
    source: str | None = None  # the file it came from, if any

    def is_production(self, environment: str | None) -> bool:
        if not environment:
            return False
        return environment.lower() in {p.lower() for p in self.production}

    def excluded(self) -> pathspec.PathSpec:
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(self.exclude)

    def rule_setting(self, rule_id: str, rule_name: str, path: str | None = None) -> RuleSetting:
        """The setting for a rule (by id or name), with per-path overrides applied last."""
        setting = self.rules.get(rule_id) or self.rules.get(rule_name) or RuleSetting()
        if path is not None:
            for override in self.overrides:
                if override.spec.match_file(path):
                    setting = override.rules.get(rule_id) or override.rules.get(rule_name) or setting
        return setting


def find_config(repo_root: Path) -> Path | None:
    """The config file at the repository root, if there is one."""
    for name in CONFIG_NAMES:
        candidate = repo_root / name
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a config file; `None` gives the defaults."""
    if path is None:
        return Config()
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from exc
    parsed = load_yaml(str(path), raw_bytes)
    if parsed.violations:
        v = parsed.violations[0]
        raise ConfigError(f"{path}:{v.position.line}:{v.position.column}: {v.message}")
    data = parsed.documents[0].data if parsed.documents else {}
    return config_from_dict(data or {}, source=str(path), document=parsed.documents[0] if parsed.documents else None)


def resolve_config(root: Path, config_path: str | None) -> Config:
    """The config given with --config, else the repository's own, else defaults."""
    return load_config(Path(config_path) if config_path else find_config(root))


def config_base_dir(config: Config, root: Path) -> Path:
    """The directory a config's relative `rule_dirs` are read from: the config file's, else `root`."""
    return Path(config.source).parent if config.source else root


def confine_config_dirs(config: Config, root: Path) -> None:
    """A config found inside the repository may only name rule and schema directories inside it:
    linting a repository must not read (or walk) the rest of the disk. A config passed explicitly
    with --config is the user's own choice and is trusted."""
    base = root.resolve()
    for key, entries in (("rule_dirs", config.rule_dirs), ("schema_dirs", config.schema_dirs)):
        for entry in entries:
            target = (base / entry).resolve()
            if target != base and base not in target.parents:
                raise ConfigError(f"{config.source}: {key} entry {entry!r} leads outside the repository; "
                                  "pass a config with --config to use directories elsewhere")
    if config.helm.cache is not None:  # the repository is read-only, and the rest of the disk is not its own
        raise ConfigError(f"{config.source}: helm.cache may not be set by the repository's own config; "
                          "pass --helm-cache or a config with --config")


def with_helm_options(config: Config, fetch: bool = False, cache: str | None = None) -> Config:
    """`config` with remote chart fetching switched on (`fetch`) and/or another chart cache (the
    command line's --helm-fetch and --helm-cache; applied after `confine_config_dirs`)."""
    if not fetch and cache is None:
        return config
    helm = replace(config.helm, fetch=config.helm.fetch or fetch, cache=cache or config.helm.cache)
    return replace(config, helm=helm)


def config_from_dict(data: Any, source: str | None = None, document: Document | None = None) -> Config:
    """Validate a config mapping and build the effective Config."""
    import jsonschema
    import pathspec

    validator = jsonschema.Draft202012Validator(CONFIG_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        line = f":{document.position(tuple(err.absolute_path)).line}" if document is not None else ""
        hint = err.message
        if err.validator == "additionalProperties":
            hint = f"unknown key ({err.message})"
        raise ConfigError(f"{source or 'config'}{line}: {where}: {hint}")
    layout = data.get("layout", {})
    defaults = Config()
    return Config(
        app_globs=tuple(layout.get("apps", defaults.app_globs)),
        base_dir=layout.get("base", defaults.base_dir),
        overlays_dir=layout.get("overlays", defaults.overlays_dir),
        infrastructure_globs=tuple(layout.get("infrastructure", defaults.infrastructure_globs)),
        cluster_globs=tuple(layout.get("clusters", defaults.cluster_globs)),
        environments=tuple(data.get("environments", ())),
        production=tuple(data.get("production", DEFAULT_PRODUCTION)),
        rules={k: RuleSetting.parse(v) for k, v in data.get("rules", {}).items()},
        overrides=tuple(
            Override(
                pathspec.GitIgnoreSpec.from_lines(o["paths"]),
                {k: RuleSetting.parse(v) for k, v in o["rules"].items()},
            )
            for o in data.get("overrides", ())
        ),
        exclude=tuple(data.get("exclude", ())),
        rule_dirs=tuple(data.get("rule_dirs", ())),
        fail_on=data.get("fail_on", "error"),
        kubernetes_version=data.get("kubernetes_version"),
        schema_dirs=tuple(data.get("schema_dirs", ())),
        cache_dir=data.get("cache_dir"),
        repo_urls=tuple(data.get("repo_urls", ())),
        load_restrictor=data.get("load_restrictor", "rootonly"),
        require_reason=data.get("require_reason", False),
        report_unused_suppressions=data.get("report_unused_suppressions", True),
        limits=Limits(**{**Limits().__dict__, **data.get("limits", {})}),
        helm=HelmSettings(**data.get("helm", {})),
        source=source,
    )
