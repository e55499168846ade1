"""The window's frame and a loading state, shown at once, before any database work.

A slow server then shows as "Opening the database…" in a window that paints and moves, not
as nothing on the screen (the opening itself: ``database_opening``, started once the frame
has painted). Only Qt and LeadDesk's Qt-only helpers load before this paints (a test checks).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QByteArray, QEventLoop, Qt, QThread
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QVBoxLayout, QWidget

from leaddesk.startup import trace
from leaddesk.ui.common import icons
from leaddesk.ui.common.settings import app_settings

# The main window's size on a first start (see MainWindow).
FIRST_START_SIZE = (1180, 720)
# A desktop may never expose the frame (started minimised): the opening does not wait longer.
FIRST_PAINT_WAIT_S = 1.0


class StartFrame(QWidget):
    """Where the main window will be, at its size, saying that the database is opening."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("startFrame")
        self.setWindowTitle("LeadDesk")
        self.setWindowIcon(icons.app_icon())
        self.painted = False
        self.label = QLabel("Opening the database…", self)
        self.label.setObjectName("startFrameLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        busy = QProgressBar(self)
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setMaximumWidth(240)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.resize(*FIRST_START_SIZE)
        geometry = app_settings().value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted = True

    def show_and_paint(self) -> None:
        """Show the frame and return once it has painted (or after ``FIRST_PAINT_WAIT_S``)."""
        self.show()
        deadline = time.monotonic() + FIRST_PAINT_WAIT_S
        while not self.painted and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            if not self.painted:
                QThread.msleep(1)  # the desktop has not exposed it yet: no busy spin
        if self.painted:
            trace("first-paint")
