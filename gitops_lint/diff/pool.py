"""Diff many roots on several CPUs: forked workers share the parent's parsed files and read bytes.

Only used where `fork` exists (Linux) and enough roots are affected to pay for it. Each worker is
forked with the job (both sides and the function that diffs one root) as its argument, so nothing
is pickled but the batches of roots and the results, and no module state is needed. Workers never
talk to the parent's `git cat-file` process (each starts its own if it must read), and send back
resources without their source `Document` (large position tables); the parent re-attaches the
document from its own parse cache.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MIN_ROOTS = 48  # below this, a pool costs more than it saves
POLL_SECONDS = 1.0  # how often the parent checks that its workers are alive while it waits


def workers(requested: int | None, roots: int) -> int:
    """How many processes to use for `roots` affected roots (1: stay in this process)."""
    if roots < MIN_ROOTS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested or available, available, roots // (MIN_ROOTS // 2)))


@dataclass
class _Job:
    """What every worker runs: `diff_one(base, head, root, status)` for each root of a batch."""

    base: Any
    head: Any
    diff_one: Callable

    def run(self, batch: list[tuple[str, str]]) -> list:
        out = []
        for root, status in batch:
            rdiff = self.diff_one(self.base, self.head, root, status)
            for change in rdiff.changes:
                for resource in (change.base, change.head):
                    if resource is not None:
                        resource.document = None  # re-attached by the parent
            out.append(rdiff)
        return out


def _serve(job: _Job, tasks, results) -> None:
    """A worker's loop: (index, batch) from `tasks` until None; (index, rdiffs, error) to `results`."""
    for side in (job.base, job.head):
        if hasattr(side.tree, "_proc"):
            side.tree._proc = None  # the parent's pipe: never shared, a worker starts its own
    for index, batch in iter(tasks.get, None):
        try:
            results.put((index, job.run(batch), None))
        except Exception as exc:  # sent to the parent, which raises it
            results.put((index, None, _picklable(exc)))


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"{exc.__class__.__name__}: {exc}")
    return exc


def diff_roots(
    base, head, affected: list[tuple[str, str]], diff_one: Callable, jobs: int | None = None
) -> list:
    """`diff_one(base, head, root, status)` for every affected root, in order."""
    n = workers(jobs, len(affected))
    if n <= 1:
        return [diff_one(base, head, root, status) for root, status in affected]
    size = max(1, len(affected) // (n * 4))
    batches = [affected[i : i + size] for i in range(0, len(affected), size)]
    job = _Job(base, head, diff_one)
    results = [rdiff for batch in _run_forked(job, batches, n) for rdiff in batch]
    for rdiff in results:
        for change in rdiff.changes:
            if change.base is not None:
                change.base.document = base.document_at(change.base.path, change.base.position)
            if change.head is not None:
                change.head.document = head.document_at(change.head.path, change.head.position)
    return results


def _run_forked(job: _Job, batches: list[list[tuple[str, str]]], n: int) -> list[list]:
    """The results of `job.run` for every batch, in order, from `n` forked workers."""
    context = multiprocessing.get_context("fork")
    tasks, results = context.Queue(), context.Queue()
    procs = [context.Process(target=_serve, args=(job, tasks, results), daemon=True) for _ in range(n)]
    for proc in procs:
        proc.start()
    try:
        for item in enumerate(batches):
            tasks.put(item)
        for _ in procs:
            tasks.put(None)
        done: dict[int, list] = {}
        while len(done) < len(batches):
            try:
                index, rdiffs, error = results.get(timeout=POLL_SECONDS)
            except queue.Empty:  # a worker that died, or all gone with results missing: never wait forever
                if any(p.exitcode not in (None, 0) for p in procs) or all(p.exitcode is not None for p in procs):
                    raise RuntimeError("a diff worker process stopped before returning its roots") from None
                continue
            if error is not None:
                raise error
            done[index] = rdiffs
        return [done[i] for i in range(len(batches))]
    finally:
        for proc in procs:
            proc.join(timeout=POLL_SECONDS)
            if proc.is_alive():
                proc.terminate()
                proc.join()
