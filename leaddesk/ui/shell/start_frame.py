"""The window's frame and a loading state, shown at once while the database opens.

A slow server then shows as "Opening the database…" in a window that paints and moves, not
as nothing on the screen (the opening itself: ``database_opening``).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from leaddesk.ui.common import icons
from leaddesk.ui.common.settings import app_settings

# The main window's size on a first start (see MainWindow).
FIRST_START_SIZE = (1180, 720)


class StartFrame(QWidget):
    """Where the main window will be, at its size, saying that the database is opening."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("startFrame")
        self.setWindowTitle("LeadDesk")
        self.setWindowIcon(icons.app_icon())
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
