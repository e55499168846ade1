"""Holding a read's answer back: the late answer of a view the person has moved on from.

``HeldReads(engine).hold_next()`` makes the next read that ends on a worker thread wait,
with its rows already read, at the end of its transaction until ``release()``; meanwhile the
test changes the database and asks the view again, so the held answer is the older one and
arrives last, as over a slow link. Real statements on the real database; only the timing is
the test's.
"""

from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy import Engine, event

HOLD_LIMIT_SECONDS = 20  # a test that forgets to release does not hang the run


class HeldReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.holding = threading.Event()
        self._armed = False
        self._release = threading.Event()
        self._lock = threading.Lock()
        event.listen(engine, "rollback", self._at_end_of_read)

    def hold_next(self) -> None:
        self._armed = True

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self.release()
        event.remove(self.engine, "rollback", self._at_end_of_read)

    def _at_end_of_read(self, _connection: object) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        with self._lock:
            if not self._armed:
                return
            self._armed = False
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
