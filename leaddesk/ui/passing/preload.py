"""Loading the pass flow's modules before the first drop, on a thread of their own.

Imported at the first drop instead, the reassignment controller and everything it pulls in
(permissions, moves, rule plans, the outbox, change notices) held the GUI thread for about
60 ms: the longest stretch of GUI-thread work in a session, and time added to the pass.
Only modules without Qt are loaded here (Qt classes are made on the GUI thread); what
``pass_dialogs`` adds on top is a few milliseconds.

Whether the login may write is asked here too, on the read lane: asked by the first pass,
it added a connection's BEGIN, query and ROLLBACK to the person's wait (three round trips).
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leaddesk.store.database import Database
    from leaddesk.ui.common.operations import OperationRunner

PRELOAD_THREAD = "leaddesk-pass-flow-preload"
PASS_FLOW_MODULES = ("leaddesk.reassignment.controller",)


def preload_pass_flow(runner: OperationRunner, database: Database) -> threading.Thread:
    """Start loading the pass flow's modules; a drop that comes first imports them itself
    (Python's import lock makes it wait for this thread's import rather than repeat it)."""
    # The answer is kept by the database; a failure here is asked again (and shown) by the
    # first pass.
    runner.query(lambda _session: database.read_only, _ignore, on_error=_ignore_error)
    thread = threading.Thread(target=_load, name=PRELOAD_THREAD, daemon=True)
    thread.start()
    return thread


def _load() -> None:
    for name in PASS_FLOW_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the drop imports it again and shows the failure there
            return


def _ignore(_answer: object) -> None:
    pass


def _ignore_error(_message: str, _exc: BaseException) -> None:
    pass
