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
from PySide6.QtWidgets import QApplication, QWidget

from leaddesk import ui
from leaddesk.store.database import Database
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.gui_thread_gc import GuiThreadCollector
from tests.helpers.dialogs import cancel_all_answers
from tests.helpers.window_contexts import contexts_on


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Qt caches the settings path per process; a per-test file keeps tests independent."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv("LEADDESK_SETTINGS_FILE", str(path))
    return path


@pytest.fixture(scope="session")
def gui_thread_collector(qapp: QApplication) -> GuiThreadCollector:
    """As in the application (``launch``): from the first window test on, the automatic
    collector stays off and cyclic garbage is collected on the GUI thread only, at safe
    points (see ``ui/common/gui_thread_gc``). An automatic collection can start inside any
    allocation, on a reader thread (a Qt object deleted there: a crash) or in the middle of
    a Qt call that holds a lock a weak reference's callback then waits for (a hang)."""
    return GuiThreadCollector(qapp)


@pytest.fixture(autouse=True)
def garbage_collected_between_tests(gui_thread_collector: GuiThreadCollector) -> Iterator[None]:
    yield
    # After the test's windows are closed, outside any Qt call: what is due, as CPython
    # would collect it, but at a moment that is safe.
    gui_thread_collector.collect_due()


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
    with contexts_on(database) as make:
        yield make
