"""Waiting for the main window's trees: they are read off the GUI thread (issue 14), so a test
that opens a status, types a search or passes lets the event loop run until the rows are there."""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, QModelIndex
from PySide6.QtWidgets import QApplication

TIMEOUT_S = 15.0


def settle(window, timeout: float = TIMEOUT_S) -> None:
    """Run the event loop until no read for the window's trees is on its way (whole trees
    and pages of leads) and every answer was taken in; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if not window.loading:
            break
        assert time.monotonic() < deadline, "the window's trees did not finish loading"
        window.context.runner.read_pool.waitForDone(10)
    QApplication.processEvents()


def wait_for_trees(qtbot, window, timeout: int = 15_000) -> None:
    """Until no read for the window's trees is on its way (whole trees and pages of leads)."""
    qtbot.waitUntil(lambda: not window.loading, timeout=timeout)


def open_rows(qtbot, window, *indexes: QModelIndex) -> None:
    """Expand these owner-tree rows (a user, a status) and wait for their rows to arrive."""
    for index in indexes:
        window.owner_tree.expand(index)
    wait_for_trees(qtbot, window)


def search(qtbot, window, text: str) -> None:
    """Type a search and wait for its matches (as after the search box's short pause)."""
    window.search_edit.setText(text)
    window.apply_search()
    wait_for_trees(qtbot, window)
