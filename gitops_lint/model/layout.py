"""Apps and environments from the repository layout (`apps/<app>/base` + `apps/<app>/overlays/<env>`,
or overlays beside the base: `apps/<app>/{base,dev,prod}`)."""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from gitops_lint.core.config import Config
from gitops_lint.core.source import SourceTree
from gitops_lint.model.kustomizations import Kustomization


@dataclass
class App:
    """One app directory of the layout."""

    name: str
    dir: str
    group: str  # which layout glob found it: "apps", "infrastructure" or "clusters"
    base: str | None = None  # the base directory if it exists
    overlays: dict[str, str] = field(default_factory=dict)  # environment -> overlay directory

    @property
    def classic(self) -> bool:
        """Whether this directory follows the base + overlays layout at all."""
        return self.base is not None or bool(self.overlays)


def _glob_dirs(tree: SourceTree, pattern: str) -> list[str]:
    """Directories matching a glob whose segments may use fnmatch wildcards."""
    current = [""]
    for segment in pattern.strip("/").split("/"):
        nxt = []
        for parent in current:
            for name in tree.listdir(parent):
                child = f"{parent}/{name}" if parent else name
                if tree.is_dir(child) and fnmatch.fnmatchcase(name, segment):
                    nxt.append(child)
        current = nxt
    return current


def discover_apps(tree: SourceTree, config: Config, kustomizations: dict[str, Kustomization]) -> dict[str, App]:
    """Apps keyed by directory, from the configured globs."""
    apps: dict[str, App] = {}
    groups = (("apps", config.app_globs), ("infrastructure", config.infrastructure_globs),
              ("clusters", config.cluster_globs))
    for group, globs in groups:
        for pattern in globs:
            for directory in _glob_dirs(tree, pattern):
                if directory in apps:
                    continue
                app = App(name=directory.rsplit("/", 1)[-1], dir=directory, group=group)
                base = f"{directory}/{config.base_dir}"
                if tree.is_dir(base):
                    app.base = base
                overlays = f"{directory}/{config.overlays_dir}"
                if tree.is_dir(overlays):
                    for env in tree.listdir(overlays):
                        if tree.is_dir(f"{overlays}/{env}"):
                            app.overlays[env] = f"{overlays}/{env}"
                elif app.base is not None:
                    app.overlays = _sibling_overlays(tree, directory, app.base, kustomizations)
                apps[directory] = app
    return apps


def _sibling_overlays(tree: SourceTree, directory: str, base: str,
                      kustomizations: dict[str, Kustomization]) -> dict[str, str]:
    """Overlays beside the base (`<app>/{base,dev,prod}`): sibling directories whose kustomization
    includes the base or something inside it."""
    out = {}
    for name in tree.listdir(directory):
        child = f"{directory}/{name}"
        k = kustomizations.get(child)
        if child != base and k is not None and any(
            r.target is not None and (r.target == base or r.target.startswith(base + "/")) for r in k.references
        ):
            out[name] = child
    return out


def infer_environments(apps: Iterable[App]) -> list[str]:
    """Environment names used by at least half of the classic apps (at least one app's worth)."""
    classic = [a for a in apps if a.classic]
    if not classic:
        return []
    counts = Counter(env for a in classic for env in a.overlays)
    threshold = max(1, len(classic) / 2)
    return sorted(env for env, n in counts.items() if n >= threshold)
