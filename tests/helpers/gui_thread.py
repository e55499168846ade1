"""Freezes our code causes, told apart from the machine's load.

On this shared 2-core machine a wall-clock gap in the event loop (``EventLoopWatch``) mixes
two things: our code keeping the GUI thread busy, and the operating system not running the
GUI thread at all because seven other test runs want the cores. Only the first is a freeze
we can fix, so the slow-link tests measure it in two parts that load cannot inflate:

- ``GuiThreadBusyWatch``: the longest stretch of *CPU time* the GUI thread spent between two
  turns of the event loop (``time.thread_time``: it does not run while the thread waits for a
  core or for the network);
- ``GuiThreadDatabaseUse``: every statement and new connection the GUI thread sends to a
  database, with the ``leaddesk/ui`` line that asked for it. Behind a 150 ms link each one
  is a block of at least 150 ms, so the count is the other half of "no block over 100 ms".

The wall-clock longest block is still measured beside (``EventLoopWatch``) and reported.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QTimer
from sqlalchemy import Engine, event

T = TypeVar("T")
TICK_MS = 5
UI_PACKAGE = Path(__file__).resolve().parents[2] / "leaddesk" / "ui"


class GuiThreadBusyWatch(QObject):
    """The longest CPU time the GUI thread spent between two ticks of a 5 ms timer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.longest_busy_ms = 0.0
        self.ticks = 0
        # The step of the script under way (set by the test), and where the longest was.
        self.step = ""
        self.longest_step = ""
        self._last = 0.0
        self._excluded = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> GuiThreadBusyWatch:
        self.longest_busy_ms = 0.0
        self.ticks = 0
        self._last = time.thread_time()
        self._timer.start()
        return self

    def stop(self) -> float:
        self._tick()
        self._timer.stop()
        return self.longest_busy_ms

    def excluding(self, function: Callable[..., T]) -> Callable[..., T]:
        """``function``, with the CPU time it spends on the GUI thread left out of the
        measure: for code another branch is changing, which this measure is not about."""

        def measured(*args: object, **kwargs: object) -> T:
            if threading.current_thread() is not threading.main_thread():
                return function(*args, **kwargs)
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self._excluded += time.thread_time() - started

        return measured

    def _tick(self) -> None:
        now = time.thread_time()
        busy_ms = (now - self._last - self._excluded) * 1000.0
        self._excluded = 0.0
        if busy_ms > self.longest_busy_ms:
            self.longest_busy_ms, self.longest_step = busy_ms, self.step
        self._last = now
        self.ticks += 1


@dataclass
class GuiThreadDatabaseUse:
    """Statements and connects made on the GUI (main) thread, each with where in ``ui`` it
    came from (``ui/buckets/bucket_tab.py:152``)."""

    engines: list[Engine]
    uses: list[tuple[str, str]] = field(default_factory=list)  # (origin, what)

    def __enter__(self) -> GuiThreadDatabaseUse:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "connect", self._connect)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._statement)
            event.remove(engine, "connect", self._connect)

    def origins(self) -> set[str]:
        """The ``ui`` files that used the database on the GUI thread."""
        return {origin.split(":")[0] for origin, _what in self.uses}

    def _statement(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self._record(statement.strip().splitlines()[0][:80])

    def _connect(self, *_args: object) -> None:
        self._record("(new connection)")

    def _record(self, what: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self.uses.append((_ui_origin(), what))


def _ui_origin() -> str:
    # The innermost ui frame: the line of the window's code that read (or wrote).
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(UI_PACKAGE):
            return f"ui/{path.relative_to(UI_PACKAGE).as_posix()}:{frame.f_lineno}"
        frame = frame.f_back
    return "(outside leaddesk/ui)"
