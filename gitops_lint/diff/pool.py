"""Diff many roots on several CPUs: forked workers share the parent's parsed files and read bytes.

Only used where `fork` exists (Linux) and enough roots are affected to pay for it. Workers never
talk to the parent's `git cat-file` process (each starts its own if it must read), and send back
resources without their source `Document` (large position tables); the parent re-attaches the
document from its own parse cache.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

MIN_ROOTS = 48  # below this, a pool costs more than it saves
_state: dict = {}  # per worker process: the sides and the function that diffs one root


def workers(requested: int | None, roots: int) -> int:
    """How many processes to use for `roots` affected roots (1: stay in this process)."""
    if roots < MIN_ROOTS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested or available, available, roots // (MIN_ROOTS // 2)))


def _init(base, head, diff_one: Callable) -> None:
    for side in (base, head):
        if hasattr(side.tree, "_proc"):
            side.tree._proc = None  # the parent's pipe: never shared, a worker starts its own
    _state.update(base=base, head=head, diff_one=diff_one)


def _run(batch: list[tuple[str, str]]) -> list:
    out = []
    for root, status in batch:
        rdiff = _state["diff_one"](_state["base"], _state["head"], root, status)
        for change in rdiff.changes:
            for resource in (change.base, change.head):
                if resource is not None:
                    resource.document = None  # re-attached by the parent
        out.append(rdiff)
    return out


def diff_roots(
    base, head, affected: list[tuple[str, str]], diff_one: Callable, jobs: int | None = None
) -> list:
    """`diff_one(base, head, root, status)` for every affected root, in order."""
    n = workers(jobs, len(affected))
    if n <= 1:
        return [diff_one(base, head, root, status) for root, status in affected]
    size = max(1, len(affected) // (n * 4))
    batches = [affected[i : i + size] for i in range(0, len(affected), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=_init, initargs=(base, head, diff_one)
    ) as pool:
        results = [rdiff for batch in pool.map(_run, batches) for rdiff in batch]
    for rdiff in results:
        for change in rdiff.changes:
            if change.base is not None:
                change.base.document = base.document_at(change.base.path, change.base.position)
            if change.head is not None:
                change.head.document = head.document_at(change.head.path, change.head.position)
    return results
