"""`check --fix`: rewrite a kustomization file's deprecated fields (kustomize-deprecated-field) to their modern forms.

ruamel.yaml's round-trip mode keeps comments, key order and quoting. The rewrites follow what
kustomize itself does with these fields, so `kustomize build` renders the same output before and
after:

- `bases` → appended to `resources`
- `patchesStrategicMerge` → `patches` entries (`path:` for files, `patch:` for inline patches),
  placed first because kustomize applies strategic-merge patches before `patches`
- `patchesJson6902` → `patches` entries with the same `target` and `path`/`patch`, placed last
- `commonLabels` → a `labels` entry with `includeSelectors: true` (commonLabels also set selectors)
- `imageTags` → appended to `images`

`vars` has no mechanical equivalent (replacements need the fields that use each variable) and is
left for a person. Only files given to `fix_files` are written, and only when something changed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import CommentToken

FIXABLE_FIELDS = ("bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "imageTags")
_JSON6902_TARGET_KEYS = ("group", "version", "kind", "name", "namespace")


@dataclass(frozen=True)
class FixResult:
    path: str
    fields: tuple[str, ...]  # deprecated fields rewritten


def _yaml_for(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    indented = re.search(r"^([ \t]*)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*#[^\n]*\n)*\1[ \t]+- ", text, re.MULTILINE)
    if indented:
        yaml.indent(mapping=2, sequence=4, offset=2)
    else:
        yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def fix_text(text: str) -> tuple[str, tuple[str, ...]]:
    """The rewritten kustomization text and the deprecated fields it replaced (text unchanged if none)."""
    yaml = _yaml_for(text)
    try:
        data = yaml.load(text)
    except YAMLError:
        return text, ()
    if not isinstance(data, CommentedMap):
        return text, ()
    fixed = tuple(name for name in FIXABLE_FIELDS if name in data and _rewrite(data, name))
    if not fixed:
        return text, ()
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue(), fixed


def fix_files(root: Path, paths: Iterable[str]) -> list[FixResult]:
    """Rewrite the given repo-relative kustomization files in place; return what changed."""
    results = []
    for rel in sorted(set(paths)):
        target = root / rel
        try:
            text = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        bom, crlf = text.startswith("\ufeff"), "\r\n" in text  # both kept as the file had them
        body = text.removeprefix("\ufeff").replace("\r\n", "\n")
        new_text, fields = fix_text(body)
        if fields and new_text != body:
            new_text = new_text.replace("\n", "\r\n") if crlf else new_text
            target.write_bytes((("\ufeff" if bom else "") + new_text).encode("utf-8"))
            results.append(FixResult(rel, fields))
    return results


# -- rewrites: each takes the kustomization mapping, changes it, returns True when it did ----------
def _seq(data: CommentedMap, key: str, before: str) -> CommentedSeq | None:
    """The list under `key`, created where the deprecated field `before` sits when it is missing.

    None when `key` holds something else (a malformed file): the rewrite is then skipped.
    """
    value = data.get(key)
    if isinstance(value, CommentedSeq):
        return value
    if value is not None:
        return None
    new = CommentedSeq()
    if key in data:
        data[key] = new
    else:
        data.insert(list(data.keys()).index(before), key, new)
    return new


def _extend(items: list, target: CommentedSeq) -> None:
    """Append `items` to `target`, carrying the end-of-line comments of a commented sequence along."""
    offset = len(target)
    target.extend(items)
    if isinstance(items, CommentedSeq):
        for index, comment in items.ca.items.items():
            target.ca.items[offset + index] = comment


def _move_comment(data: CommentedMap, old: str, new: str) -> None:
    """Keep the comment that followed the deprecated key (ruamel stores it on the key)."""
    comment = data.ca.items.pop(old, None)
    if comment is not None and new not in data.ca.items:
        data.ca.items[new] = comment


def _drop(data: CommentedMap, old: str, new: str) -> None:
    _move_comment(data, old, new)
    del data[old]


def _move_patches_strategic_merge(entries: list, patches: CommentedSeq) -> None:
    comments = entries.ca.items if isinstance(entries, CommentedSeq) else {}
    for i, value in enumerate(entries):
        key = "patch" if "\n" in value else "path"
        entry = CommentedMap([(key, value)])
        if i in comments and comments[i] and comments[i][0] is not None:
            entry.ca.items[key] = [None, None, comments[i][0], None]  # the item's end-of-line comment
        patches.insert(i, entry)


def _move_patches_json6902(entries: list, patches: CommentedSeq) -> None:
    for entry in entries:
        target = entry.get("target")
        new = CommentedMap()
        if isinstance(target, dict):
            new["target"] = CommentedMap((k, target[k]) for k in _JSON6902_TARGET_KEYS if k in target)
        for key in ("path", "patch"):
            if key in entry:
                new[key] = entry[key]
        patches.append(new)


def _move_common_labels(labels: dict, target: CommentedSeq) -> None:
    pairs = labels if isinstance(labels, CommentedMap) else CommentedMap(labels.items())  # keeps comments
    entry = CommentedMap([("pairs", pairs), ("includeSelectors", True)])
    last = next(reversed(pairs), None) if pairs else None
    trailing = pairs.ca.items.get(last) if last is not None else None
    if trailing and len(trailing) > 2 and trailing[2] is not None:
        _move_blank_lines(trailing[2], entry, "includeSelectors")
    target.append(entry)


def _move_blank_lines(token: CommentToken, entry: CommentedMap, key: str) -> None:
    """Blank and comment lines after the last label belong after the new entry; an end-of-line comment
    stays on its label."""
    value = token.value
    line_end = value.find("\n")
    if line_end < 0 or not value[line_end + 1 :]:
        return
    own, rest = value[: line_end + 1], value[line_end + 1 :]
    token.value = own
    entry.ca.items[key] = [None, None, CommentToken("\n" + rest, token.start_mark, None), None]


def _list_of(kind: type) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(isinstance(e, kind) for e in value)


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


# deprecated field -> (the field that replaces it, which values can be moved, how they are moved)
_REWRITES: dict[str, tuple[str, Callable[[Any], bool], Callable[[Any, CommentedSeq], None]]] = {
    "bases": ("resources", _is_list, _extend),
    "patchesStrategicMerge": ("patches", _list_of(str), _move_patches_strategic_merge),
    "patchesJson6902": ("patches", _list_of(dict), _move_patches_json6902),
    "commonLabels": ("labels", lambda value: isinstance(value, dict), _move_common_labels),
    "imageTags": ("images", _is_list, _extend),
}


def _rewrite(data: CommentedMap, old: str) -> bool:
    """Move deprecated field `old` into the list that replaces it (created where `old` stood); False,
    with nothing changed, when `old` holds something the rewrite cannot move or the new field is not a list."""
    new, accepts, move = _REWRITES[old]
    value = data.get(old)
    if not accepts(value):
        return False
    target = _seq(data, new, old)
    if target is None:
        return False
    move(value, target)
    _drop(data, old, new)
    return True

