"""Starting the window: the main window paints its frame and a loading state before the
database is touched, and fills itself once the database answers; a failed opening ends in one
clear error and no half-built window."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from sqlalchemy import Engine, event, text
from sqlalchemy.pool import Pool

from leaddesk.errors import DatabaseUnavailableError, LeadDeskError
from leaddesk.store import database as database_module
from leaddesk.ui.shell import launch


@pytest.fixture(autouse=True)
def collected_garbage() -> Iterator[None]:
    """Earlier tests' closed windows are collected here, on the GUI thread: left to a
    collection that a read lane's thread happens to start, Qt objects would be deleted off
    the GUI thread (a crash)."""
    gc.collect()
    yield
    gc.collect()


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
        window = _visible("mainWindow")
        if window is None:
            return
        if "loading" not in seen:
            seen["loading"] = window.findChild(QLabel, "actorLabel").text()
            seen["loading_rows"] = [
                model.index(0, 0).data() for model in (window.owner_model, window.target_model)
            ]
            seen["first_window"] = window
            answer.set()
        elif not window.loading:
            seen["same_window"] = window is seen.pop("first_window")
            seen["trees_filled"] = window.owner_model.rowCount() > 0
            seen["signed_in"] = window.findChild(QLabel, "actorLabel").text()
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
        "loading_rows": ["Loading…", "Loading…"],
        "same_window": True,
        "trees_filled": True,
        "signed_in": "Signed in as Maria Manager",
    }
    # The opening ran off the GUI thread, which kept painting the window meanwhile.
    assert opened_on and opened_on[0] is not threading.main_thread()


def test_an_unreachable_database_closes_the_window_and_raises_one_error(
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
    assert _visible("mainWindow") is None


class FirstPaint(QObject):
    """Application-wide: the moment the first top-level window painted, and what it said."""

    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None
        self.window = ""
        self.texts: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.at is None
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.isWindow()
        ):
            self.at = time.monotonic()
            self.window = watched.objectName()
            self.texts = [label.text() for label in watched.findChildren(QLabel)]
        return False


@pytest.mark.parametrize("picture", [True, False], ids=["screenshot", "window"])
def test_the_frame_paints_its_loading_state_before_the_database_is_touched(
    qtbot, db_url, tmp_path, monkeypatch, picture
):
    """No connection is made and no statement sent before the first paint, which shows the
    loading state; the trees are filled afterwards (the picture shows them)."""
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    connected: list[float] = []
    statements: list[float] = []

    def on_connect(*_args: object) -> None:
        connected.append(time.monotonic())

    def on_statement(*_args: object) -> None:
        statements.append(time.monotonic())

    painted = FirstPaint()
    QApplication.instance().installEventFilter(painted)
    event.listen(Pool, "connect", on_connect)
    event.listen(Engine, "before_cursor_execute", on_statement)
    filled: list[bool] = []

    def close_when_filled() -> None:
        window = _visible("mainWindow")
        if window is not None and not window.loading:
            filled.append(window.owner_model.rowCount() > 0)
            window.close()

    timer = QTimer()
    timer.timeout.connect(close_when_filled)
    shot = tmp_path / "shot.png"
    try:
        if not picture:
            timer.start(10)
        code = launch.run_window(
            db=db_url, actor="Maria Manager", screenshot=str(shot) if picture else None
        )
    finally:
        timer.stop()
        QApplication.instance().removeEventFilter(painted)
        event.remove(Pool, "connect", on_connect)
        event.remove(Engine, "before_cursor_execute", on_statement)
    assert code == 0
    assert painted.at is not None and connected and statements
    assert painted.at < min(connected) <= min(statements)
    assert painted.window == "mainWindow"
    assert "Opening the database…" in painted.texts
    if picture:
        assert shot.stat().st_size > 0
    else:
        assert filled == [True]


def test_the_first_paint_loads_no_sqlalchemy_alembic_or_keyring(db_url, tmp_path):
    """In a fresh process, as a person starts it: what is loaded when the frame first paints."""
    shot = tmp_path / "shot.png"
    script = (
        "import json, sys\n"
        "from leaddesk.ui.main.main_window import MainWindow\n"
        "loaded = []\n"
        "paint = MainWindow.paintEvent\n"
        "def watched(self, event):\n"
        "    if not loaded:\n"
        "        loaded.append(sorted(sys.modules))\n"
        "    paint(self, event)\n"
        "MainWindow.paintEvent = watched\n"
        "from leaddesk.cli import main\n"
        f"code = main({['--db', db_url, '--as', 'Maria Manager', '--screenshot', str(shot)]!r})\n"
        "print(json.dumps({'code': code, 'loaded': loaded[0] if loaded else None}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 0
    assert result["loaded"] is not None, "the frame never painted"
    early = {name.split(".")[0] for name in result["loaded"]}
    assert {"sqlalchemy", "alembic", "keyring", "psycopg"} & early == set()
    assert {"leaddesk.store.database", "leaddesk.store.models"} & set(result["loaded"]) == set()
    assert shot.stat().st_size > 0


def test_the_opening_module_loads_neither_qt_nor_sqlalchemy():
    """It is imported before Qt; SQLAlchemy loads on its thread, after the first paint."""
    script = (
        "import sys\n"
        "from leaddesk.ui.shell.database_opening import DatabaseOpening\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'sqlalchemy'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("problem", ["newer schema", "nobody named"])
def test_a_start_that_cannot_go_on_ends_in_one_error_and_no_window(
    qtbot, db_url, database, tmp_path, problem
):
    """After the window's first paint: a database made by a newer LeadDesk, or nobody to sign
    in as; the window that was painted does not stay half-built."""
    if problem == "newer schema":
        with database.write() as session:
            session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        actor, expected = "Maria Manager", "made by a newer LeadDesk"
    else:
        actor, expected = None, "Say who signs in with --as NAME"
    with pytest.raises(LeadDeskError, match=expected):
        launch.run_window(db=db_url, actor=actor, screenshot=str(tmp_path / "shot.png"))
    assert _visible("mainWindow") is None
    assert not (tmp_path / "shot.png").exists()
