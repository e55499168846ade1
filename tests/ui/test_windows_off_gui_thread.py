"""The windows beside the main trees never wait for the database on the GUI thread.

Each test opens a window (lead window, Leads to be Assigned tab and its assign dialog,
administration and offboarding, export, import, outbox) and works it while
``gui_thread_statements`` records every statement and connection sent from the GUI thread;
the record must stay empty. What the windows show is checked too, so a window that simply
stopped reading would fail. SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.server.changes import Changes
from leaddesk.store.database import Database
from leaddesk.ui.admin.admin_window import AdminWindow
from leaddesk.ui.buckets.bucket_tab import BucketTab
from leaddesk.ui.lead.lead_window import LeadWindow
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.dialogs import answer_next_dialog, find_visible_window, wait_for_window
from tests.helpers.gui_thread_reads import gui_thread_statements

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HARBOR = "Harbor Logistics renewal"  # John Smith's LEAD; Maria Manager manages John
FLORIST = "Walk-in: Corner Florist website"  # waits in the Downtown Office bucket


def _someone_else_passes(database: Database, lead_name: str, to: str) -> None:
    lead = lead_by_name(database, lead_name)
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.user(user_id(database, to)),
            note="",
            method=PassMethod.DRAG_LEAD,
        )


def test_the_gui_thread_log_sees_a_read_on_the_gui_thread_and_not_one_on_the_runner(
    qtbot, database, context_of
):
    context = context_of("Maria Manager")
    answers: list[int] = []
    with gui_thread_statements(database.engine) as gui:
        context.runner.query(lambda session: lead_by_name_count(session), answers.append)
        qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
        context.runner.wait_idle()
    assert gui.statements == []
    with gui_thread_statements(database.engine) as gui, database.read() as session:
        lead_by_name_count(session)
    assert len(gui.statements) >= 1
    assert "test_windows_off_gui_thread" not in gui.statements[0]  # named by frame under leaddesk/


def lead_by_name_count(session) -> int:
    from sqlalchemy import func, select

    from leaddesk.store.models import Lead

    return session.scalar(select(func.count()).select_from(Lead))


def test_lead_window_opens_reloads_and_notices_changes_off_the_gui_thread(
    qtbot, database, context_of
):
    context = context_of("Maria Manager")
    harbor = lead_by_name(database, HARBOR)
    with gui_thread_statements(database.engine) as gui:
        window = LeadWindow(context, harbor.id)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
        assert window.title_label.text() == HARBOR
        assert window.fields["place"].text() == "John Smith"
        assert window.target_model.rowCount() > 3

        with qtbot.waitSignal(window.loaded, timeout=10_000):
            context.runner.changed.emit()  # what a pass elsewhere in this window sends

        # Another person's pass (on a thread of its own: it is not the window's work).
        other = threading.Thread(target=_someone_else_passes, args=(database, HARBOR, "Jane Doe"))
        other.start()
        other.join()
        window.notice_changes(Changes(leads=frozenset({harbor.id})))
        qtbot.waitUntil(lambda: window.changed_banner.isVisible(), timeout=10_000)
        assert "now with Jane Doe" in window.changed_label.text()
        window.close()
    assert gui.statements == []


def test_bucket_tab_its_dialogs_and_lead_windows_read_off_the_gui_thread(
    qtbot, database, context_of
):
    context = context_of("Olivia Office")
    with gui_thread_statements(database.engine) as gui:
        tab = BucketTab(context)
        qtbot.addWidget(tab)
        tab.show()
        qtbot.waitUntil(lambda: not tab.loading, timeout=10_000)
        assert tab.model.total_waiting() >= 1
        with qtbot.waitSignal(tab.loaded, timeout=10_000):
            context.runner.changed.emit()
        tab.select_leads([lead_by_name_id(tab, FLORIST)])
        dialog = tab.open_assign_dialog()
        assert dialog is not None
        qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
        assert dialog.user_combo.count() >= 1
        dialog.reject()
        # The plan is read on the read lane, then shown (a bucket assigned by hand says so).
        tab.assign_all_by_rule()
        qtbot.waitUntil(
            lambda: any(map(find_visible_window, ("rulePreviewDialog", "rulePlanErrorDialog"))),
            timeout=10_000,
        )
        for name in ("rulePreviewDialog", "rulePlanErrorDialog"):
            if (answer := find_visible_window(name)) is not None:
                answer.close()
        window = tab.open_selected_lead()
        assert window is not None
        qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
        window.close()
    assert gui.statements == []


def lead_by_name_id(tab: BucketTab, name: str) -> int:
    for bucket in tab.model.buckets:
        for lead in bucket.leads:
            if lead.name == name:
                return lead.id
    raise AssertionError(f"{name} is not waiting in the tab")


def test_administration_window_and_offboarding_read_off_the_gui_thread(qtbot, database, context_of):
    context = context_of("Ada Admin")
    with gui_thread_statements(database.engine) as gui:
        window = AdminWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
        names = [
            window.users_tab.table.item(r, 0).text()
            for r in range(window.users_tab.table.rowCount())
        ]
        assert "John Smith" in names
        with qtbot.waitSignal(window.loaded, timeout=10_000):
            context.runner.changed.emit()
        # Deactivating a user with leads asks where they go (the offboarding dialog).
        window.users_tab.table.selectRow(names.index("John Smith"))
        offboard = answer_next_dialog(qtbot, "offboardDialog", accept=False)
        window.users_tab.deactivate_button.click()
        offboard.wait()
        window.close()
    assert gui.statements == []


def test_export_import_and_outbox_dialogs_read_off_the_gui_thread(
    qtbot, database, context_of, tmp_path, monkeypatch
):
    from leaddesk.ui.data.export_dialog import ExportDialog
    from leaddesk.ui.data.import_dialog import ImportDialog
    from leaddesk.ui.email.email_status import EmailStatus

    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    _someone_else_passes(database, HARBOR, "Jane Doe")  # one email in the outbox
    context = context_of("Ada Admin")
    path = tmp_path / "leads.csv"
    path.write_text("name,status,owner\nA,LEAD,John Smith\n", encoding="utf-8")
    with gui_thread_statements(database.engine) as gui:
        export = ExportDialog(context, None)
        qtbot.addWidget(export)
        export.show()
        qtbot.waitUntil(lambda: not export.loading, timeout=10_000)
        assert export.owner_combo.findText("John Smith") > 0
        importer = ImportDialog(context, None)
        qtbot.addWidget(importer)
        importer.load_file(str(path))
        qtbot.waitUntil(lambda: importer.survey is not None, timeout=10_000)
        status = EmailStatus(database, recipient_id=None)
        qtbot.addWidget(status)
        outbox = status.open_outbox()
        qtbot.waitUntil(lambda: outbox.table.rowCount() == 1 and not outbox.loading, timeout=10_000)
        assert status.shutdown(30_000)
        outbox.close()
    assert gui.statements == []


# The packages of the windows above; the main window's own trees are read elsewhere.
ROOMS = ("ui/lead/", "ui/buckets/", "ui/admin/", "ui/data/", "ui/email/")


def test_opened_from_the_main_window_the_windows_read_off_the_gui_thread(
    qtbot, database, main_window
):
    """The real ways in: File and Tools menus, a double-click in the bucket tab, Assign…."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction

    window = main_window("Ada Admin")
    florist = lead_by_name(database, FLORIST).id
    tab = window.bucket_tab
    # The window opened the database itself: its own engine is the one to listen on.
    with gui_thread_statements(window.context.database.engine) as gui:
        for name in ("administrationAction", "exportAction", "outboxAction"):
            window.findChild(QAction, name).trigger()
        for name in ("adminWindow", "exportDialog", "outboxDialog"):
            dialog = wait_for_window(qtbot, name)
            qtbot.waitUntil(lambda d=dialog: not d.loading, timeout=10_000)
            dialog.close()
        window.tabs.setCurrentWidget(tab)
        qtbot.waitUntil(tab.tree.isVisible)
        centre = tab.tree.visualRect(tab.model.lead_index(florist)).center()
        qtbot.mouseClick(tab.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(tab.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        lead = wait_for_window(qtbot, "leadWindow")
        qtbot.waitUntil(lambda: not lead.loading, timeout=10_000)
        lead.close()
        tab.select_leads([florist])
        qtbot.mouseClick(tab.assign_button, Qt.MouseButton.LeftButton)
        assign = wait_for_window(qtbot, "bucketAssignDialog")
        qtbot.waitUntil(lambda: not assign.loading, timeout=10_000)
        assign.reject()
    assert [s for s in gui.statements if any(room in s for room in ROOMS)] == []
