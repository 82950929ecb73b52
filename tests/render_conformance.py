"""Conformance of the built-in renderer with `kubectl kustomize`.

Run as a script to print the conformance percentage over the project fixtures and the shared corpus:
    python tests/render_conformance.py [--verbose] [DIR...]
Also imported by tests/test_render_conformance.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gitops_lint.core.loader import parse_text  # noqa: E402
from gitops_lint.core.source import WorkingTree  # noqa: E402
from gitops_lint.render import RenderCache, RenderError, render  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "render"
CORPUS = REPO.parent / "shared" / "corpus"
NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomization_dirs(top: Path) -> list[Path]:
    """Every directory below `top` holding a kustomization file (Components included)."""
    return sorted({p.parent for name in NAMES for p in top.rglob(name) if ".git" not in p.parts})


def repo_root_of(directory: Path) -> Path:
    """The repository a directory belongs to: a corpus repo folder, or the fixture case folder."""
    for top in (CORPUS, FIXTURES):
        try:
            rel = directory.relative_to(top)
        except ValueError:
            continue
        return top / rel.parts[0] if rel.parts else top
    return directory


def kubectl_build(directory: Path) -> tuple[bool, str]:
    proc = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=120
    )
    return proc.returncode == 0, proc.stdout if proc.returncode == 0 else proc.stderr


def documents(text: str) -> list:
    parsed = parse_text("<stream>", text)
    return [d.data for d in parsed.documents]


_trees: dict[Path, WorkingTree] = {}
_cache = RenderCache()


def our_build(directory: Path) -> tuple[bool, str]:
    root = repo_root_of(directory)
    tree = _trees.get(root)
    if tree is None:
        tree = _trees[root] = WorkingTree(root, use_git=False)
    rel = directory.relative_to(root).as_posix()
    try:
        result = render(tree, "" if rel == "." else rel, cache=_cache)
    except RenderError as exc:
        return False, str(exc)
    return True, result.to_yaml()


def compare(directory: Path, expected: tuple[bool, str] | None = None) -> tuple[str, str]:
    """('same'|'both-fail'|'differ'|'we-fail'|'we-pass', detail)."""
    ok_k, out_k = expected if expected is not None else kubectl_build(directory)
    ok_o, out_o = our_build(directory)
    if not ok_k:
        return ("both-fail", out_o) if not ok_o else ("we-pass", out_k.strip()[:300])
    if not ok_o:
        return "we-fail", out_o
    exp, got = documents(out_k), documents(out_o)
    if exp == got:
        return "same", ""
    return "differ", _first_difference(exp, got)


def _first_difference(exp: list, got: list) -> str:
    def ident(d):
        return f"{d.get('kind')}/{(d.get('metadata') or {}).get('namespace', '')}/{(d.get('metadata') or {}).get('name')}"

    ids_e, ids_g = [ident(d) for d in exp], [ident(d) for d in got]
    if ids_e != ids_g:
        if sorted(ids_e) == sorted(ids_g):
            i = next(i for i, (a, b) in enumerate(zip(ids_e, ids_g, strict=False)) if a != b)
            return f"order differs at {i}: kubectl {ids_e[i : i + 4]} ours {ids_g[i : i + 4]}"
        return f"objects differ: only kubectl {sorted(set(ids_e) - set(ids_g))}, only ours {sorted(set(ids_g) - set(ids_e))}"
    for e, g in zip(exp, got, strict=True):
        if e != g:
            return f"{ident(e)} differs:\n  kubectl: {e}\n  ours:    {g}"
    return "?"


def main(argv: list[str]) -> int:
    if shutil.which("kubectl") is None:
        print("kubectl not found")
        return 2
    verbose = "--verbose" in argv
    dirs = [Path(a).resolve() for a in argv if not a.startswith("--")]
    if not dirs:
        dirs = kustomization_dirs(FIXTURES) + (kustomization_dirs(CORPUS) if CORPUS.is_dir() else [])
    counts: dict[str, int] = {}
    for d in dirs:
        status, detail = compare(d)
        counts[status] = counts.get(status, 0) + 1
        if status not in ("same", "both-fail") or verbose:
            print(f"{status:9} {d}\n  {detail[:1500]}" if status not in ("same",) else f"{status:9} {d}")
    buildable = counts.get("same", 0) + counts.get("differ", 0) + counts.get("we-fail", 0)
    agree = counts.get("same", 0) + counts.get("both-fail", 0)
    print(f"\n{counts}")
    print(
        f"buildable by kubectl: {buildable}; identical: {counts.get('same', 0)} ({100.0 * counts.get('same', 0) / max(buildable, 1):.1f}%)"
    )
    print(
        f"overall agreement (incl. both failing): {agree}/{len(dirs)} ({100.0 * agree / max(len(dirs), 1):.1f}%)"
    )
    return 0 if agree == len(dirs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
