"""ApplicationSet git generators resolved against the repository, and template parameter substitution.

Directory generators match directories with Go `path.Match` semantics (`*` stays within one path
segment); directories whose name starts with `.` are never generated and `exclude: true` entries win
over includes. File generators use Argo CD's default (greedy) globbing, where `*` may cross `/`.
Parameters follow both template syntaxes: fasttemplate (`{{path.basename}}`, `{{path[0]}}`) and Go
templates (`{{.path.path}}`, `{{index .path.segments 0}}`).
"""

from __future__ import annotations

import bisect
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from gitops_lint.core.loader import Document

PLACEHOLDER = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_INDEX = re.compile(r"^index\s+\.?([\w.]+)\s+(\d+)$")
_UNSUPPORTED = re.compile(r"[^a-zA-Z0-9-]")


@dataclass
class GitGenerator:
    """One `git` generator of an ApplicationSet (possibly nested in a matrix/merge generator)."""

    repo_url: str
    revision: str
    where: tuple  # path of the generator's `git` mapping inside the ApplicationSet document
    directories: list[tuple[str, bool, tuple]] = field(default_factory=list)  # (pattern, exclude, where)
    files: list[tuple[str, tuple]] = field(default_factory=list)  # (pattern, where)


def git_generators(doc: Document) -> list[GitGenerator]:
    """Every git generator of an ApplicationSet document, nested ones included."""
    generators = doc.get("spec", "generators")
    return list(_walk(generators, ("spec", "generators"))) if isinstance(generators, list) else []


def _walk(generators: list, where: tuple) -> Iterator[GitGenerator]:
    for i, gen in enumerate(generators):
        if not isinstance(gen, dict):
            continue
        git = gen.get("git")
        if isinstance(git, dict):
            yield _git(git, (*where, i, "git"))
        for combinator in ("matrix", "merge"):
            inner = gen.get(combinator)
            if isinstance(inner, dict) and isinstance(inner.get("generators"), list):
                yield from _walk(inner["generators"], (*where, i, combinator, "generators"))


def _git(git: dict, where: tuple) -> GitGenerator:
    gen = GitGenerator(str(git.get("repoURL") or ""), str(git.get("revision") or ""), where)
    for j, item in enumerate(_list(git.get("directories"))):
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            gen.directories.append(
                (item["path"], item.get("exclude") is True, (*where, "directories", j, "path"))
            )
    for j, item in enumerate(_list(git.get("files"))):
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            gen.files.append((item["path"], (*where, "files", j, "path")))
    return gen


def _list(value) -> list:
    return value if isinstance(value, list) else []


# -- globbing -------------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def go_path_match(pattern: str) -> re.Pattern:
    """Go `path.Match`: `*` and `?` never match `/`; `[...]` classes with `^` negation."""
    return re.compile(_translate(pattern.strip("/"), star="[^/]*", any_char="[^/]"))


@lru_cache(maxsize=512)
def greedy_glob(pattern: str) -> re.Pattern:
    """Argo CD's default file-generator globbing: `*` may cross `/`; `**/` may match no directory."""
    return re.compile(_translate(pattern.strip("/"), star=".*", any_char="[^/]"))


def _translate(pattern: str, star: str, any_char: str) -> str:
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append(star)
        elif c == "?":
            out.append(any_char)
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith(("^", "!")):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


def files_under(repo, directory: str) -> list[str]:
    """Files below `directory` ("" for the root), by bisection of the repository's sorted file list."""
    files = repo.files  # sorted
    if not directory:
        return files
    prefix = directory + "/"
    start = bisect.bisect_left(files, prefix)
    end = bisect.bisect_left(files, directory + "0")  # "0" sorts right after "/"
    return files[start:end]


def all_directories(files: list[str]) -> list[str]:
    """Every directory holding a file, ancestors included (the repository root excluded)."""
    dirs: set[str] = set()
    for f in files:
        d = posixpath.dirname(f)
        while d and d not in dirs:
            dirs.add(d)
            d = posixpath.dirname(d)
    return sorted(dirs)


def matched_directories(gen: GitGenerator, directories: list[str]) -> list[str]:
    """Directories the generator yields (patterns and results repo-relative), exclusions applied."""
    includes = [go_path_match(p) for p, exclude, _ in gen.directories if not exclude]
    excludes = [go_path_match(p) for p, exclude, _ in gen.directories if exclude]
    out = []
    for d in directories:
        if any(part.startswith(".") for part in d.split("/")):
            continue
        if any(rx.match(d) for rx in includes) and not any(rx.match(d) for rx in excludes):
            out.append(d)
    return out


def matched_files(pattern: str, files: list[str]) -> list[str]:
    rx = greedy_glob(pattern)
    return [f for f in files if rx.match(f)]


# -- parameters -----------------------------------------------------------------------------------
def path_params(directory: str, filename: str | None = None) -> dict[str, str]:
    """The `path.*` parameters Argo CD gives a generated directory (or the directory of a file)."""
    base = posixpath.basename(directory)
    params = {
        "path": directory,
        "path.path": directory,
        "path.basename": base,
        "path.basenameNormalized": _UNSUPPORTED.sub("-", base),
    }
    for i, segment in enumerate(directory.split("/") if directory else []):
        params[f"path[{i}]"] = segment
        params[f"path.segments[{i}]"] = segment
    if filename is not None:
        params["path.filename"] = filename
        params["path.filenameNormalized"] = _UNSUPPORTED.sub("-", filename)
    return params


def flatten(data, prefix: str = "") -> dict[str, str]:
    """Nested mappings flattened into `a.b.c` keys (as the file generator does)."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                out.update(flatten(value, name + "."))
            elif isinstance(value, (str, int, float, bool)):
                out[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def file_content(repo, path: str) -> list[dict]:
    """The parameter mappings a generator file yields (a mapping, or a list of mappings)."""
    data = None
    if path.endswith(".json"):
        try:
            data = json.loads(repo.text(path) or "null")
        except ValueError:
            return []
    else:
        parsed = repo.parsed(path)
        if parsed and parsed.documents:
            data = parsed.documents[0].data
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    return []


def substitute(text: str, params: dict[str, str]) -> str | None:
    """`text` with every placeholder replaced, or None when one cannot be resolved."""
    missing = False

    def repl(m: re.Match) -> str:
        nonlocal missing
        expr = m.group(1)
        index = _INDEX.match(expr)
        key = f"{index.group(1)}[{index.group(2)}]" if index else expr.lstrip(".")
        if key in params:
            return params[key]
        if index and key.replace(".segments[", "[") in params:
            return params[key.replace(".segments[", "[")]
        missing = True
        return ""

    result = PLACEHOLDER.sub(repl, text)
    return None if missing else result


def is_templated(value) -> bool:
    return isinstance(value, str) and "{{" in value
