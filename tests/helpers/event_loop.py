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

Each longest gap keeps the ``step`` of the script under way, the GUI thread's major page
faults in it (``faults``: each one a wait for the disk) and, for a gap of more than
``SAMPLE_AFTER_MS``, ``where`` the GUI thread was (its innermost frames where most samples,
taken from a thread of the watch every ``SAMPLE_EVERY_MS``, found it), so a failing test
says where to look. ``gc`` is the longest garbage collection while watching (in any thread:
it holds the GIL). Where schedstat is missing, ``blocked`` equals ``wall``.

From the first watch on, the process's mapped files are read in and its pages kept in
memory (``mlockall``). This machine's kernel pages cold memory out on its own (DAMON, action
``pageout``): a page of Qt or Python code taken away while the window waited is read back
from the disk the next time the GUI thread runs it, a wait that is neither CPU nor a wait
for a core, so it counted as a block. Paging the process's files out on purpose while a
window read froze it for 15 ms to 2.6 s (34 major faults in the longest gap), with the
signature of the slow-link window tests' rare failures (162 ms, of which 2 ms waiting for
a core and 6 ms of CPU, no ``where``: the sampler could not run either). Where locking is
not allowed the watch runs without it (``pages_held`` says which) and ``faults`` names
such a wait.
"""

from __future__ import annotations

import ctypes
import gc
import mmap
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
_STAT = Path("/proc/thread-self/stat")
# mlockall flags (Linux): the pages mapped now, those mapped later, each locked when first
# touched rather than all made present at once (that would fill every thread's stack).
_MCL_CURRENT, _MCL_FUTURE, _MCL_ONFAULT = 1, 2, 4
# Linux 5.4 and 5.14 on; not in every Python's mmap module.
_MADV_PAGEOUT, _MADV_POPULATE_READ = 21, 22


def run_queue_wait_s() -> float:
    """Seconds the calling thread has spent ready to run but not running (0 if unknown)."""
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def major_faults() -> int:
    """Major page faults of the calling thread so far: each one waited for the disk."""
    try:
        # Field 12 of stat; the fields after the command name, which may hold spaces.
        return int(_STAT.read_text().rsplit(")", 1)[1].split()[9])
    except (OSError, IndexError, ValueError):
        return 0


def keep_pages_resident() -> bool:
    """Read the process's mapped files in whole and lock its pages in memory from now on
    (pages mapped later: each as it is first touched); True when they are. Once locked they
    stay locked until the process ends: a page unlocked between two watches could be taken
    while no one watched and read back from the disk in the next one. Without swap, as
    here, only file pages can be taken; reading them in first also spares the first touch
    of a page never used before, which waited for the disk as long (131 ms for one fault)."""
    global _pages_resident
    if _pages_resident is None:
        _for_each_mapped_file(_MADV_POPULATE_READ)  # 127 MB, under a second, once
        _pages_resident = _mlockall()
    return _pages_resident


_pages_resident: bool | None = None


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _mlockall() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return _libc().mlockall(_MCL_CURRENT | _MCL_FUTURE | _MCL_ONFAULT) == 0
    except (OSError, AttributeError):
        return False


def page_out_mapped_files() -> int:
    """Page out this process's file-backed pages now, as a reclaimer of cold memory does
    (``MADV_PAGEOUT``, Linux 5.4 on); how many mappings it reached (a locked one is not).
    For the tests of the watch itself."""
    return _for_each_mapped_file(_MADV_PAGEOUT)


def _for_each_mapped_file(advice: int) -> int:
    """Give ``advice`` (madvise) for each mapping of a file; how many took it."""
    if not sys.platform.startswith("linux"):
        return 0
    took = 0
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split()
        if len(fields) < 6 or not fields[5].startswith("/"):
            continue
        low, high = (int(address, 16) for address in fields[0].split("-"))
        took += _advise(low, high - low, advice)
    return took


def can_page_out() -> bool:
    """Whether this kernel pages out on request (``page_out_mapped_files``)."""
    return _CAN_PAGE_OUT


def _try_page_out() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    memory = mmap.mmap(-1, mmap.PAGESIZE)
    try:
        address = ctypes.addressof(ctypes.c_char.from_buffer(memory))
        return _advise(address, mmap.PAGESIZE, _MADV_PAGEOUT)
    finally:
        memory.close()


def _advise(address: int, length: int, advice: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    madvise = _libc().madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return madvise(address, length, advice) == 0


# Asked once, at import: after the first watch every new mapping is locked, and the kernel
# refuses to page out a locked one just as one that does not know the request.
_CAN_PAGE_OUT = _try_page_out()


@dataclass
class Longest:
    """The longest gap of one kind: how long, in which step of the script, and where."""

    ms: float = 0.0
    step: str = ""
    where: str = ""
    faults: int = 0  # the GUI thread's major page faults in it

    def see(self, ms: float, step: str, where: str = "", faults: int = 0) -> None:
        if ms > self.ms:
            self.ms, self.step, self.where, self.faults = ms, step, where, faults

    def __str__(self) -> str:
        said = f"{self.ms:.0f} ms"
        if self.step:
            said += f" ({self.step})"
        if self.faults:
            said += f" with {self.faults} major page fault{'s' if self.faults > 1 else ''}"
        return said + (f" in {self.where}" if self.where else "")


class EventLoopWatch(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wall = Longest()
        self.blocked = Longest()
        self.cpu = Longest()
        self.gc = Longest()
        self.ticks = 0
        self.pages_held = False  # the process's pages are locked in memory (from start on)
        # The step of the script under way (set by the test), kept with each longest gap.
        self.step = ""
        self._last = (0.0, 0.0, 0.0, 0)
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
        self.pages_held = keep_pages_resident()
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
    def _now() -> tuple[float, float, float, int]:
        return time.perf_counter(), run_queue_wait_s(), time.thread_time(), major_faults()

    def _tick(self) -> None:
        now = self._now()
        wall_ms, waiting_ms, cpu_ms = (
            (n - last) * 1000.0 for n, last in zip(now[:3], self._last[:3], strict=True)
        )
        faults = now[3] - self._last[3]
        began, frames = self._where
        where = frames if began == self._last[0] else ""
        self.wall.see(wall_ms - TICK_MS, self.step, where, faults)
        self.blocked.see(wall_ms - waiting_ms - TICK_MS, self.step, where, faults)
        self.cpu.see(cpu_ms, self.step, where, faults)
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
