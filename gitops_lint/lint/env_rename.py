"""GL106's unsafe fix: rename a misspelt overlay directory (`prodcution` -> `production`) and every
reference to it inside the repository.

References rewritten (only the path scalars that change, as surgical text edits): kustomization
`resources`/`components`/`bases`/patch and generator file paths that resolve into the directory,
Argo CD Application/ApplicationSet `source.path`/`sources[].path`, ApplicationSet git generator
`directories[].path`, and Flux Kustomization `spec.path`. The rename is refused (a note, nothing
changed) when the target exists, the directory holds a symbolic link or leaves the repository, a
reference that may point into it is templated or a glob the new name would not match, another string
in a YAML file names the directory's path (a CI job, a Flux ArtifactGenerator: fields this fix does
not follow), or a file to edit cannot be written.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from gitops_lint.core.findings import Finding
from gitops_lint.core.spelling import near_miss
from gitops_lint.lint import textedit

RULE = "GL106"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_MESSAGE = re.compile(r"overlay (?P<dir>.+?)/ is named `(?P<env>[^`]+)`.*rename it to `(?P<new>[^`]+)`")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}")
_GLOB = re.compile(r"[*?\[]")
# kustomization fields listing paths relative to the kustomization's directory
_PATH_LISTS = ("resources", "components", "bases", "crds", "configurations", "generators", "transformers",
               "validators", "patchesStrategicMerge")
_PATH_ITEMS = ("patches", "patchesJson6902")  # items with a `path`
_GENERATORS = ("configMapGenerator", "secretGenerator")  # items with `files`/`envs` lists and `env`


class Refused(Exception):
    """The rename cannot be done safely; the message says why."""


@dataclass(frozen=True)
class Rename:
    """A directory rename (repo-relative paths)."""

    old: str
    new: str


@dataclass(frozen=True)
class Ref:
    """One path scalar: its container (mapping or list), the key or index, and its base directory
    ("" for repo-root paths such as Argo CD and Flux ones)."""

    container: Any
    key: Any
    value: str
    base: str
    glob: bool = False


def proposed(finding: Finding) -> Rename | None:
    """The rename a GL106 finding suggests, when its suggestion is a near-miss spelling of the name."""
    match = _MESSAGE.search(finding.message)
    if finding.rule != RULE or match is None:
        return None
    old, env, new = match.group("dir"), match.group("env"), match.group("new")
    if posixpath.basename(old) != env or near_miss(env, [new]) != new or "/" in new:
        return None
    return Rename(old, posixpath.join(posixpath.dirname(old), new))


def check_directory(root: Path, rename: Rename) -> None:
    """Raise Refused unless `rename.old` is a real directory inside the repository free of symbolic
    links, and `rename.new` does not exist."""
    old, new = root / rename.old, root / rename.new
    if os.path.lexists(new):
        raise Refused(f"{rename.new} already exists")
    if old.is_symlink() or not old.is_dir() or not old.resolve().is_relative_to(root.resolve()):
        raise Refused(f"{rename.old} is not a directory inside the repository")
    for current, dirs, files in os.walk(old):
        for name in dirs + files:
            if os.path.islink(os.path.join(current, name)):
                rel = Path(current, name).relative_to(root).as_posix()
                raise Refused(f"{rel} is a symbolic link")


def rewrite(value: str, base: str, old: str, new_name: str) -> str | None:
    """`value` (a path relative to `base`) with the segment that lands on `old` renamed; None when the
    path never enters `old`. Everything else in the string (`./`, `..`, slashes) is kept."""
    prefix, sep, path = value.rpartition("=") if "=" in value and "://" not in value else ("", "", value)
    current = [s for s in base.split("/") if s]
    target = old.split("/")
    segments = path.split("/")
    changed = False
    for index, segment in enumerate(segments):
        if segment == "..":
            if current:
                current.pop()
        elif segment not in ("", "."):
            current.append(segment)
            if current == target:
                segments[index] = new_name
                changed = True
    return prefix + sep + "/".join(segments) if changed else None


def may_enter(value: str, base: str, old: str, new_name: str) -> bool:
    """Whether a templated or glob path could point into `old` while the renamed path would not be
    matched the same way (templates count as one unknown segment)."""
    current = [s for s in base.split("/") if s]
    target = old.split("/")
    for segment in value.split("/"):
        if segment == "..":
            if current:
                current.pop()
            continue
        if segment in ("", "."):
            continue
        current.append(segment)
        if len(current) == len(target):
            break
    if len(current) < len(target):
        return False
    for pattern, name in zip(current, target, strict=True):
        glob = _TEMPLATE.sub("*", pattern)
        if not fnmatch.fnmatchcase(name, glob):
            return False
    last = current[len(target) - 1]
    return bool(_TEMPLATE.search(value)) or not fnmatch.fnmatchcase(new_name, last)


def references(doc: Any, path: str) -> Iterator[Ref]:
    """The path scalars of one YAML document that this fix follows."""
    if not isinstance(doc, CommentedMap):
        return
    api, kind = str(doc.get("apiVersion", "")), doc.get("kind")
    if posixpath.basename(path) in KUSTOMIZATION_NAMES or (kind == "Kustomization"
                                                           and api.startswith("kustomize.config.k8s.io/")):
        yield from _kustomization_refs(doc, posixpath.dirname(path))
    elif kind == "Kustomization" and api.startswith("kustomize.toolkit.fluxcd.io/"):
        spec = doc.get("spec")
        if isinstance(spec, CommentedMap) and isinstance(spec.get("path"), str):
            yield Ref(spec, "path", spec["path"], "")
    elif kind in ("Application", "ApplicationSet") and api.startswith("argoproj.io/"):
        yield from _argo_refs(doc)


def _kustomization_refs(doc: CommentedMap, base: str) -> Iterator[Ref]:
    for key in _PATH_LISTS:
        yield from _list_refs(doc.get(key), base)
    for key in _PATH_ITEMS:
        for item in _seq(doc.get(key)):
            if isinstance(item, CommentedMap) and isinstance(item.get("path"), str):
                yield Ref(item, "path", item["path"], base)
    for key in _GENERATORS:
        for item in _seq(doc.get(key)):
            if isinstance(item, CommentedMap):
                yield from _list_refs(item.get("files"), base)
                yield from _list_refs(item.get("envs"), base)
                if isinstance(item.get("env"), str):
                    yield Ref(item, "env", item["env"], base)


def _argo_refs(doc: CommentedMap) -> Iterator[Ref]:
    spec = doc.get("spec")
    if not isinstance(spec, CommentedMap):
        return
    app_spec: Any = spec
    if doc.get("kind") == "ApplicationSet":
        template = spec.get("template")
        app_spec = template.get("spec") if isinstance(template, CommentedMap) else None
        yield from _generator_refs(spec.get("generators"))
    if not isinstance(app_spec, CommentedMap):
        return
    sources = [app_spec.get("source"), *_seq(app_spec.get("sources"))]
    for source in sources:
        if isinstance(source, CommentedMap) and isinstance(source.get("path"), str) and "chart" not in source:
            yield Ref(source, "path", source["path"], "")


def _generator_refs(generators: Any) -> Iterator[Ref]:
    """Git generator directory paths, in nested (matrix/merge) generators too."""
    for generator in _seq(generators):
        if not isinstance(generator, CommentedMap):
            continue
        git = generator.get("git")
        if isinstance(git, CommentedMap):
            for entry in _seq(git.get("directories")):
                if isinstance(entry, CommentedMap) and isinstance(entry.get("path"), str):
                    yield Ref(entry, "path", entry["path"], "", glob=True)
        for nested in ("matrix", "merge"):
            inner = generator.get(nested)
            if isinstance(inner, CommentedMap):
                yield from _generator_refs(inner.get("generators"))


def _list_refs(items: Any, base: str) -> Iterator[Ref]:
    for index, item in enumerate(_seq(items)):
        if isinstance(item, str):
            yield Ref(items, index, item, base)


def _strings(node: Any) -> Iterator[tuple[Any, Any, str]]:
    """Every string value of a document with its container and key or index."""
    items = node.items() if isinstance(node, CommentedMap) else enumerate(node) if isinstance(node, CommentedSeq) \
        else ()
    for key, value in items:
        if isinstance(value, str):
            yield node, key, value
        else:
            yield from _strings(value)


def _seq(value: Any) -> list:
    return value if isinstance(value, CommentedSeq) else []


def edits_for(text: textedit.Text, ref: Ref, new_value: str) -> list[textedit.Edit]:
    """The text edit replacing one reference scalar, in the quoting style it had."""
    container = ref.container
    position = container.lc.item(ref.key) if isinstance(container, CommentedSeq) else container.lc.value(ref.key)
    found = text.scalar_at(*position)
    if found is None:
        return []
    offset, old = found
    if old.startswith("'"):
        token = "'" + new_value.replace("'", "''") + "'"
    elif old.startswith('"'):
        token = '"' + new_value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        token = textedit.scalar(new_value)
    return [textedit.Edit(offset, len(old), token)]


def plan_file(text: str, path: str, rename: Rename, load: Callable[[str], list]) -> str | None:
    """The file's text with its references to `rename.old` rewritten (None: nothing to rewrite).

    Raises Refused for a templated or glob reference that may point into the directory, or when the
    edited text does not parse back to the old data with exactly those paths changed."""
    name = posixpath.basename(rename.new)
    try:
        docs = load(text)
    except Exception:  # noqa: BLE001 - unparsable YAML holds no reference this fix can follow
        return None
    source = textedit.Text(text)
    edits: list[textedit.Edit] = []
    mention = re.compile(r"(?<![\w.-])" + re.escape(rename.old) + r"(?![\w.-])")
    for doc in docs:
        followed = set()
        for ref in references(doc, path):
            followed.add((id(ref.container), ref.key))
            if _TEMPLATE.search(ref.value) or (ref.glob and _GLOB.search(ref.value)):
                if may_enter(ref.value, ref.base, rename.old, name):
                    raise Refused(f"{path}: the reference `{ref.value}` may point into {rename.old}")
                continue
            new_value = rewrite(ref.value, ref.base, rename.old, name)
            if new_value is not None:
                edits += edits_for(source, ref, new_value)
                ref.container[ref.key] = new_value  # the expected data after the edit
        for container, key, value in _strings(doc):
            if (id(container), key) not in followed and mention.search(value):
                raise Refused(f"{path}: `{value}` names it in a field this fix does not rewrite")
    if not edits:
        return None
    new_text = textedit.apply(text, edits)
    try:
        if load(new_text) != docs:
            raise Refused(f"{path}: the references could not be rewritten in place")
    except Refused:
        raise
    except Exception as error:  # noqa: BLE001 - an edit that breaks the YAML refuses the rename
        raise Refused(f"{path}: the references could not be rewritten in place") from error
    return new_text
