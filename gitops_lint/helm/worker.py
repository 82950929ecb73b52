"""Renders run in a separate worker process with a time and a memory limit.

The worker (`python -m gitops_lint.helm.worker BACKEND`) reads one JSON request per line on stdin and
answers one JSON line on stdout. It is started once and reused; a render that runs past the time
limit gets the worker killed (and a fresh one started for the next release), and a render that
exhausts the address-space limit kills the worker itself: both come back as a `RenderOutcome` error,
never as a hung or crashed run."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field

from gitops_lint.helm.backends import ChartRenderError, RenderRequest, make_backend

DEFAULT_TIMEOUT = 30.0  # seconds per render
DEFAULT_MEMORY_MB = 2048  # address space of the worker (below ~1.5 GB Go's runtime fails under load)
TIMED_OUT = b"<timed out>"


@dataclass
class RenderOutcome:
    """What one render produced: manifests by template, or Helm's error, or why the worker died."""

    manifests: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    killed: bool = False  # the worker hit the time or memory limit


class RenderWorker:
    """One long-lived worker process for a backend; restarted after a kill. Use as a context manager."""

    def __init__(self, backend: str, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB):
        self.backend = backend
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen | None = None
        self._buffer = b""

    def __enter__(self) -> RenderWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> subprocess.Popen:
        limit = self.memory_mb * 1024 * 1024

        def limits() -> None:  # runs in the child before exec
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self._buffer = b""
        return subprocess.Popen([sys.executable, "-m", "gitops_lint.helm.worker", self.backend],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                preexec_fn=limits if os.name == "posix" else None)

    def render(self, request: RenderRequest) -> RenderOutcome:
        """Render `request` in the worker; a time-out or crash becomes an outcome with `killed`."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        proc = self._proc
        line = json.dumps({"archive": base64.b64encode(request.archive).decode("ascii"),
                           "release": request.release, "namespace": request.namespace,
                           "values": request.values, "include_crds": request.include_crds}) + "\n"
        try:
            assert proc.stdin is not None
            proc.stdin.write(line.encode("utf-8"))
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._died()
        answer = self._read_line(proc, time.monotonic() + self.timeout)
        if answer is None:
            return self._died()
        if answer is TIMED_OUT:
            self._kill()
            return RenderOutcome(error=f"render killed after the {self.timeout:g} s time limit "
                                       "(a template loop?)", killed=True)
        reply = json.loads(answer)
        return RenderOutcome(manifests=reply.get("manifests") or {}, error=reply.get("error"))

    def _died(self) -> RenderOutcome:
        self._kill()
        return RenderOutcome(error=f"render worker died (memory limit {self.memory_mb} MB exceeded?)",
                             killed=True)

    def _read_line(self, proc: subprocess.Popen, deadline: float) -> bytes | None:
        """The next answer line; TIMED_OUT past the deadline; None when the worker closed stdout."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return TIMED_OUT
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return TIMED_OUT
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()
        self._proc = None

    def close(self) -> None:
        """Stop the worker process."""
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
        self._kill()


def serve(backend_name: str) -> None:
    """The worker loop: one JSON request per stdin line, one JSON answer per stdout line."""
    backend = make_backend(backend_name)
    for line in sys.stdin:
        request = json.loads(line)
        req = RenderRequest(base64.b64decode(request["archive"]), request["release"], request["namespace"],
                            request.get("values") or {}, bool(request.get("include_crds", True)))
        try:
            answer: dict = {"manifests": backend.render(req)}
        except ChartRenderError as exc:
            answer = {"error": str(exc)}
        except Exception as exc:  # a backend bug must not kill the run: report it as the render's error
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "sdk")
