"""How long the Qt event loop was blocked: the window's freezes, measured from inside.

``EventLoopWatch`` ticks a precise timer every few milliseconds on the GUI thread and keeps
the longest gap between two ticks: while the loop is busy (a database read on the GUI
thread, a long paint) no tick runs, so the gap is the freeze a person would feel. It says
nothing about work done on other threads, which is the point.
"""

from __future__ import annotations

import time
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QTimer

TICK_MS = 5


class EventLoopWatch(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.longest_block_ms = 0.0
        self.ticks = 0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> EventLoopWatch:
        self.longest_block_ms = 0.0
        self.ticks = 0
        self._last = time.perf_counter()
        self._timer.start()
        return self

    def stop(self) -> float:
        """Stop watching; counts the time since the last tick too (a block at the very end)."""
        self._tick()
        self._timer.stop()
        return self.longest_block_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        gap_ms = (now - self._last) * 1000.0 - TICK_MS
        self.longest_block_ms = max(self.longest_block_ms, gap_ms)
        self._last = now
        self.ticks += 1

    def __enter__(self) -> EventLoopWatch:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
