"""Cyclic garbage is collected on the GUI thread only, while the window runs.

CPython runs a cyclic collection in whichever thread happens to allocate past the
threshold, and finalizes the garbage it finds there. The window's reads run on worker
threads that allocate a lot (rows, ORM objects), so a collection would often start on one
of them; if the garbage holds a Qt wrapper (a dialog or a model left in a reference cycle by
a closure), its C++ object is then deleted from the wrong thread, and the process can crash
("Segmentation fault ... Garbage-collecting", seen twice in test runs). qutebrowser takes the
same way out: the automatic collector stays off and a timer on the GUI thread collects the
generations whose counts are over their thresholds, so every finalizer runs there.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# Often enough that garbage never piles up (the counts are checked, a collection runs only
# when a generation is over its threshold), rarely enough to cost nothing when idle.
CHECK_INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Turns the automatic collector off and collects from a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()
        if was_enabled:  # as it was before, once the window is gone
            self.destroyed.connect(_enable_collector)

    def collect_due(self) -> int:
        """Collect the oldest generation over its threshold, as CPython itself would;
        return it (-1 when nothing was due)."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return generation
        return -1


def _enable_collector(*_destroyed: object) -> None:
    gc.enable()
