"""Delegating a build to an installed `kubectl kustomize` or `kustomize build` (`--renderer`).

Used only when the user asks for it. The binary reads the files itself, so a tree that is not a
directory on disk (a git revision) is first written to a temporary directory. Objects come back
without origins (source is the root's kustomization directory).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from gitops_lint.core.findings import FILE_START
from gitops_lint.core.loader import parse_text
from gitops_lint.core.source import SourceTree, normalize
from gitops_lint.render import RenderedObject, RenderResult
from gitops_lint.render.errors import RenderError

RENDERERS = ("kubectl", "kustomize")
_NOISE = re.compile(r'^E\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=')


def command(renderer: str, directory: str, load_restrictor: str) -> list[str]:
    """The command line that builds `directory` with the chosen binary."""
    restrictor = "LoadRestrictionsNone" if load_restrictor == "none" else "LoadRestrictionsRootOnly"
    if renderer == "kubectl":
        return ["kubectl", "kustomize", directory, f"--load-restrictor={restrictor}"]
    if renderer == "kustomize":
        return ["kustomize", "build", directory, f"--load-restrictor={restrictor}"]
    raise RenderError(f"unknown renderer {renderer!r}; choose one of {', '.join(RENDERERS)}")


def render_external(
    tree: SourceTree,
    root_dir: str,
    *,
    renderer: str = "kubectl",
    load_restrictor: str = "rootonly",
    timeout: float = 300,
) -> RenderResult:
    """Build `root_dir` of `tree` with an external binary; RenderError with its message on failure."""
    binary = "kubectl" if renderer == "kubectl" else "kustomize"
    if shutil.which(binary) is None:
        raise RenderError(f"--renderer {renderer}: `{binary}` is not installed or not on PATH")
    root = normalize(root_dir) if root_dir not in ("", ".") else ""
    on_disk = getattr(tree, "root", None)
    with tempfile.TemporaryDirectory(prefix="gitops-lint-render-") as tmp:
        if isinstance(on_disk, Path):
            base = on_disk
        else:
            base = Path(tmp)
            for rel in tree.files():
                target = base / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tree.read_bytes(rel))
        try:
            proc = subprocess.run(
                command(renderer, str(base / root) if root else str(base), load_restrictor),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RenderError(f"{binary} did not finish within {timeout:.0f} s", root or None) from None
    if proc.returncode != 0:
        raise RenderError(_clean(proc.stderr, str(base)), root or None)
    parsed = parse_text(f"{root or '.'} ({binary})", proc.stdout)
    if parsed.violations:
        raise RenderError(
            f"cannot parse the output of {binary}: {parsed.violations[0].message}", root or None
        )
    source = root or "."
    objects = [
        RenderedObject(d.data, source, FILE_START) for d in parsed.documents if isinstance(d.data, dict)
    ]
    return RenderResult(root, objects)


def _clean(stderr: str, base: str) -> str:
    """The binary's error message without log prefixes and with repo-relative paths."""
    lines = [ln for ln in stderr.strip().splitlines() if not ln.startswith("# Warning")]
    text = " ".join(_NOISE.sub("", ln).strip() for ln in lines if ln.strip())
    text = text.replace(base.rstrip("/") + "/", "").replace('\\"', '"').strip('"')
    return text or "the external renderer failed"
