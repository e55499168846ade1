"""Starting the process without the cyclic garbage collector.

Start-up creates a few hundred thousand objects that live as long as the process (modules,
classes, SQLAlchemy's mappings, Qt's wrappers) and almost no cyclic garbage, yet with the
collector on CPython scans that growing heap again and again while importing: about a quarter
of a command's CPU time. So the process entry point pauses the collector; once the command is
parsed, or the window built, what exists is frozen (``gc.freeze``: never scanned again) and
collection resumes for the real work.

Only the process entry point pauses: code that calls ``leaddesk.cli.main`` in-process, such as
the tests, keeps its collector as it is, and ``end_startup`` is then a no-op.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Set (to anything) to have the window print when it first painted and when its trees were
# filled, as ``leaddesk-start MILESTONE SECONDS CPU`` lines on stderr: SECONDS is
# ``time.monotonic()``, one clock for every process, so benchmarks/startup.py can subtract
# the moment it started the process; CPU is the process's CPU seconds so far.
TRACE_ENV = "LEADDESK_TRACE_START"

_paused = False


def pause_collection() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def end_startup() -> None:
    """Freeze what start-up built and collect again from here on."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


@contextmanager
def no_collection() -> Iterator[None]:
    """No cyclic collection inside the block, whether or not start-up paused it.

    A collection runs in the thread that triggers it and finalizes whatever garbage it finds;
    while another thread allocates a lot (the database opening beside the GUI thread), that
    could delete a Qt object of the GUI thread from the wrong thread.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def trace(milestone: str) -> None:
    """Report a start-up milestone (``first-paint``, ``trees-filled``) when asked to."""
    if os.environ.get(TRACE_ENV):
        now, cpu = time.monotonic(), time.process_time()
        print(f"leaddesk-start {milestone} {now:.6f} {cpu:.6f}", file=sys.stderr, flush=True)
