"""An answer that arrives after the person moved on is dropped, never shown over a newer one.

A read is held back at the end of its transaction (tests/helpers/held_reads.py) while the
database changes and the view asks again; when the older answer finally arrives the view
must keep showing the newer one. A window closed before its answer came shows nothing of
it. SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication

from leaddesk.admin import users
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.database import Database
from leaddesk.ui.admin.admin_window import AdminWindow
from leaddesk.ui.buckets.bucket_assign_dialog import BucketAssignDialog
from leaddesk.ui.buckets.bucket_tab import BucketTab
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.lead.lead_window import LeadWindow
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.held_reads import HeldReads

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HARBOR = "Harbor Logistics renewal"  # John Smith's
FLORIST = "Walk-in: Corner Florist website"  # waits in the Downtown Office bucket


@pytest.fixture
def held(database: Database) -> Iterator[HeldReads]:
    with HeldReads() as reads:
        yield reads


def elsewhere(work: Callable[[], None]) -> None:
    """Another person's change, on a thread of its own (the held read keeps its own)."""
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)


def deliver_late(qtbot, held: HeldReads, runner: OperationRunner) -> None:
    """Let the held (older) answer go and give it every chance to be shown."""
    held.release()
    assert runner.wait_idle()
    QApplication.processEvents()  # the answer was queued to this thread; deliver it now


def test_the_lead_window_keeps_the_newer_answer(qtbot, database, context_of, held):
    context = context_of("Maria Manager")
    harbor = lead_by_name(database, HARBOR)
    maria, jane = user_id(database, "Maria Manager"), user_id(database, "Jane Doe")
    held.hold_next()
    window = LeadWindow(context, harbor.id)
    qtbot.addWidget(window)
    window.show()
    assert held.holding.wait(10)  # the first read has John Smith and is held

    def pass_to_jane() -> None:
        with database.write() as session:
            pass_leads(
                session,
                actor_id=maria,
                selection=Selection.of_leads([LeadRef(harbor.id, harbor.version)]),
                target=Target.user(jane),
                note="",
                method=PassMethod.DRAG_LEAD,
            )

    elsewhere(pass_to_jane)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        context.runner.changed.emit()
    assert window.fields["place"].text() == "Jane Doe"
    deliver_late(qtbot, held, context.runner)
    assert window.fields["place"].text() == "Jane Doe"
    assert window.version_seen == harbor.version + 1
    window.close()


def test_the_bucket_tab_keeps_the_newer_answer(qtbot, database, context_of, held):
    context = context_of("Olivia Office")
    florist = lead_by_name(database, FLORIST)
    olivia, sam = user_id(database, "Olivia Office"), user_id(database, "Sam Field")
    held.hold_next()
    tab = BucketTab(context)
    qtbot.addWidget(tab)
    tab.show()
    assert held.holding.wait(10)  # the first read has the florist waiting

    def assign_to_sam() -> None:
        with database.write() as session:
            assign_from_bucket(
                session, actor_id=olivia, leads=[LeadRef(florist.id, florist.version)], user_id=sam
            )

    elsewhere(assign_to_sam)
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        context.runner.changed.emit()
    assert tab.waiting_count == 0
    deliver_late(qtbot, held, context.runner)
    assert tab.waiting_count == 0 and tab.model.total_waiting() == 0


def test_the_administration_window_keeps_the_newer_answer(qtbot, database, context_of, held):
    context = context_of("Ada Admin")
    held.hold_next()
    window = AdminWindow(context)
    qtbot.addWidget(window)
    window.show()
    assert held.holding.wait(10)

    def add_user() -> None:
        with database.write() as session:
            users.add_user(session, context.actor_id, name="Zoe Late", email="zoe@example.com")

    elsewhere(add_user)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        context.runner.changed.emit()

    def names() -> list[str]:
        table = window.users_tab.table
        return [table.item(row, 0).text() for row in range(table.rowCount())]

    assert "Zoe Late" in names()
    deliver_late(qtbot, held, context.runner)
    assert "Zoe Late" in names()
    window.close()


def test_a_lead_window_closed_before_its_answer_shows_nothing_of_it(
    qtbot, database, context_of, held
):
    context = context_of("Maria Manager")
    held.hold_next()
    window = LeadWindow(context, lead_by_name(database, HARBOR).id)
    qtbot.addWidget(window)
    window.show()
    assert held.holding.wait(10)
    window.close()
    deliver_late(qtbot, held, context.runner)
    assert window.details is None
    assert window.title_label.text() == "Loading lead…"


def test_an_assign_dialog_closed_before_its_users_came_shows_nothing_of_them(
    qtbot, database, context_of, held
):
    context = context_of("Olivia Office")
    tab = BucketTab(context)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: not tab.loading, timeout=10_000)
    tab.select_leads([lead_by_name(database, FLORIST).id])
    held.hold_next()
    dialog = BucketAssignDialog(context, tab.selected_leads(), tab)
    qtbot.addWidget(dialog)
    dialog.open()
    assert held.holding.wait(10)
    dialog.reject()
    deliver_late(qtbot, held, context.runner)
    assert dialog.user_combo.count() == 0
