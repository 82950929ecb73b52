"""The `gitops-lint` console script: the command line of `cli` with the cyclic garbage collector off,
then a quick exit.

A run over a big repository ends holding hundreds of thousands of objects that the process is about to
drop anyway. The collector's first pass after a run (`core.gc_pause` pauses it during the run) walked
all of them for nothing, and freeing them one by one at interpreter shutdown took longer still: 0.2 s
and 0.45 s of a 2.3 s `check FILE` on the 1,000-app benchmark; a `diff` of every root ran 1.2 s faster
with the same peak memory. So the collector stays off (reference counting still frees all but cycles),
and once standard output and error are flushed the process ends with the command's exit code (as mypy
does): every file the command wrote is closed by then and no worker or thread is left. `cli.main`
itself, which the tests invoke, leaves the collector alone (`cli.console_main` is the script).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable


def run(command: Callable[[], None]) -> None:
    """Run `command` (`cli.main`: a click command, which always ends by SystemExit) as above."""
    gc.disable()
    try:
        command()
    except SystemExit as end:
        if end.code is not None and not isinstance(end.code, int):
            raise  # a message to print: the ordinary exit prints it
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe, a closed stream: let the ordinary exit report it
            raise end from None
        os._exit(end.code or 0)
