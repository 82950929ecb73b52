"""Architecture rules of the package: no import cycle, no module over 400 lines.

An import counts wherever it is written (module level or inside a function: a lazy import is still a
dependency); only imports under `if TYPE_CHECKING:` are left out, as they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

from gitops_lint.core.graph import cycle_path, cyclic_components

PACKAGE = Path(__file__).resolve().parent.parent / "gitops_lint"
MAX_LINES = 400

# Import cycles tolerated for now (none: keep it that way).
KNOWN_CYCLES: list[set[str]] = []


def _modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package __init__)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_init = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_init else parts)] = (path, is_init)
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: all but the bodies of `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            children: list[ast.AST] = [node.test, *node.orelse]
        else:
            children = list(ast.iter_child_nodes(node))
        for child in children:
            visit(child)

    visit(tree)
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports at run time (a name imported from a package counts
    as its submodule when there is one, else as the package)."""
    modules = _modules(package)
    root = package.name
    graph: dict[str, set[str]] = {}
    for name, (path, is_init) in modules.items():
        deps: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in modules)
                continue
            if node.level:
                base = name.split(".") if is_init else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target != root and not target.startswith(root + "."):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                deps.add(sub if sub in modules else target)
        deps.discard(name)
        graph[name] = {d for d in deps if d in modules}
    return graph


def import_cycles(package: Path) -> list[list[str]]:
    """Each import cycle of the package, as the chain of modules that closes it."""
    graph = import_graph(package)
    return [cycle_path(graph, min(c), c) for c in cyclic_components(graph)]


def test_no_import_cycle():
    cycles = [c for c in import_cycles(PACKAGE) if set(c) not in KNOWN_CYCLES]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_no_module_over_400_lines():
    sizes = {p.relative_to(PACKAGE.parent): len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE.rglob("*.py")}
    assert sizes, "no module found"
    too_long = {str(p): n for p, n in sizes.items() if n > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split them by concern): {too_long}"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_cycle_detection_counts_lazy_imports_and_skips_type_checking(tmp_path):
    package = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            # a <-> b through a function-level import: a cycle
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "def f():\n    from pkg.a import x\n    return x\n",
            # c <-> d only through TYPE_CHECKING: not a cycle
            "pkg/c.py": "from pkg.d import y\n",
            "pkg/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.c import z\nelse:\n    pass\n",
            # relative imports resolve: sub.e <-> sub.f
            "pkg/sub/e.py": "from . import f\n",
            "pkg/sub/f.py": "from .e import g\n",
        },
    )
    assert sorted(sorted(c) for c in import_cycles(package)) == [
        ["pkg.a", "pkg.b"],
        ["pkg.sub.e", "pkg.sub.f"],
    ]


def test_known_cycles_still_exist():
    """An exception for a cycle that is gone must be dropped, so that it cannot come back unseen."""
    cycles = [set(c) for c in import_cycles(PACKAGE)]
    stale = [sorted(k) for k in KNOWN_CYCLES if k not in cycles]
    assert not stale, f"these cycles are gone: remove them from KNOWN_CYCLES: {stale}"
