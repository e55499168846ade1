"""Freezes our code causes, told apart from the machine's load.

On this shared 2-core machine a wall-clock gap in the event loop (``EventLoopWatch``) mixes
two things: our code keeping the GUI thread busy, and the operating system not running the
GUI thread at all because seven other test runs want the cores. Only the first is a freeze
we can fix, so the slow-link tests measure it in two parts that load cannot inflate:

- ``GuiThreadBusyWatch``: the longest stretch of *CPU time* the GUI thread spent between two
  turns of the event loop (``time.thread_time``: it does not run while the thread waits for a
  core or for the network);
- ``gui_thread_statements`` (tests/helpers/gui_thread_reads.py): every statement and new
  connection the GUI thread sends to a database, with the window code that asked for it.
  Behind a 150 ms link each one is a block of at least 150 ms, so the count is the other
  half of "no block over 100 ms".

The wall-clock longest block is still measured beside (``EventLoopWatch``) and reported.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

TICK_MS = 5


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

    def _tick(self) -> None:
        now = time.thread_time()
        busy_ms = (now - self._last) * 1000.0
        if busy_ms > self.longest_busy_ms:
            self.longest_busy_ms, self.longest_step = busy_ms, self.step
        self._last = now
        self.ticks += 1
