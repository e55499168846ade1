"""Holding a read's answer back: the late answer of a view the person has moved on from.

``HeldReads().hold_next()`` makes the next window read (``runner.query``) that finishes on a
worker thread wait, with its rows already read and before its answer is handed to the GUI
thread, until ``release()``; meanwhile the test changes the database, asks the view again
or closes the window, so the held answer is the older one and arrives last, as over a slow
link. Real statements on the real database; only the timing is the test's. (The answer is
handed over before the read's closing ROLLBACK, so the hold sits at the end of the read's
work, not at its ROLLBACK.) ``hold_next(at_start=True)`` holds the read before its first
statement instead: what the test changes meanwhile is what the read then sees (a preview
that finds the lead moved, and fails).
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from leaddesk.ui.common import operations

HOLD_LIMIT_SECONDS = 20  # a test that forgets to release does not hang the run


class HeldReads:
    def __init__(self) -> None:
        self.holding = threading.Event()
        self._armed: str | None = None  # "start" or "end": where the next read waits
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._job_init = operations._Job.__init__
        held, job_init = self, self._job_init

        def init(job: Any, database: Any, work: Any, write: bool, relay: Any) -> None:
            job_init(job, database, work if write else held._held_after(work), write, relay)

        operations._Job.__init__ = init  # type: ignore[method-assign]

    def hold_next(self, *, at_start: bool = False) -> None:
        self._armed = "start" if at_start else "end"

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self.release()
        operations._Job.__init__ = self._job_init  # type: ignore[method-assign]

    def _held_after(self, work: operations.Work) -> operations.Work:
        def read(session: Any) -> Any:
            self._hold_if_armed("start")
            answer = work(session)
            self._hold_if_armed("end")
            return answer

        return read

    def _hold_if_armed(self, where: str) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        with self._lock:
            if self._armed != where:
                return
            self._armed = None
        self.holding.set()
        self._release.wait(HOLD_LIMIT_SECONDS)

    def __enter__(self) -> HeldReads:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
