"""The repository root of `gitops-lint build DIR` outside a git work tree.

kustomize has no repository root: an overlay reads `../../base` wherever it is. The renderer confines
file access to a root, so outside git the root is the current directory when DIR is inside it (else
DIR itself), widened to the lowest common ancestor of every local path the kustomization graph from
DIR references (resources, components, patches, generator inputs...), read statically.
"""

from __future__ import annotations

import os
from pathlib import Path

from gitops_lint.core.loader import load_yaml
from gitops_lint.model.kustomizations import KUSTOMIZATION_FILES, build_kustomization

_MAX_DIRECTORIES = 10_000  # a bound on the walk (a hostile graph cannot make it run away)


def build_root(directory: Path, cwd: Path) -> Path:
    """The root for building `directory` outside git: `cwd` (if it holds `directory`, else
    `directory`) widened to hold every local path the kustomization graph references."""
    directory, cwd = directory.resolve(), cwd.resolve()
    root = cwd if directory.is_relative_to(cwd) else directory
    for target in referenced_paths(directory):
        root = Path(os.path.commonpath([root, target]))
    return root


def referenced_paths(directory: Path) -> list[Path]:
    """Absolute local paths referenced by the kustomization in `directory` and by every
    kustomization it reaches (remote entries left out; unreadable files end the walk there)."""
    out: list[Path] = []
    seen: set[Path] = set()
    queue = [directory]
    while queue and len(seen) < _MAX_DIRECTORIES:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        kfile = next((current / n for n in KUSTOMIZATION_FILES if (current / n).is_file()), None)
        if kfile is None:
            continue
        try:
            parsed = load_yaml(kfile.name, kfile.read_bytes())
        except OSError:
            continue
        doc = parsed.documents[0] if parsed.documents else None
        # paths relative to the filesystem root: `..` then never escapes before `/`
        relative = kfile.as_posix().lstrip("/")
        for ref in build_kustomization(relative, doc).references:
            if ref.remote or ref.target is None:
                continue
            target = Path("/" + ref.target).resolve()
            out.append(target)
            if target.is_dir():
                queue.append(target)
    return out
