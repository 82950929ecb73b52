"""Kustomize integrity rules (GL201–GL204, GL206–GL208), judged from the static reference graph.

Nothing here renders or fetches anything: remote references are only inspected as strings, and
plugin configurations are read, never executed. GL205 (build failures) lives with the renderer.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from gitops_lint.checks.kustomize_remote import remote_pin_problem
from gitops_lint.core.findings import Position, Violation
from gitops_lint.core.loader import Document, parse_text
from gitops_lint.lint.engine import CheckContext
from gitops_lint.lint.fix import FIXABLE_FIELDS
from gitops_lint.model.file_roles import judged_kustomizations
from gitops_lint.model.kustomizations import DEPRECATED_FIELDS, KUSTOMIZATION_FILES, Kustomization, Reference

# fields whose entries must name a kustomization directory or a manifest file
_RESOURCE_FIELDS = ("resources", "bases", "components")
_PLUGIN_FIELDS = ("generators", "transformers", "validators")
_FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def _where(k: Kustomization, r: Reference) -> str:
    return f"`{r.field}` entry `{display(r.value)}` in {k.path}"


def display(value: str) -> str:
    """A path or URL as shown in messages: credentials in a URL (`https://user:token@…`) are masked."""
    return _USERINFO.sub("***@", value.strip())


def _inline(r: Reference) -> bool:
    """An inline YAML document (allowed for plugin configs and patches), not a path."""
    return "\n" in r.value


def _escaping_link(repo, target: str) -> str | None:
    """The escaping symlink that `target` is or lies below, if any."""
    for u in repo.unsafe:
        if u.escapes and (target == u.path or target.startswith(u.path + "/")):
            return u.path
    return None


def _judged(repo) -> list[Kustomization]:
    """The kustomizations that are meant to build, listed once per run for every rule here."""
    return repo.derived(judged_kustomizations)


def _tree_files(repo) -> frozenset[str]:
    """Every file of the tree, config excludes included (one set per run: a reference is checked by one
    lookup)."""
    return repo.derived(_build_tree_files)


def _build_tree_files(repo) -> frozenset[str]:
    return frozenset(repo.tree.files())


# -- GL201 ------------------------------------------------------------------------------------
def missing_reference(ctx: CheckContext) -> Iterator[Violation]:
    """GL201: local resources, components, patches, generator files and crds that point at nothing."""
    repo = ctx.repo
    tree = repo.tree
    files = _tree_files(repo)
    for k in _judged(repo):
        for r in k.references:
            if r.target is None or _inline(r) or _escaping_link(repo, r.target):
                continue
            problem = _reference_problem(tree, files, r)
            if problem:
                yield Violation(
                    k.path,
                    f"{_where(k, r)} {problem}; fix the path or remove the entry",
                    r.position,
                    environment=repo.environment_of(k.dir),
                    key=f"{r.field}:{r.value}",
                )


def _has_kustomization_file(files: frozenset[str], directory: str | None) -> bool:
    """Asked of the whole tree, so that a config exclude does not make a base look empty."""
    return any((f"{directory}/{name}" if directory else name) in files for name in KUSTOMIZATION_FILES)


def _reference_problem(tree, files: frozenset[str], r: Reference) -> str | None:
    if r.field in _RESOURCE_FIELDS:
        if r.target in files:
            return None
        if tree.is_dir(r.target):
            if _has_kustomization_file(files, r.target):
                return None
            return f"is a directory without a kustomization file ({r.target}/)"
        return f"points at nothing ({r.target or '.'} does not exist)"
    if r.field in _PLUGIN_FIELDS and tree.is_dir(r.target) and _has_kustomization_file(files, r.target):
        return None  # a kustomization directory of plugin configs
    if r.target in files:
        return None
    if tree.is_dir(r.target):
        return f"is a directory ({r.target}/), not a file"
    return f"points at nothing ({r.target} does not exist)"


# -- GL202 ------------------------------------------------------------------------------------
def path_escapes_repo(ctx: CheckContext) -> Iterator[Violation]:
    """GL202: absolute paths and `..` above the root in kustomizations, and symlinks that leave the root."""
    repo = ctx.repo
    for k in [k for k in repo.kustomizations.values() if ctx.owns(k.path)]:
        for r in k.references:
            if _inline(r):
                continue
            link = _escaping_link(repo, r.target) if r.target else None
            if r.escapes:
                how = (
                    "is an absolute path"
                    if r.value.strip().startswith("/")
                    else "leads outside the repository root"
                )
            elif link:
                how = f"goes through symlink {link}, which leads outside the repository root"
            else:
                continue
            yield Violation(
                k.path,
                f"{_where(k, r)} {how}; keep every path inside the repository",
                r.position,
                key=f"{r.field}:{r.value}",
            )
    for u in repo.unsafe:
        if u.escapes and ctx.owns(u.path):
            yield Violation(u.path, f"{u.path}: {u.reason}; it is not read", key=f"link:{u.path}")


# -- GL203 ------------------------------------------------------------------------------------
def remote_unpinned(ctx: CheckContext) -> Iterator[Violation]:
    """GL203: remote bases (git or HTTP) without a `ref` pinned to a tag or commit."""
    branches = {b.lower() for b in ctx.option("branches")}
    for k in [k for k in _judged(ctx.repo) if ctx.owns(k.path)]:
        for r in k.references:
            if not r.remote or _inline(r):
                continue
            problem = remote_pin_problem(r.value, branches)
            if problem:
                yield Violation(
                    k.path,
                    f"remote {_where(k, r)} {problem}; pin it to a tag or commit (`?ref=v1.2.3`)",
                    r.position,
                    environment=ctx.repo.environment_of(k.dir),
                    key=f"{r.field}:{r.value}",
                )


# -- GL204 ------------------------------------------------------------------------------------
def deprecated_field(ctx: CheckContext) -> Iterator[Violation]:
    """GL204: deprecated kustomization fields, each with its modern replacement."""
    for k in [k for k in _judged(ctx.repo) if ctx.owns(k.path)]:
        for name, modern in DEPRECATED_FIELDS.items():
            if name not in k.data or k.document is None:
                continue
            fixable = name in FIXABLE_FIELDS
            hint = "`gitops-lint check --fix` rewrites it" if fixable else "convert it by hand"
            yield Violation(
                k.path,
                f"`{name}` in {k.path} is deprecated; use `{modern}` instead ({hint})",
                k.document.position((name,), key=True),
                key=name,
                fixable=fixable,
            )


# -- GL206 ------------------------------------------------------------------------------------
def duplicate_entry(ctx: CheckContext) -> Iterator[Violation]:
    """GL206: the same path (or the same patch) listed twice in a kustomization."""
    for k in [k for k in _judged(ctx.repo) if ctx.owns(k.path)]:
        yield from _duplicates(k)


_PATH_FAMILIES = {
    "resources": "resources",
    "bases": "resources",
    "components": "components",
    "crds": "crds",
    "configurations": "configurations",
    "patchesStrategicMerge": "patchesStrategicMerge",
    "generators": "generators",
    "transformers": "transformers",
    "validators": "validators",
}


def _duplicates(k: Kustomization) -> Iterator[Violation]:
    seen: dict[tuple, Position] = {}
    for r in k.references:
        family = _PATH_FAMILIES.get(r.field)
        if family is None or _inline(r):
            continue
        identity = (family, r.target if r.target is not None else r.value.strip())
        if identity in seen:
            yield _duplicate(k, r.field, display(r.value), r.position, seen[identity])
        else:
            seen[identity] = r.position
    for name in ("patches", "patchesJson6902", "replacements"):
        # the same file with different targets is legitimate: only identical entries are duplicates
        yield from _duplicate_items(k, (name,), k.data.get(name), _patch_label)
    for name in ("configMapGenerator", "secretGenerator"):
        entries = k.data.get(name)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                for sub in ("files", "envs"):
                    yield from _duplicate_items(k, (name, i, sub), entry.get(sub), str)


def _patch_label(entry) -> str:
    return str(entry.get("path", "patch")) if isinstance(entry, dict) else str(entry)[:40]


def _duplicate_items(k: Kustomization, path: tuple, entries, label) -> Iterator[Violation]:
    if not isinstance(entries, list):
        return
    first: dict[str, Position] = {}
    for i, entry in enumerate(entries):
        text = repr(_canonical(entry))
        where = k.position(*path, i)
        if text in first:
            yield _duplicate(k, ".".join(map(str, path)), str(label(entry)), where, first[text])
        else:
            first[text] = where


def _canonical(value):
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_canonical(v) for v in value)
    return value


def _duplicate(k: Kustomization, field: str, value: str, where: Position, first: Position) -> Violation:
    return Violation(
        k.path,
        f"`{value}` is listed twice in `{field}` of {k.path} (first at line {first.line}); remove one",
        where,
        key=f"{field}:{value}",
    )


# -- GL207 ------------------------------------------------------------------------------------
def multiple_kustomization_files(ctx: CheckContext) -> Iterator[Violation]:
    """GL207: more than one kustomization file in a directory (kustomize refuses to build it)."""
    repo = ctx.repo
    for directory, paths in repo.kustomization_files.items():
        if len(paths) < 2:
            continue
        used = repo.kustomizations[directory].path
        for path in sorted(paths):
            if path == used:
                continue
            others = ", ".join(posixpath.basename(p) for p in sorted(paths) if p != path)
            yield Violation(
                path,
                f"{path} sits beside {others}; kustomize refuses a directory with several kustomization "
                f"files, keep only one",
                key="multiple",
            )


# -- GL208 ------------------------------------------------------------------------------------
def exec_plugin(ctx: CheckContext) -> Iterator[Violation]:
    """GL208: generators/transformers/validators that would run an executable or a container."""
    repo = ctx.repo
    for k in repo.kustomizations.values():
        for name in _PLUGIN_FIELDS:
            entries = k.data.get(name)
            if not isinstance(entries, list):
                continue
            for i, entry in enumerate(entries):
                for doc, where, path in _plugin_configs(repo, k, name, i, entry):
                    problem = plugin_execution(doc if isinstance(doc, dict) else {})
                    if problem:
                        yield Violation(
                            path,
                            f"`{name}` entry of {k.path} configures {problem}; gitops-lint never runs it, and "
                            f"a build that does executes code from the repository: use a built-in generator "
                            f"or transformer",
                            where,
                            resource=_ref_of(doc),
                            key=f"{k.path}:{name}:{_ref_of(doc)}",
                        )


def _plugin_configs(repo, k: Kustomization, field: str, index: int, entry) -> Iterator[tuple]:
    """(config data, position, path) for an inline config or the documents of a referenced file/dir."""
    if isinstance(entry, dict):
        yield entry, k.position(field, index), k.path
        return
    if isinstance(entry, str) and "\n" in entry:  # an inline YAML string
        for doc in parse_text(k.path, entry).documents:
            yield doc.data, k.position(field, index), k.path
        return
    ref = next((r for r in k.refs(field) if r.value == entry), None)
    if ref is None or ref.target is None:
        return
    for doc in _documents_at(repo, ref.target):
        yield doc.data, doc.start, doc.path


def _documents_at(repo, target: str) -> Iterator[Document]:
    if target in repo.kustomizations:
        paths = sorted(p for p in repo.files_read_by(target) if p != repo.kustomizations[target].path)
    else:
        paths = [target]
    for path in paths:
        parsed = repo.parsed(path)
        if parsed is not None:
            yield from (d for d in parsed.documents if isinstance(d.data, dict))


def plugin_execution(config: dict) -> str | None:
    """What a plugin config would execute (`an exec function ./x`, `a container function img`), or None."""
    metadata = config.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if isinstance(annotations, dict) and any(key in annotations for key in _FUNCTION_ANNOTATIONS):
        for key in _FUNCTION_ANNOTATIONS:
            spec = annotations.get(key)
            if isinstance(spec, str):
                parsed = parse_text("<annotation>", spec).documents
                spec = parsed[0].data if parsed else None
            found = _function_runtime(spec)
            if found:
                return found
        return None  # a KRM function with another runtime (starlark): sandboxed, not an executable
    api_version = config.get("apiVersion")
    kind = config.get("kind")
    legacy = isinstance(api_version, str) and isinstance(kind, str) and api_version not in ("builtin", "")
    if legacy and not str(api_version).startswith("kustomize.config.k8s.io"):
        return f"the legacy plugin {api_version}/{kind} (an executable or Go plugin found on the plugin path)"
    return None


def _function_runtime(spec) -> str | None:
    if not isinstance(spec, dict):
        return None
    exec_spec = spec.get("exec")
    if "exec" in spec:
        path = exec_spec.get("path") if isinstance(exec_spec, dict) else exec_spec
        return f"an exec KRM function ({path})"
    container = spec.get("container")
    if "container" in spec:
        image = container.get("image") if isinstance(container, dict) else container
        return f"a containerised KRM function ({image})"
    return None


def _ref_of(config) -> str | None:
    if not isinstance(config, dict):
        return None
    kind = config.get("kind")
    metadata = config.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{kind}/{name}" if isinstance(kind, str) and isinstance(name, str) else None
