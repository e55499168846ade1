"""Cyclic garbage is finalized on the GUI thread, never on a reader thread.

A reader thread allocates a lot; with CPython's automatic collector that allocation starts
collections on the reader thread, which finalize whatever cyclic garbage exists, Qt
wrappers included (deleted from the wrong thread: a crash). With ``GuiThreadCollector`` the
garbage waits for the GUI thread's timer.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
import shiboken6

from leaddesk.ui.common.gui_thread_gc import GuiThreadCollector


class _CycleWithFinalizer:
    def __init__(self, finalized_on: list[str]) -> None:
        self.finalized_on = finalized_on
        self.me = self  # a reference cycle: only the cyclic collector frees it

    def __del__(self) -> None:
        self.finalized_on.append(threading.current_thread().name)


def _read_like_a_reader(answer: list[list[int]]) -> None:
    # Container objects handed back alive, as the rows of a result are: far past every
    # generation's threshold, so the automatic collector would run on this thread.
    answer.extend([n] for n in range(300_000))


@pytest.fixture
def collector(qtbot) -> Iterator[GuiThreadCollector]:
    was_enabled = gc.isenabled()
    collector = GuiThreadCollector()
    yield collector
    shiboken6.delete(collector)
    assert gc.isenabled() == was_enabled


def test_garbage_made_while_a_reader_allocates_is_finalized_on_the_gui_thread(qtbot, collector):
    finalized_on: list[str] = []
    _CycleWithFinalizer(finalized_on)
    answer: list[list[int]] = []
    reader = threading.Thread(target=_read_like_a_reader, args=(answer,), name="reader")
    reader.start()
    reader.join()
    assert finalized_on == []  # the reader's allocations started no collection
    qtbot.waitUntil(lambda: finalized_on != [], timeout=10_000)  # the GUI thread's timer
    assert finalized_on == [threading.main_thread().name]
    assert len(answer) == 300_000


def test_the_collector_collects_the_oldest_generation_that_is_due(qtbot, collector):
    gc.collect()
    assert collector.collect_due() == -1  # nothing allocated since: nothing due
    kept = [[n] for n in range(gc.get_threshold()[0] * 2)]
    assert collector.collect_due() >= 0
    assert gc.get_count()[0] < gc.get_threshold()[0]
    del kept
