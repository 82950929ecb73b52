"""Conformance of `gitops-lint build` (the built-in renderer) with `kubectl kustomize`.

    python benchmarks/render_conformance.py [--verbose] [--repo] [DIR...]

Each DIR is a directory of repositories (every subdirectory is one repository; with `--repo`, DIR is
itself one repository). Default: the render fixtures and the shared corpus (`shared/corpus` beside
the project or one of its parents). Every directory holding a kustomization file is built by both;
where kubectl builds it, the two streams must hold the same documents in the same order; where
kubectl fails, ours must fail too. Differences are printed per class (see `classify`). Exit 1 on any
disagreement. Also imported by tests/test_render_conformance.py and tests/render_fuzz.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gitops_lint.core.loader import parse_text  # noqa: E402
from gitops_lint.core.source import WorkingTree  # noqa: E402
from gitops_lint.render import RenderCache, RenderError, render  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "render"
NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def find_corpus() -> Path | None:
    """`shared/corpus` beside the project or beside one of its parents (worktrees sit deeper)."""
    for parent in REPO.parents:
        candidate = parent / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return None


CORPUS = find_corpus()


def kustomization_dirs(top: Path) -> list[Path]:
    """Every directory below `top` holding a kustomization file (Components included)."""
    return sorted({p.parent for name in NAMES for p in top.rglob(name) if ".git" not in p.parts})


def repositories(tops: list[Path], single: bool) -> list[Path]:
    """The repositories to walk: each top itself (`single`), else its subdirectories."""
    if single:
        return tops
    return [p for top in tops for p in sorted(top.iterdir()) if p.is_dir() and not p.name.startswith(".")]


def kubectl_build(directory: Path) -> tuple[bool, str]:
    """(built, stdout or stderr) of `kubectl kustomize DIR`."""
    proc = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=300
    )
    return proc.returncode == 0, proc.stdout if proc.returncode == 0 else proc.stderr


def documents(text: str) -> list:
    """The documents of a YAML stream as plain data."""
    return [d.data for d in parse_text("<stream>", text).documents]


class Builder:
    """`gitops-lint build` in-process: one working tree per repository, renders cached across dirs."""

    def __init__(self) -> None:
        self._trees: dict[Path, WorkingTree] = {}
        self._cache = RenderCache()

    def build(self, root: Path, directory: Path) -> tuple[bool, str]:
        tree = self._trees.get(root)
        if tree is None:
            tree = self._trees[root] = WorkingTree(root, use_git=False)
        rel = directory.relative_to(root).as_posix()
        try:
            result = render(tree, "" if rel == "." else rel, cache=self._cache)
        except RenderError as exc:
            return False, str(exc)
        return True, result.to_yaml()


_builder = Builder()


def repo_root_of(directory: Path) -> Path:
    """The repository a directory belongs to: a corpus repository, or a fixture case folder."""
    for top in (CORPUS, FIXTURES):
        if top is None:
            continue
        try:
            rel = directory.relative_to(top)
        except ValueError:
            continue
        return top / rel.parts[0] if rel.parts else top
    return directory


def our_build(directory: Path, root: Path | None = None) -> tuple[bool, str]:
    """Our render of `directory` (YAML text) or the error message."""
    return _builder.build(root or repo_root_of(directory), directory)


def compare(directory: Path, expected: tuple[bool, str] | None = None, root: Path | None = None) -> tuple[str, str]:
    """('same'|'both-fail'|'differ'|'we-fail'|'we-pass', detail); 'same' means the same documents
    (detail "text differs" when the printed text is not byte-identical)."""
    ok_k, out_k = expected if expected is not None else kubectl_build(directory)
    ok_o, out_o = our_build(directory, root)
    if not ok_k:
        return ("both-fail", out_o) if not ok_o else ("we-pass", out_k.strip()[:300])
    if not ok_o:
        return "we-fail", out_o
    exp, got = documents(out_k), documents(out_o)
    if exp == got:
        return "same", "" if out_k == out_o else "text differs"
    return "differ", first_difference(exp, got)


def _ident(d) -> str:
    meta = d.get("metadata") if isinstance(d, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    kind = d.get("kind") if isinstance(d, dict) else None
    return f"{kind}/{meta.get('namespace', '')}/{meta.get('name')}"


def first_difference(exp: list, got: list) -> str:
    """A one-paragraph description of the first difference, prefixed by its classes."""
    classes = ",".join(sorted(classify(exp, got)))
    ids_e, ids_g = [_ident(d) for d in exp], [_ident(d) for d in got]
    if ids_e != ids_g:
        if sorted(ids_e) == sorted(ids_g):
            i = next(i for i, (a, b) in enumerate(zip(ids_e, ids_g, strict=False)) if a != b)
            return f"[{classes}] order differs at {i}: kubectl {ids_e[i : i + 4]} ours {ids_g[i : i + 4]}"
        only_k, only_o = sorted(set(ids_e) - set(ids_g)), sorted(set(ids_g) - set(ids_e))
        return f"[{classes}] objects differ: only kubectl {only_k}, only ours {only_o}"
    for e, g in zip(exp, got, strict=True):
        if e != g:
            leaves = "; ".join(f"{'.'.join(map(str, p))}: kubectl {a!r} ours {b!r}" for p, a, b in leaf_diffs(e, g)[:5])
            return f"[{classes}] {_ident(e)}: {leaves}"
    return f"[{classes}] ?"


_MISSING = object()


def leaf_diffs(a, b, path: tuple = ()) -> list[tuple[tuple, object, object]]:
    """(path, kubectl value, our value) for every differing leaf; `_MISSING` where one side lacks it."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in list(a) + [k for k in b if k not in a]:
            out += leaf_diffs(a.get(key, _MISSING), b.get(key, _MISSING), (*path, key))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in leaf_diffs(x, y, (*path, i))]
    if a == b and type(a) is type(b):
        return []
    return [(path, a, b)]


