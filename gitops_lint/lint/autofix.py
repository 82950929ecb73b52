"""`check --fix` / `--unsafe-fixes` / `--diff`: plan the fixes of a lint run, then write them or show them.

Each fixable finding's document is found in its file by line; the changes of all findings in one
document are merged and written as surgical text edits (`gitops_lint.lint.textedit`), checked by
parsing the result: the new data must be the old data plus exactly the planned changes, or the file
is left alone. GL204's kustomization rewrite (`gitops_lint.lint.fix_blocks`) runs last on its files.
Only regular files inside the repository that the user may write are touched.
"""

from __future__ import annotations

import copy
import difflib
import os
import posixpath
import stat
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from gitops_lint.core.datapath import dig
from gitops_lint.core.findings import Finding
from gitops_lint.core.source import WorkingTree, read_or_none
from gitops_lint.lint import env_rename, fix_blocks, textedit
from gitops_lint.lint.fixers import FIXERS, Change, FixContext, node_at, rule_is_safe

KUSTOMIZE_RULE = "GL204"


@dataclass(frozen=True)
class FileFix:
    path: str  # repo-relative
    before: str
    after: str
    rules: tuple[str, ...]
    moved_to: str = ""  # repo-relative new path when its directory is renamed (GL106)


@dataclass
class FixPlan:
    files: list[FileFix] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a file with fixable findings was left alone
    renames: list[env_rename.Rename] = field(default_factory=list)  # directories, applied after the edits

    def diff(self) -> str:
        """The unified diff of every planned change (a/ and b/ prefixes, like git; a moved file gets
        git's rename header)."""
        out: list[str] = []
        for f in self.files:
            new = f.moved_to or f.path
            if f.moved_to:
                similarity = "similarity index 100%\n" if f.before == f.after else ""
                out.append(f"diff --git a/{f.path} b/{new}\n{similarity}rename from {f.path}\nrename to {new}\n")
            out += difflib.unified_diff(f.before.splitlines(keepends=True), f.after.splitlines(keepends=True),
                                        f"a/{f.path}", f"b/{new}")
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n\\ No newline at end of file\n"
        return "".join(out)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def _load_all(text: str) -> list:
    """Every document of `text`, round-trip; ruamel's warnings (reused anchors…) are the linter's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(_yaml().load_all(text))


def _plain(node: Any) -> Any:
    """Round-trip data as plain dicts and lists (so that comparisons ignore key order and comments)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _doc_for(docs: list, line: int) -> int | None:
    """The index of the document holding 1-based `line` (documents start at their first node)."""
    hit = None
    for index, doc in enumerate(docs):
        if hasattr(doc, "lc") and doc.lc.line <= line - 1:
            hit = index
    return hit


def _expected(data: Any, base: tuple, add: dict, replace: dict) -> Any:
    """What a document's plain data must become under one merged change."""
    node = dig(data, base)
    if not isinstance(node, dict):
        return data

    def merge(target: dict, values: dict) -> None:
        for key, value in values.items():
            if key not in target:
                target[key] = _plain(value)
            elif isinstance(value, dict) and isinstance(target[key], dict):
                merge(target[key], value)

    merge(node, add)
    for path, value in replace.items():
        parent = dig(node, path[:-1])
        if isinstance(parent, dict) and path[-1] in parent:
            parent[path[-1]] = value
    return data


def _merge(changes: Iterable[Change]) -> dict[tuple, tuple[dict, dict]]:
    merged: dict[tuple, tuple[dict, dict]] = {}
    for change in changes:
        add, replace = merged.setdefault(change.base, ({}, {}))
        _deep_update(add, change.add)
        replace.update(change.replace)
    return merged


