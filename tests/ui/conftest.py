"""Shared fixtures for window tests: a ready main window on this test's database.

``main_window`` is a factory: ``window = main_window("Maria Manager")`` opens the window on
the test's demo database (``db_url``; SQLite and PostgreSQL), shows it, and closes it (and
its database connections) at the end of the test. Dialog answering helpers live in
``tests/helpers/dialogs.py``; real drops in ``tests/helpers/drag_drop.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from leaddesk import ui
from leaddesk.store.database import Database
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.gui_thread_gc import GuiThreadCollector
from tests.helpers.dialogs import cancel_all_answers
from tests.helpers.window_contexts import window_context


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Qt caches the settings path per process; a per-test file keeps tests independent."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv("LEADDESK_SETTINGS_FILE", str(path))
    return path


@pytest.fixture(autouse=True)
def garbage_collected_on_the_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As in the application (``launch``): while a test's windows read on worker threads,
    cyclic garbage is collected on the GUI thread only (see ``ui/common/gui_thread_gc``);
    a collection started on a reader thread once deleted a Qt object there (a crash)."""
    collector = GuiThreadCollector(qapp)
    yield
    shiboken6.delete(collector)  # the automatic collector is back between tests


@pytest.fixture(autouse=True)
def disarm_dialog_answers() -> Iterator[None]:
    yield
    cancel_all_answers()


@pytest.fixture
def main_window(
    qtbot, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., QWidget]]:
    # The window's email sender would try localhost:25 and bump outbox attempts; the email
    # tests run their own sender against their own SMTP server.
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    opened: list[QWidget] = []

    def make(
        actor: str | None = "Maria Manager", url: str | None = None, show: bool = True
    ) -> QWidget:
        window = ui.main_window(url or db_url, actor)
        qtbot.addWidget(window)
        opened.append(window)
        if show:
            window.resize(1100, 700)
            window.show()
            qtbot.waitExposed(window)
            # The Leads to be Assigned tab reads off the GUI thread; tests start once it has.
            qtbot.waitUntil(lambda: not window.bucket_tab.loading, timeout=10_000)
        return window

    yield make
    for window in opened:
        window.close()
    # Close stray dialogs (a failed test may leave one open) so the next test starts clean.
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and widget not in opened:
            widget.close()


@pytest.fixture
def context_of(database: Database) -> Iterator[Callable[[str], WindowContext]]:
    """``context_of("Olivia Office")``: a context for a window opened on its own; at the end
    its reads and writes are waited for and stray dialogs closed."""
    made: list[WindowContext] = []

    def make(actor: str) -> WindowContext:
        made.append(window_context(database, actor))
        return made[-1]

    yield make
    for context in made:
        context.runner.wait_idle()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.close()
