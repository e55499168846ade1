"""Loading the pass flow's modules before the first drop, on a thread of their own.

Imported at the first drop instead, the reassignment controller and everything it pulls in
(permissions, moves, rule plans, the outbox, change notices) held the GUI thread for about
60 ms: the longest stretch of GUI-thread work in a session, and time added to the pass.
Only modules without Qt are loaded here (Qt classes are made on the GUI thread); what
``pass_dialogs`` adds on top is a few milliseconds.
"""

from __future__ import annotations

import importlib
import threading

PRELOAD_THREAD = "leaddesk-pass-flow-preload"
PASS_FLOW_MODULES = ("leaddesk.reassignment.controller",)


def preload_pass_flow() -> threading.Thread:
    """Start loading the pass flow's modules; a drop that comes first imports them itself
    (Python's import lock makes it wait for this thread's import rather than repeat it)."""
    thread = threading.Thread(target=_load, name=PRELOAD_THREAD, daemon=True)
    thread.start()
    return thread


def _load() -> None:
    for name in PASS_FLOW_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the drop imports it again and shows the failure there
            return
