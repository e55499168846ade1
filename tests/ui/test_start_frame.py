"""Starting the window: its frame and a loading state come before the database answers, and
the main window follows once it has; a failed opening still ends in one clear error."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from leaddesk.errors import DatabaseUnavailableError
from leaddesk.store import database as database_module
from leaddesk.ui.shell import launch


def _visible(name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


def test_the_frame_shows_a_loading_state_until_the_database_answers(qtbot, db_url, monkeypatch):
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    answer = threading.Event()  # the database answers only when the test says so
    real_open = database_module.open_database
    opened_on: list[threading.Thread] = []

    def held_open(db=None, **options):
        opened_on.append(threading.current_thread())
        assert answer.wait(60), "the test never let the database answer"
        return real_open(db, **options)

    monkeypatch.setattr(database_module, "open_database", held_open)
    seen: dict[str, object] = {}

    def watch() -> None:
        frame = _visible("startFrame")
        if frame is not None and "loading" not in seen:
            seen["loading"] = frame.findChild(QWidget, "startFrameLabel").text()
            answer.set()
        window = _visible("mainWindow")
        if window is not None:
            seen["frame_gone"] = _visible("startFrame") is None
            seen["trees_filled"] = window.owner_model.rowCount() > 0
            window.close()

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(10)
    try:
        code = launch.run_window(db=db_url, actor="Maria Manager", screenshot=None)
    finally:
        timer.stop()
        answer.set()
    assert code == 0
    assert seen == {
        "loading": "Opening the database…",
        "frame_gone": True,
        "trees_filled": True,
    }
    # The opening ran off the GUI thread, which kept painting the frame meanwhile.
    assert opened_on and opened_on[0] is not threading.main_thread()


def test_an_unreachable_database_closes_the_frame_and_raises_one_error(
    qtbot, backend, tmp_path, monkeypatch
):
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    if backend == "sqlite":
        url = str(tmp_path / "a-folder")  # a folder cannot be opened as a database file
        (tmp_path / "a-folder").mkdir()
    else:
        url = "postgresql+psycopg://nobody:pw@127.0.0.1:1/leaddesk"
    with pytest.raises(DatabaseUnavailableError, match="cannot be reached"):
        launch.run_window(db=url, actor="Maria Manager", screenshot=None)
    assert _visible("startFrame") is None


def test_the_opening_starts_before_qt_is_imported():
    """Its module imports no Qt, so the thread starts before Qt's import and overlaps it."""
    script = (
        "import sys\n"
        "from leaddesk.ui.shell.database_opening import DatabaseOpening\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'sqlalchemy'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
