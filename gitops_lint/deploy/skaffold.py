"""What Skaffold configs deploy: raw manifest globs (`rawYaml`, kubectl `manifests`) and kustomize `paths`,
relative to the repository root (a common way to apply plain manifests beside a kustomization); and the
images a development loop (Skaffold artifacts, Tiltfile `docker_build`) builds and tags itself."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from gitops_lint.core.source import source_relative


def skaffold_manifest_globs(repo) -> list[str]:
    """Manifest globs of Skaffold configs (rawYaml, kubectl manifests)."""
    return list(_entries(repo, ("rawYaml", "manifests")))


def skaffold_kustomize_paths(repo) -> list[str]:
    """Kustomization directories Skaffold's kustomize deployer builds (`paths`)."""
    return list(_entries(repo, ("paths",)))


_TILT_BUILD = re.compile(r"\b(?:docker_build|docker_build_with_restart|custom_build)\(\s*(?:ref\s*=\s*)?"
                         r"['\"]([^'\"]+)['\"]")


def dev_loop_images(repo) -> set[str]:
    """Images a development loop builds: Skaffold `build.artifacts[].image` (in profiles too) and a Tiltfile's
    `docker_build('name', …)`. The tool sets their tag when it deploys, so the untagged name in the
    manifests is not what runs."""
    out: set[str] = set()
    for doc in skaffold_documents(repo):
        out.update(_artifact_images(doc.data))
    for path in repo.files:
        if posixpath.basename(path) == "Tiltfile":
            out.update(_TILT_BUILD.findall(repo.text(path) or ""))
    return out


def _artifact_images(node) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "artifacts" and isinstance(value, list):
                yield from (a["image"] for a in value if isinstance(a, dict) and isinstance(a.get("image"), str))
            else:
                yield from _artifact_images(value)
    elif isinstance(node, list):
        for item in node:
            yield from _artifact_images(item)


def skaffold_documents(repo) -> list:
    """Skaffold configs (`apiVersion: skaffold/…`) among the repository's documents (found once per run)."""
    return repo.derived(_find_skaffold_documents)


def _find_skaffold_documents(repo) -> list:
    found = []
    for doc in repo.documents:  # mappings: the field is read directly, as `Document.api_version` does
        api = doc.data.get("apiVersion")
        if isinstance(api, str) and api.startswith("skaffold/"):
            found.append(doc)
    return found


def _entries(repo, keys: tuple[str, ...]) -> Iterator[str]:
    for doc in skaffold_documents(repo):
        base = posixpath.dirname(doc.path)
        for entry in _string_lists(doc.data, keys):
            clean = source_relative(posixpath.join(base, entry))
            if clean is not None:
                yield clean


def _string_lists(node, keys: tuple[str, ...]) -> Iterator[str]:
    """Strings in lists under any of `keys`, anywhere in a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _string_lists(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from _string_lists(item, keys)