def _deep_update(target: dict, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        elif key not in target:
            target[key] = copy.deepcopy(value)


def fix_text(text: str, findings: list[Finding], allowed: Callable[[str, Change], bool], ctx: FixContext | None = None) -> tuple[str, tuple[str, ...]]:
    """The text with the fixes for `findings` applied; `allowed(rule, change)` says which may run."""
    ctx = ctx or FixContext()
    try:
        docs = _load_all(text)
    except Exception:  # noqa: BLE001 - ruamel raises warnings-as-errors too (duplicate keys); no fix then
        return text, ()
    by_doc: dict[int, list[Change]] = defaultdict(list)
    rules = set()
    for finding in findings:
        index = _doc_for(docs, finding.line)
        if index is None or not isinstance(docs[index], dict) or finding.rule not in FIXERS:
            continue
        for change in FIXERS[finding.rule](docs[index], finding, ctx):
            if allowed(finding.rule, change):
                by_doc[index].append(change)
                rules.add(finding.rule)
    source = textedit.Text(text)
    edits, expected = [], [_plain(d) for d in docs]
    for index, changes in by_doc.items():
        step = textedit.indent_step(docs[index])
        for base, (add, replace) in _merge(changes).items():
            node = node_at(docs[index], base)
            if node is None:
                continue
            edits += textedit.add_keys(source, node, add, step)
            for path, value in replace.items():
                parent = node_at(node, path[:-1])
                if parent is not None:
                    edits += textedit.replace_scalar(source, parent, path[-1], value)
            expected[index] = _expected(expected[index], base, add, replace)
    if not edits:
        return text, ()
    new_text = textedit.apply(text, edits)
    try:
        after = [_plain(d) for d in _load_all(new_text)]
    except Exception:  # noqa: BLE001 - an edit that breaks the YAML is dropped
        return text, ()
    return (new_text, tuple(sorted(rules))) if after == expected else (text, ())


def writable_file(root: Path, rel: str) -> tuple[Path | None, str]:
    """The file to write for a repo-relative path, or None and why not."""
    target = root / rel
    try:
        inside = target.resolve().is_relative_to(root.resolve())
    except OSError:
        return None, "unreadable"
    if target.is_symlink() or not inside:
        return None, "a symbolic link or outside the repository"
    if not target.is_file():
        return None, "not a regular file"
    if not os.access(target, os.W_OK) or not target.stat().st_mode & stat.S_IWUSR:  # root ignores modes
        return None, "read-only"
    return target, ""


def plan(root: Path, findings: list[Finding], cards: dict, *, unsafe: bool = False,
         only: Iterable[str] = (), ctx: FixContext | None = None) -> FixPlan:
    """The fixes for a run's findings (safe ones, plus unsafe ones with `unsafe`), nothing written."""
    def allowed(rule: str, change: Change | None = None) -> bool:
        safe = rule_is_safe(rule, cards.get(rule)) and (change is None or change.safe)
        return safe or unsafe

    wanted = set(only)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if (f.rule in FIXERS or (f.rule == KUSTOMIZE_RULE and f.fixable)) and (not wanted or f.path in wanted):
            by_file[f.path].append(f)
    result = FixPlan()
    for rel, found in sorted(by_file.items()):
        target, why = writable_file(root, rel)
        if target is None:
            result.skipped.append(f"{rel}: not fixed ({why})")
            continue
        try:
            raw = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            result.skipped.append(f"{rel}: not fixed (not UTF-8)")
            continue
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        text, rules = fix_text(raw.removeprefix(bom), found, allowed, ctx)
        if any(f.rule == KUSTOMIZE_RULE for f in found) and allowed(KUSTOMIZE_RULE):
            crlf = "\r\n" in text
            rewritten, fields = fix_blocks.fix_kustomization(text.replace("\r\n", "\n"))
            if fields:
                text, rules = (rewritten.replace("\n", "\r\n") if crlf else rewritten), (*rules, KUSTOMIZE_RULE)
        if rules and bom + text != raw:
            result.files.append(FileFix(rel, raw, bom + text, tuple(sorted(rules))))
    if allowed(env_rename.RULE):
        for finding in findings:
            if finding.rule == env_rename.RULE and (not wanted or finding.path in wanted):
                _plan_rename(root, finding, result, wanted)
    return result


def _plan_rename(root: Path, finding: Finding, result: FixPlan, wanted: set[str]) -> None:
    """Add GL106's directory rename and its reference edits to `result`, or a note why not."""
    rename = env_rename.proposed(finding)
    if rename is None:
        result.skipped.append(f"{finding.path}: not fixed ({env_rename.RULE}: no single name to rename it to)")
        return
    try:
        env_rename.check_directory(root, rename)
        if any(r.new == rename.new for r in result.renames):
            raise env_rename.Refused(f"{rename.new} is already the target of another rename")
        if not os.access(root / posixpath.dirname(rename.old), os.W_OK):
            raise env_rename.Refused(f"{posixpath.dirname(rename.old) or '.'} is read-only")
        planned = {f.path: f for f in result.files}
        edited: dict[str, tuple[str, str]] = {}
        name = posixpath.basename(rename.old)
        tree = WorkingTree(root, use_git=False)
        listing = tree.files()  # `.git` and linked directories skipped, links leading outside left out
        for rel in _yaml_files(listing):
            current = planned[rel].after if rel in planned else _read(tree, rel)
            if current is None or not (name in current or "{{" in current or "${" in current):
                continue
            new_text = env_rename.plan_file(current, rel, rename, _load_all)
            if new_text is None:
                continue
            inside = rel.startswith(rename.old + "/")
            if wanted and rel not in wanted and not inside:
                raise env_rename.Refused(f"{rel} refers to it and is not among the files to fix")
            if writable_file(root, rel)[0] is None:
                raise env_rename.Refused(f"{rel} refers to it and cannot be written")
            edited[rel] = (planned[rel].before if rel in planned else current, new_text)
    except env_rename.Refused as why:
        result.skipped.append(f"{rename.old}: not renamed to {posixpath.basename(rename.new)} ({why})")
        return
    for rel, (before, after) in edited.items():
        rules = tuple(sorted({*planned[rel].rules, env_rename.RULE})) if rel in planned else (env_rename.RULE,)
        planned[rel] = FileFix(rel, before, after, rules)
    for rel in (f for f in listing if f.startswith(rename.old + "/")):
        moved = rename.new + rel[len(rename.old):]
        fix = planned.get(rel)
        planned[rel] = FileFix(rel, fix.before, fix.after, tuple(sorted({*fix.rules, env_rename.RULE})), moved) \
            if fix else FileFix(rel, "", "", (env_rename.RULE,), moved)
    result.files = sorted(planned.values(), key=lambda f: f.path)
    result.renames.append(rename)


def _yaml_files(files: list[str]) -> list[str]:
    """The YAML files (and `Kustomization` files) among a listing."""
    return [rel for rel in files if rel.endswith((".yaml", ".yml")) or posixpath.basename(rel) == "Kustomization"]


def _read(tree: WorkingTree, rel: str) -> str | None:
    data = read_or_none(tree, rel)
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


def write(root: Path, fixes: FixPlan) -> None:
    """Write the planned files in place (same inode and mode; bytes outside the edits unchanged), then
    rename the planned directories."""
    for f in fixes.files:
        if f.after != f.before:
            (root / f.path).write_bytes(f.after.encode("utf-8"))
    for rename in fixes.renames:
        os.rename(root / rename.old, root / rename.new)
