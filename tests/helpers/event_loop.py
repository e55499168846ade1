"""How long the Qt event loop was blocked: the window's freezes, measured from inside.

``EventLoopWatch`` ticks a precise timer every few milliseconds on the GUI thread. While the
loop is held up (a database read on the GUI thread, a long paint, a thread pool waited for,
the GIL held by another thread, a garbage collection) no tick runs, so the gap between two
ticks is the freeze a person would feel. Each gap is measured three ways:

- ``wall``: on the wall clock, whatever the cause;
- ``blocked``: the wall clock less the time the GUI thread was ready to run but the kernel
  ran something else on the cores (its run-queue wait, field 2 of
  ``/proc/thread-self/schedstat``). On this shared 2-core machine other test runs can keep
  the GUI thread off a core for hundreds of milliseconds: no change of ours removes that,
  and a person's own computer does not have seven test suites on it. Everything our code
  does stays in: CPU the GUI thread spends, and every wait it sleeps in (a socket, a lock,
  ``QThreadPool.waitForDone``, the GIL while another thread holds it, a collection run by
  another thread). It errs on the safe side: a reader thread that holds the GIL while it
  waits for a core still counts. This is the one the slow-link tests assert (the scripted
  session beside four busy processes on the two cores: 555 ms on the wall clock, 60 ms
  net, 49 ms of it the GUI thread's CPU);
- ``cpu``: CPU time the GUI thread itself spent (``time.thread_time``).

Each longest gap keeps the ``step`` of the script under way and, for a gap of more than
``SAMPLE_AFTER_MS``, ``where`` the GUI thread was (its innermost frames where most samples,
taken from a thread of the watch every ``SAMPLE_EVERY_MS``, found it), so a failing test
says where to look. ``gc`` is the longest garbage collection while watching (in any thread:
it holds the GIL). Where schedstat is missing, ``blocked`` equals ``wall``.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

TICK_MS = 5
SAMPLE_AFTER_MS = 50
SAMPLE_EVERY_MS = 10
_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def run_queue_wait_s() -> float:
    """Seconds the calling thread has spent ready to run but not running (0 if unknown)."""
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass
class Longest:
    """The longest gap of one kind: how long, in which step of the script, and where."""

    ms: float = 0.0
    step: str = ""
    where: str = ""

    def see(self, ms: float, step: str, where: str = "") -> None:
        if ms > self.ms:
            self.ms, self.step, self.where = ms, step, where

    def __str__(self) -> str:
        said = f"{self.ms:.0f} ms"
        if self.step:
            said += f" ({self.step})"
        return said + (f" in {self.where}" if self.where else "")


class EventLoopWatch(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wall = Longest()
        self.blocked = Longest()
        self.cpu = Longest()
        self.gc = Longest()
        self.ticks = 0
        # The step of the script under way (set by the test), kept with each longest gap.
        self.step = ""
        self._last = (0.0, 0.0, 0.0)
        self._where: tuple[float, str] = (0.0, "")  # (tick the block began after, frames)
        self._gc_began = 0.0
        self._sampler: threading.Thread | None = None
        self._watching = threading.Event()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> EventLoopWatch:
        self.wall, self.blocked, self.cpu, self.gc = Longest(), Longest(), Longest(), Longest()
        self.ticks = 0
        self._last = self._now()
        self._timer.start()
        gc.callbacks.append(self._collection)
        self._watching.set()
        self._sampler = threading.Thread(
            target=self._sample, args=(threading.get_ident(),), name="EventLoopWatch sampler"
        )
        self._sampler.start()
        return self

    def stop(self) -> EventLoopWatch:
        """Stop watching; counts the time since the last tick too (a block at the very end)."""
        self._tick()
        self._timer.stop()
        self._watching.clear()
        if self._sampler is not None:
            self._sampler.join()
            self._sampler = None
        if self._collection in gc.callbacks:
            gc.callbacks.remove(self._collection)
        return self

    @staticmethod
    def _now() -> tuple[float, float, float]:
        return time.perf_counter(), run_queue_wait_s(), time.thread_time()

    def _tick(self) -> None:
        now = self._now()
        wall_ms, waiting_ms, cpu_ms = (
            (n - last) * 1000.0 for n, last in zip(now, self._last, strict=True)
        )
        began, frames = self._where
        where = frames if began == self._last[0] else ""
        self.wall.see(wall_ms - TICK_MS, self.step, where)
        self.blocked.see(wall_ms - waiting_ms - TICK_MS, self.step, where)
        self.cpu.see(cpu_ms, self.step, where)
        self._last = now
        self.ticks += 1

    def _sample(self, gui_thread: int) -> None:
        """While a tick is overdue, note where the GUI thread is; a block is said to be where
        most of its samples found it."""
        counts: dict[str, int] = {}
        block = 0.0
        while self._watching.is_set():
            time.sleep(SAMPLE_EVERY_MS / 1000.0)
            began = self._last[0]
            if (time.perf_counter() - began) * 1000.0 < SAMPLE_AFTER_MS:
                continue
            frame = sys._current_frames().get(gui_thread)
            if frame is None:
                continue
            if began != block:
                counts, block = {}, began
            where = _innermost(frame)
            counts[where] = counts.get(where, 0) + 1
            self._where = (began, max(counts, key=counts.__getitem__))

    def _collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._gc_began) * 1000.0
            self.gc.see(ms, self.step, f"generation {info['generation']}")

    def __enter__(self) -> EventLoopWatch:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _innermost(frame: Any) -> str:
    """Where a stack is: its innermost LeadDesk frame, then its innermost frame."""
    frames = traceback.extract_stack(frame)
    said = [f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}"]
    ours = next(
        (f for f in reversed(frames) if "/leaddesk/" in f.filename.replace("\\", "/")), None
    )
    if ours is not None and ours is not frames[-1]:
        said.insert(0, f"{Path(ours.filename).name}:{ours.lineno} {ours.name} ... ")
    return "".join(said)