def _leaf_class(path: tuple, a, b) -> str:
    if a is _MISSING or b is _MISSING:
        present = b if a is _MISSING else a
        return "null-or-empty" if present in (None, {}, [], "") else "field-presence"
    if None in (a, b) or {} in (a, b) or "" in (a, b):
        return "null-or-empty"
    if path[:2] == ("metadata", "annotations") and isinstance(a, str):
        return "annotation-string"
    if isinstance(a, (int, float, bool)) or isinstance(b, (int, float, bool)):
        return "yaml11-scalar"
    if isinstance(a, str) and isinstance(b, str) and ("\n" in a or "\n" in b):
        return "block-scalar"
    return "value"


def classify(exp: list, got: list) -> set[str]:
    """Classes of the differences between kubectl's documents and ours."""
    ids_e, ids_g = [_ident(d) for d in exp], [_ident(d) for d in got]
    if sorted(ids_e) != sorted(ids_g):
        return {"object-set"}
    classes = {"order"} if ids_e != ids_g else set()
    by_id = {i: d for i, d in zip(ids_g, got, strict=True)}
    for ident, e in zip(ids_e, exp, strict=True):
        classes |= {_leaf_class(p, a, b) for p, a, b in leaf_diffs(e, by_id[ident])}
    return classes


def run(dirs: list[tuple[Path, Path]], verbose: bool) -> Counter:
    """Compare every (repository, kustomization dir); print disagreements; count statuses and classes."""
    counts: Counter = Counter()
    with ThreadPoolExecutor(2) as pool:
        expected = pool.map(lambda rd: kubectl_build(rd[1]), dirs)
        for (root, d), exp in zip(dirs, expected, strict=True):
            status, detail = compare(d, exp, root)
            counts[status] += 1
            counts["byte-identical"] += status == "same" and not detail
            if status == "differ":
                for cls in detail[1 : detail.index("]")].split(","):
                    counts[f"class:{cls}"] += 1
            if status not in ("same", "both-fail") or verbose:
                print(f"{status:9} {d}" + (f"\n  {detail[:1500]}" if status != "same" else ""))
    return counts


def main(argv: list[str]) -> int:
    if shutil.which("kubectl") is None:
        print("kubectl not found")
        return 2
    verbose = "--verbose" in argv
    tops = [Path(a).resolve() for a in argv if not a.startswith("--")]
    if tops:
        repos = repositories(tops, "--repo" in argv)
    else:
        repos = repositories([FIXTURES], False) + (repositories([CORPUS], False) if CORPUS else [])
    dirs = [(r, d) for r in repos for d in kustomization_dirs(r)]
    counts = run(dirs, verbose)
    buildable = counts["same"] + counts["differ"] + counts["we-fail"]
    agree = counts["same"] + counts["both-fail"]
    print(f"\nrepositories: {len(repos)}; kustomizations: {len(dirs)}")
    print(f"buildable by kubectl: {buildable}; equal: {counts['same']} "
          f"({100.0 * counts['same'] / max(buildable, 1):.1f}%; byte-identical text: {counts['byte-identical']}); "
          f"different: {counts['differ']}; we fail: {counts['we-fail']}")
    print(f"kubectl fails: {counts['both-fail'] + counts['we-pass']}; we fail too: {counts['both-fail']}; "
          f"we build: {counts['we-pass']}")
    classes = sorted((k[6:], v) for k, v in counts.items() if k.startswith("class:"))
    print("different per class: " + (", ".join(f"{k} {v}" for k, v in classes) or "none"))
    return 0 if agree == len(dirs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
