"""An answer that arrives after the window it was read for is gone is dropped, not raised.

A window is deleted when it closes (``WA_DeleteOnClose``) or when File > Connect… replaces
the main window (its dialogs go with it), while a read it asked for may still be on its way
over a slow link. Here the read is held at the end of its transaction
(tests/helpers/held_reads.py), the window is deleted, then the answer is let go: it must be
dropped. Before ``runner.query(..., receiver=...)`` it ran the window's code on a deleted
C++ object, a RuntimeError in the event loop (pytest-qt fails the test on it) or a dialog
over a window that is no longer there. SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import text

from leaddesk.reassignment.requests import LeadRef, Target
from leaddesk.store.database import Database
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.passing.pass_dialogs import run_pass_flow
from leaddesk.ui.passing.pass_source import PassSource, SourceKind
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.dialogs import find_visible_window
from tests.helpers.held_reads import HeldReads

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def held(database: Database) -> Iterator[HeldReads]:
    with HeldReads() as reads:
        yield reads


def answer_after_deleting(qtbot, held: HeldReads, runner: OperationRunner, gone: QObject) -> None:
    """Once the held read has its rows, delete ``gone``, then let the answer arrive."""
    qtbot.waitUntil(held.holding.is_set, timeout=20_000)
    shiboken6.delete(gone)
    held.release()
    qtbot.waitUntil(lambda: runner.idle, timeout=20_000)  # delivered, or dropped
    QApplication.processEvents()


def test_the_runner_drops_an_answer_for_a_deleted_receiver(qtbot, database, held):
    runner = OperationRunner(database)
    answers: list[object] = []
    errors: list[str] = []
    receiver = QObject()
    held.hold_next()
    runner.query(
        lambda session: session.scalar(text("SELECT 1")), answers.append, receiver=receiver
    )
    answer_after_deleting(qtbot, held, runner, receiver)

    blocked, failing_receiver = threading.Event(), QObject()

    def refused(_session: object) -> None:
        blocked.wait(20)
        raise ValueError("the database went away")

    runner.query(
        refused,
        answers.append,
        on_error=lambda message, _exc: errors.append(message),
        receiver=failing_receiver,
    )
    shiboken6.delete(failing_receiver)
    blocked.set()
    qtbot.waitUntil(lambda: runner.idle, timeout=20_000)
    assert answers == [] and errors == []

    # A receiver still there hears back.
    living = QObject()
    runner.query(lambda _s: 2, answers.append, receiver=living)
    qtbot.waitUntil(lambda: answers == [2], timeout=20_000)


def test_a_pass_preview_for_a_window_that_is_gone_opens_no_dialog(
    qtbot, database, held, context_of
):
    context = context_of("Maria Manager")
    window = QWidget()  # the window the drop was made in
    harbor = lead_by_name(database, "Harbor Logistics renewal")
    source = PassSource(SourceKind.LEADS, leads=(LeadRef(harbor.id, harbor.version),))
    held.hold_next()
    run_pass_flow(context, source, Target.user(user_id(database, "Jane Doe")), window)
    answer_after_deleting(qtbot, held, context.runner, window)
    assert find_visible_window("confirmPassDialog") is None


def test_the_reports_window_closed_while_reading(qtbot, database, held, context_of):
    from leaddesk.ui.reports.reports_window import ReportsWindow

    context = context_of("Maria Manager")
    held.hold_next()
    reports = ReportsWindow(context, None)
    answer_after_deleting(qtbot, held, context.runner, reports)


def test_the_import_dialog_closed_while_surveying(qtbot, database, held, context_of, tmp_path):
    from leaddesk.ui.data.import_dialog import ImportDialog

    context = context_of("Ada Admin")
    path = tmp_path / "leads.csv"
    path.write_text("name,status,owner\nA,LEAD,John Smith\n", encoding="utf-8")
    importer = ImportDialog(context, None)
    held.hold_next()
    importer.load_file(str(path))
    answer_after_deleting(qtbot, held, context.runner, importer)
