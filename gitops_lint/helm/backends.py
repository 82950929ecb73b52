"""Render backends: helm-python-sdk (Helm v4's Go SDK through ctypes) and the `helm template` binary.

Both take a chart archive (bytes) and values, and return `{template path: manifest text}`. Neither runs
hooks, post-renderers or plugins, and neither contacts a cluster (`lookup` returns nothing)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any, Protocol

SDK_MODULE = "helm_python"
SOURCE_LINE = re.compile(r"^# Source: (.+)$", re.MULTILINE)


class ChartRenderError(Exception):
    """Helm refused the chart or its values: the template's (or schema's) own message."""


@dataclass(frozen=True)
class RenderRequest:
    """One release to render: the chart archive, the release identity and the merged user values."""

    archive: bytes
    release: str
    namespace: str
    values: dict[str, Any] = field(default_factory=dict)
    include_crds: bool = True


class Backend(Protocol):
    """What a render backend offers."""

    name: str

    def render(self, request: RenderRequest) -> dict[str, str]:
        """`{template path: manifest}`; raises ChartRenderError with Helm's message."""
        ...


class SdkBackend:
    """helm-python-sdk, in the worker process: the chart is loaded from the archive bytes (no files)."""

    name = "sdk"

    def __init__(self) -> None:
        import helm_python  # the optional extra gitops-lint[helm]

        self._helm = helm_python
        self._charts: dict[str, Any] = {}  # loaded charts by archive digest (one worker, many releases)

    def render(self, request: RenderRequest) -> dict[str, str]:
        """Render with Helm's Go SDK; CRDs from `crds/` first when `include_crds`."""
        helm = self._helm
        key = hashlib.sha256(request.archive).hexdigest()
        try:
            chart = self._charts.get(key)
            if chart is None:
                chart = self._charts[key] = helm.Chart.load_archive(request.archive)
            out: dict[str, str] = {}
            if request.include_crds:
                for crd in chart.crds:
                    out[crd.get("filename") or crd.get("name", "crds")] = crd.get("data", "")
            out.update(chart.render(request.values, name=request.release, namespace=request.namespace,
                                    is_install=True))
            return out
        except helm.HelmError as exc:
            raise ChartRenderError(str(exc)) from None


class BinaryBackend:
    """`helm template` run on a temporary copy of the archive, with plugins disabled and an empty
    Helm home (no repository configuration, registry credentials or plugins are read)."""

    name = "binary"

    def __init__(self, executable: str | None = None) -> None:
        found = executable or shutil.which("helm")
        if found is None:
            raise RuntimeError("no `helm` binary on PATH")
        self.executable = found

    def command(self, chart: str, values: str, request: RenderRequest) -> list[str]:
        """The `helm template` command line for `request` (chart and values files already written)."""
        cmd = [self.executable, "template", request.release, chart, "--namespace", request.namespace,
               "--values", values, "--skip-tests"]
        if request.include_crds:
            cmd.append("--include-crds")
        return cmd

    def render(self, request: RenderRequest) -> dict[str, str]:
        """Run `helm template` and split its output by `# Source:` comments."""
        with tempfile.TemporaryDirectory(prefix="gitops-lint-helm-") as tmp:
            chart = os.path.join(tmp, "chart.tgz")
            values = os.path.join(tmp, "values.json")
            with open(chart, "wb") as fh:
                fh.write(request.archive)
            with open(values, "w", encoding="utf-8") as fh:
                json.dump(request.values, fh)
            home = os.path.join(tmp, "home")
            env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "HELM_NO_PLUGINS": "1",
                   "HELM_PLUGINS": os.path.join(home, "plugins"), "HELM_CACHE_HOME": os.path.join(home, "cache"),
                   "HELM_CONFIG_HOME": os.path.join(home, "config"), "HELM_DATA_HOME": os.path.join(home, "data")}
            proc = subprocess.run(self.command(chart, values, request), capture_output=True, env=env,
                                  cwd=tmp, check=False)
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip()
            raise ChartRenderError(message.removeprefix("Error: ") or f"helm exited with {proc.returncode}")
        return split_sources(proc.stdout.decode("utf-8", "replace"))


def split_sources(stream: str) -> dict[str, str]:
    """`helm template` output → `{template path: manifest}` (documents of one template joined)."""
    out: dict[str, str] = {}
    for chunk in re.split(r"^---\s*$", stream, flags=re.MULTILINE):
        match = SOURCE_LINE.search(chunk)
        if not chunk.strip() or match is None:
            continue
        name = match.group(1).strip()
        out[name] = f"{out[name]}\n---\n{chunk}" if name in out else chunk
    return out


def sdk_available() -> bool:
    """True when the `gitops-lint[helm]` extra (helm-python-sdk) is installed."""
    return importlib.util.find_spec(SDK_MODULE) is not None


def choose_backend(preferred: str | None = None) -> str | None:
    """The backend to use: the SDK when installed, else a `helm` binary on PATH, else None."""
    if preferred in ("sdk", "binary"):
        return preferred
    if sdk_available():
        return "sdk"
    if shutil.which("helm"):
        return "binary"
    return None


def make_backend(name: str) -> Backend:
    """Instantiate the backend called `name` ("sdk" or "binary")."""
    if name == "sdk":
        return SdkBackend()
    return BinaryBackend()
