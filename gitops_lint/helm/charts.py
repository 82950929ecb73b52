"""Charts in the repository: directories with a `Chart.yaml`, packed into an archive for the backends.

Chart files are data: they are read through the SourceTree (a working tree or a git revision),
`.helmignore` is honoured as Helm honours it, a symlink that leaves the chart directory is refused,
and the chart's total size is bounded. Dependencies vendored under `charts/` (directories or `.tgz`)
travel inside the archive, where Helm's loader finds them."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import posixpath
import tarfile
from dataclasses import dataclass

import pathspec

from gitops_lint.core.datapath import as_list
from gitops_lint.core.loader import parse_text
from gitops_lint.core.source import SourceTree, dirs_holding

MAX_CHART_BYTES = 32 * 1024 * 1024


class ChartError(Exception):
    """The chart cannot be packed (missing, unsafe or oversized)."""


@dataclass(frozen=True)
class PackedChart:
    """A chart ready to render: its archive bytes, Chart.yaml name/version and a content digest."""

    directory: str
    name: str
    version: str
    archive: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.archive).hexdigest()


def chart_dirs(files: list[str]) -> set[str]:
    """Directories holding a `Chart.yaml` (each is a chart, vendored subcharts included)."""
    return dirs_holding(files, "Chart.yaml")


def chart_metadata(text: str, path: str = "Chart.yaml") -> dict:
    """The parsed `Chart.yaml` (an empty dict when it does not parse to a mapping)."""
    parsed = parse_text(path, text)
    data = parsed.documents[0].data if parsed.documents else None
    return data if isinstance(data, dict) else {}


def pack_chart(tree: SourceTree, directory: str, files: list[str] | None = None) -> PackedChart:
    """Pack the chart in `directory` (repo-relative) into a deterministic `.tgz`."""
    prefix = f"{directory}/" if directory else ""
    listing = [f for f in (files if files is not None else tree.files()) if f.startswith(prefix)]
    if f"{prefix}Chart.yaml" not in listing:
        raise ChartError(f"{directory or '.'} holds no Chart.yaml")
    meta = chart_metadata(_text(tree, f"{prefix}Chart.yaml"))
    name = str(meta.get("name") or posixpath.basename(directory) or "chart")
    ignore = _helmignore(tree, prefix, listing)
    _refuse_escaping_links(tree, directory, listing)
    _check_dependencies(tree, prefix, meta, listing)
    buffer = io.BytesIO()
    total = 0
    # gzip header mtime 0 and tar entries without times: the same files always give the same digest
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w") as tar:
        for path in sorted(listing):
            rel = path[len(prefix):]
            if ignore is not None and ignore.match_file(rel):
                continue
            data = tree.read_bytes(path)
            total += len(data)
            if total > MAX_CHART_BYTES:
                raise ChartError(f"chart {directory} is larger than {MAX_CHART_BYTES // (1024 * 1024)} MB")
            info = tarfile.TarInfo(f"{name}/{rel}")
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return PackedChart(directory, name, str(meta.get("version") or ""), buffer.getvalue())


def _check_dependencies(tree: SourceTree, prefix: str, meta: dict, listing: list[str]) -> None:
    """Helm's install-time check: every dependency in Chart.yaml is vendored under charts/ (a directory
    or an archive), whatever its condition."""
    deps = as_list(meta.get("dependencies"))
    wanted = [str(d.get("name")) for d in deps if isinstance(d, dict) and d.get("name")]
    if not wanted:
        return
    present = set()
    for path in listing:
        rel = path[len(prefix):]
        parts = rel.split("/")
        if len(parts) == 3 and parts[0] == "charts" and parts[2] == "Chart.yaml":
            present.add(str(chart_metadata(_text(tree, path)).get("name") or parts[1]))
        elif len(parts) == 2 and parts[0] == "charts" and parts[1].endswith((".tgz", ".tar.gz")):
            present.add(_archive_name(tree.read_bytes(path)) or parts[1].rsplit("-", 1)[0])
    missing = [name for name in wanted if name not in present]
    if missing:
        raise ChartError(f"found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}")


def _archive_name(data: bytes) -> str | None:
    raw = archive_file(data, "Chart.yaml", 1 << 20)
    return str(chart_metadata(raw.decode("utf-8", "replace")).get("name") or "") or None if raw else None


def archive_file(archive: bytes, path: str, limit: int = MAX_CHART_BYTES) -> bytes | None:
    """The regular file at `path` (normalised, relative to the chart's root) inside a chart archive, None
    when there is none (a link or device entry is not followed) or the archive does not read."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
            members = {posixpath.normpath(m.name): m for m in tar.getmembers()}  # `./web/…` is `web/…`
            roots = [name.split("/", 1)[0] for name in members
                     if name.count("/") == 1 and name.endswith("/Chart.yaml")]
            if not roots:
                return None
            member = members.get(f"{roots[0]}/{path}")
            if member is None or not member.isfile() or member.size > limit:
                return None
            handle = tar.extractfile(member)
            return handle.read(limit) if handle is not None else None
    except (tarfile.TarError, OSError, EOFError):
        return None


def _text(tree: SourceTree, path: str) -> str:
    try:
        return tree.read_bytes(path).decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        raise ChartError(f"cannot read {path}: {exc}") from None


def _helmignore(tree: SourceTree, prefix: str, listing: list[str]) -> pathspec.PathSpec | None:
    path = f"{prefix}.helmignore"
    if path not in listing:
        return None
    return pathspec.GitIgnoreSpec.from_lines(_text(tree, path).splitlines())


def _refuse_escaping_links(tree: SourceTree, directory: str, listing: list[str]) -> None:
    """A file of a working tree whose real path is outside the chart directory is refused."""
    root = getattr(tree, "root", None)
    if root is None:
        return
    base = os.path.realpath(os.path.join(root, directory))
    for path in listing:
        full = os.path.join(root, path)
        if not os.path.islink(full) and not any(os.path.islink(p) for p in _parents(root, path, directory)):
            continue
        real = os.path.realpath(full)
        if real != base and not real.startswith(base + os.sep):
            raise ChartError(f"{path} is a symlink that leaves the chart directory {directory or '.'}")


def _parents(root: str, path: str, directory: str) -> list[str]:
    out = []
    parent = posixpath.dirname(path)
    while parent and parent != directory and parent.startswith(directory):
        out.append(os.path.join(root, parent))
        parent = posixpath.dirname(parent)
    return out
