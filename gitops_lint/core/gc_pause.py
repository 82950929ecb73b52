"""Pausing Python's cyclic garbage collector around bulk parsing and a whole `check` run.

Parsing a repository allocates millions of container objects and keeps most of what it builds
(documents and their position tables), so the collector's full passes over a growing heap cost
about a fifth of the parse phase while finding nothing: the loader makes no reference cycles
(a recursive alias, refused as unsafe content, is the exception; it is freed once collection
resumes). The rules that follow keep walking that heap for the same nothing (`api.lint_tree`
pauses the collector for the whole run: about 1 s of a 9 s run on 17,000 files, 9 MiB more peak
memory). Reference counting still frees every other object at once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with cyclic collection off; the collector's previous state is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
