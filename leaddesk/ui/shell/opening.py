"""Opening the database while the window starts: the start frame and the opening thread.

The window's frame and a loading state come first; the database opens meanwhile on a thread
of its own. SQLAlchemy's import and the schema check then overlap Qt's import and the first
paint (two cores do both at once), and a slow server shows as "Opening the database…" in a
window that paints and moves, not as nothing on the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from leaddesk.ui.common import icons
from leaddesk.ui.common.settings import app_settings

if TYPE_CHECKING:
    from leaddesk.store.database import Database

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


class DatabaseOpening:
    """``open_database(db)`` on its own thread, started at once; ``wait`` for the result."""

    def __init__(self, db: str | None) -> None:
        self._db = db
        self._done = threading.Event()
        self._database: Database | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._open, name="leaddesk-open-database", daemon=True).start()

    def _open(self) -> None:
        try:
            # What the window reads with first is loaded here too, beside Qt's import.
            import leaddesk.store.lookup
            import leaddesk.store.tree_queries  # noqa: F401
            from leaddesk.store.database import open_database

            self._database = open_database(self._db)
        except BaseException as exc:  # handed to the GUI thread by wait()
            self._error = exc
        finally:
            self._done.set()

    def wait(self, keep_painting: Callable[[], None]) -> Database:
        """The open database, or the opening's exception; the GUI keeps painting meanwhile."""
        while not self._done.wait(0.02):
            keep_painting()
        if self._error is not None:
            raise self._error
        assert self._database is not None
        return self._database
