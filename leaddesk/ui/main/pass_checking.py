"""What the window shows between a drop and its confirmation: the pass is being checked.

The confirmation needs the pass's preview (how many leads, from whom), read on the read
lane: about 0.3 s behind a 50 ms link, seconds behind a bad one. Meanwhile the Pass to pane
shows a busy cursor (on its viewport only: ``QApplication.setOverrideCursor`` would cover
every window) and the status bar says so. Both go when the confirmation opens, when the
preview fails, or when the window closes; a newer drop shows them again until its own
answer comes (the older answer is dropped).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QStatusBar

CHECKING_TEXT = "Checking the pass…"


class PassChecking:
    def __init__(self, view: QAbstractItemView, status_bar: QStatusBar) -> None:
        self.view = view
        self.status_bar = status_bar
        self.shown = False

    def start(self) -> None:
        self.shown = True
        self.view.viewport().setCursor(Qt.CursorShape.BusyCursor)
        self.status_bar.showMessage(CHECKING_TEXT)

    def stop(self) -> None:
        if not self.shown:
            return
        self.shown = False
        self.view.viewport().unsetCursor()
        # Only our own words: a message shown since (Edit > Cut's hint) stays.
        if self.status_bar.currentMessage() == CHECKING_TEXT:
            self.status_bar.clearMessage()
