"""The administration window changes the database and every open view refreshes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, QTimeZone
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from leaddesk.store.models import (
    AuditEntry,
    BucketRule,
    ManagerRight,
    Office,
    OutboxMessage,
    User,
)
from leaddesk.ui.admin.admin_window import AdminWindow
from leaddesk.ui.admin.tables import select_id
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from tests.helpers.demo_names import group_id, leads_of, office_id, user_id
from tests.helpers.dialogs import answer_next_dialog, find_visible_window

# The offscreen platform says this about every dialog it shows; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def admin_window(qtbot, database) -> Iterator[Callable[..., AdminWindow]]:
    opened: list[tuple[AdminWindow, OperationRunner]] = []

    def make(actor: str = "Ada Admin") -> AdminWindow:
        with database.read() as session:
            user = session.scalars(select(User).where(User.name == actor)).one()
            context = WindowContext(
                database=database,
                runner=OperationRunner(database),
                actor_id=user.id,
                actor_name=user.name,
                is_admin=user.is_admin,
            )
        window = AdminWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append((window, context.runner))
        qtbot.waitUntil(lambda: not window.loading, timeout=10_000)  # read off the GUI thread
        return window

    yield make
    for window, runner in opened:
        runner.wait_idle()
        window.close()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.close()


def db_value(database, query):
    with database.read() as session:
        return session.scalar(query)


def test_adding_a_user_in_the_window_writes_the_database(qtbot, database, admin_window):
    window = admin_window()
    tab = window.users_tab
    tab.new_name.setText("Zoe Newhire")
    tab.new_email.setText("zoe@example.com")
    tab.new_admin.setChecked(True)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    query = select(func.count()).where(User.name == "Zoe Newhire", User.is_admin.is_(True))
    qtbot.waitUntil(lambda: db_value(database, query) == 1)
    qtbot.waitUntil(lambda: tab.new_name.text() == "")
    names = [tab.table.item(row, 0).text() for row in range(tab.table.rowCount())]
    assert "Zoe Newhire" in names
    assert window.audit_tab.table.item(0, 2).text() == "user.add"
    assert "Added user Zoe Newhire" in window.status_label.text()


def test_a_refused_change_shows_the_reason_and_changes_nothing(qtbot, database, admin_window):
    window = admin_window()
    tab = window.users_tab
    tab.new_name.setText("Jane Doe")
    tab.new_email.setText("someone@example.com")
    error = answer_next_dialog(qtbot, "adminErrorDialog", accept=True)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    error.wait()
    assert "There is already a user called 'Jane Doe'." in error.text
    assert db_value(database, select(func.count()).select_from(User)) == 8
    assert tab.new_name.text() == "Jane Doe"  # kept, so the admin can correct it


def test_granting_a_right_by_ticking_a_user(qtbot, database, admin_window):
    window = admin_window()
    window.tabs.setCurrentWidget(window.rights_tab)
    tab = window.rights_tab
    tab.manager_combo.setCurrentIndex(tab.manager_combo.findText("Victor Outside"))
    item = tab.item_for("John Smith")
    assert item.checkState() == Qt.CheckState.Unchecked
    item.setCheckState(Qt.CheckState.Checked)
    victor, john = user_id(database, "Victor Outside"), user_id(database, "John Smith")
    right = select(func.count()).where(
        ManagerRight.manager_id == victor, ManagerRight.user_id == john
    )
    qtbot.waitUntil(lambda: db_value(database, right) == 1)
    # After the reload the list still shows Victor, with John ticked.
    qtbot.waitUntil(lambda: tab.item_for("John Smith").checkState() == Qt.CheckState.Checked)
    assert tab.manager_combo.currentText() == "Victor Outside"
    tab.item_for("John Smith").setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: db_value(database, right) == 0)


def test_office_add_and_member_with_office_manager_flag(qtbot, database, admin_window):
    window = admin_window()
    tab = window.offices_tab
    window.tabs.setCurrentWidget(tab)
    tab.new_name.setText("Uptown Office")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: tab.current_id() is not None and tab.name_edit.text() == "Uptown Office"
    )
    tab.user_combo.setCurrentIndex(tab.user_combo.findText("John Smith"))
    tab.manager_check.setChecked(True)
    qtbot.mouseClick(tab.add_member_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.members.rowCount() == 1)
    assert tab.members.item(0, 1).checkState() == Qt.CheckState.Checked
    with database.read() as session:
        office = session.scalars(select(Office).where(Office.name == "Uptown Office")).one()
        assert [(m.user_id, m.is_office_manager) for m in office.members] == [
            (user_id(database, "John Smith"), True)
        ]


def test_deactivating_a_user_with_leads_runs_the_offboarding_flow(qtbot, database, admin_window):
    window = admin_window()
    tab = window.users_tab
    john = user_id(database, "John Smith")
    for row in range(tab.table.rowCount()):
        if tab.table.item(row, 0).text() == "John Smith":
            tab.table.selectRow(row)
    seen: list[str] = []

    def answer() -> None:
        dialog = find_visible_window("offboardDialog")
        if dialog is None:
            QTimer.singleShot(15, answer)
            return
        seen.append(dialog.windowTitle())
        dialog.target_combo.setCurrentIndex(dialog.target_combo.findText("Jane Doe"))
        dialog.note_edit.setPlainText("John left the company")
        dialog.accept()

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(tab.deactivate_button, Qt.MouseButton.LeftButton)
    assert seen == ["Deactivate John Smith"]
    qtbot.waitUntil(lambda: db_value(database, select(User.active).where(User.id == john)) is False)
    assert leads_of(database, "John Smith") == []
    assert db_value(database, select(func.count()).select_from(OutboxMessage)) == 1
    qtbot.waitUntil(lambda: "passed 3 lead(s) to Jane Doe" in window.status_label.text())


def test_non_admins_get_a_locked_window(qtbot, database, admin_window):
    # The demo data's own marker is the only audit line; the locked window adds none.
    before = db_value(database, select(func.count()).select_from(AuditEntry))
    window = admin_window("Maria Manager")
    assert window.denied_label.isVisible()
    assert not window.tabs.isEnabled()
    assert window.snapshot is None
    assert db_value(database, select(func.count()).select_from(AuditEntry)) == before == 1


def test_admin_changes_appear_in_the_open_main_window(qtbot, database, main_window):
    main = main_window("Ada Admin")
    window = AdminWindow(main.context, main)
    qtbot.addWidget(window)
    window.show()
    assert not main.target_model.find("Zoe Newhire").isValid()
    window.users_tab.new_name.setText("Zoe Newhire")
    window.users_tab.new_email.setText("zoe@example.com")
    qtbot.mouseClick(window.users_tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main.target_model.find("Zoe Newhire").isValid())
    main.context.runner.wait_idle()
    window.close()


def make_context(database, actor: str) -> WindowContext:
    with database.read() as session:
        user = session.scalars(select(User).where(User.name == actor)).one()
        return WindowContext(
            database=database,
            runner=OperationRunner(database),
            actor_id=user.id,
            actor_name=user.name,
            is_admin=user.is_admin,
        )


@pytest.fixture
def dialog_context(database) -> Iterator[Callable[[str], WindowContext]]:
    made: list[WindowContext] = []

    def make(actor: str = "Ada Admin") -> WindowContext:
        made.append(make_context(database, actor))
        return made[-1]

    yield make
    for context in made:
        context.runner.wait_idle()


def test_import_dialog_refuses_to_import_for_non_admins(qtbot, tmp_path, dialog_context):
    from leaddesk.ui.data.import_dialog import ImportDialog

    path = tmp_path / "leads.csv"
    path.write_text("name,status,owner\nA,LEAD,John Smith\n", encoding="utf-8")
    dialog = ImportDialog(dialog_context("Maria Manager"), None)
    qtbot.addWidget(dialog)
    dialog.load_file(str(path))
    qtbot.waitUntil(lambda: dialog.survey is not None)
    assert dialog.check_button.isEnabled()
    assert not dialog.import_button.isEnabled()
    assert "Only administrators" in dialog.permission_label.text()
    assert not dialog.permission_label.isHidden()


def test_export_dialog_writes_a_spreadsheet_ready_file(qtbot, tmp_path, dialog_context):
    from leaddesk.ui.data.export_dialog import ExportDialog

    dialog = ExportDialog(dialog_context("Maria Manager"), None)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    path = tmp_path / "out.csv"
    dialog.file_edit.setText(str(path))
    dialog.owner_combo.setCurrentIndex(dialog.owner_combo.findText("John Smith"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Exported" in dialog.result_label.text())
    assert "Exported 3 lead(s)" in dialog.result_label.text()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfname,company,")
    assert raw.count(b"\r\n") == 4


def test_a_bucket_rule_is_set_in_the_offices_and_groups_tabs(qtbot, database, admin_window):
    window = admin_window()
    for tab, name in ((window.offices_tab, "Downtown Office"), (window.groups_tab, "Inbound Team")):
        window.tabs.setCurrentWidget(tab)
        qtbot.waitUntil(lambda tab=tab: tab.list.count() > 0)
        tab.select(name)
        assert tab.rule_combo.currentText() == "By hand"
        assert not tab.auto_check.isEnabled()
        tab.rule_combo.setCurrentIndex(tab.rule_combo.findText("Least loaded"))
        assert tab.auto_check.isEnabled()
        tab.auto_check.setChecked(True)
        qtbot.mouseClick(tab.save_rule_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda tab=tab: tab.places[tab.current_id()].rule == "least_loaded")
        assert tab.auto_check.isChecked()
    with database.read() as session:
        rules = {
            (r.office_id, r.group_id, r.rule, r.auto) for r in session.scalars(select(BucketRule))
        }
    assert rules == {
        (office_id(database), None, "least_loaded", True),
        (None, group_id(database), "least_loaded", True),
    }


def test_an_away_period_is_set_and_cleared_in_the_users_tab(qtbot, database, admin_window):
    window = admin_window()
    tab = window.users_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() > 0)
    sam = user_id(database, "Sam Field")
    select_id(tab.table, sam)
    assert tab.away_label.text() == "Not away."
    start = QDateTime(QDate(2026, 12, 1), QTime(9, 0), QTimeZone.utc())
    tab.away_from.setDateTime(start.toLocalTime())
    tab.away_until.setDateTime(start.addDays(9).toLocalTime())
    qtbot.mouseClick(tab.set_away_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.rows[sam].away_from is not None)
    assert tab.away_label.text() == "Away from 2026-12-01 09:00 until 2026-12-10 09:00 (UTC)."
    with database.read() as session:
        user = session.get(User, sam)
        assert (user.away_from, user.away_until) == (
            datetime(2026, 12, 1, 9, 0),
            datetime(2026, 12, 10, 9, 0),
        )
    qtbot.mouseClick(tab.not_away_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.rows[sam].away_from is None)
    assert tab.away_label.text() == "Not away."


def test_the_users_tab_shows_every_column_and_no_blank_away_row(qtbot, database, admin_window):
    window = admin_window()
    tab = window.users_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() > 0)
    # At the size it opens with, the table is wide enough for its columns: no sideways scroll.
    assert tab.table.horizontalScrollBar().maximum() == 0
    # Nobody chosen: no empty line where whose away period it is will show, and the dates a
    # new period starts from are today's, not 2000-01-01.
    assert not tab.away_label.isVisible()
    assert tab.away_from.dateTime().date() == QDate.currentDate()
    select_id(tab.table, user_id(database, "Sam Field"))
    assert tab.away_label.isVisible() and tab.away_label.text() == "Not away."


def test_a_waiting_limit_is_set_refused_and_removed_in_the_offices_tab(
    qtbot, database, admin_window
):
    window = admin_window()
    tab = window.offices_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.list.count() > 0)
    tab.select("Downtown Office")
    assert tab.limit_edit.text() == ""

    def stored() -> int | None:
        with database.read() as session:
            return session.scalar(select(BucketRule.waiting_limit_minutes))

    tab.limit_edit.setText("1h30m")
    qtbot.mouseClick(tab.save_limit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.places[tab.current_id()].waiting_limit_minutes == 90)
    assert tab.limit_edit.text() == "1h30min"  # as read back, and accepted again as typed
    assert window.status_label.text() == (
        "Leads waiting in Downtown Office longer than 1 h 30 min are overdue."
    )

    tab.limit_edit.setText("soon")
    error = answer_next_dialog(qtbot, "adminErrorDialog", accept=True)
    qtbot.mouseClick(tab.save_limit_button, Qt.MouseButton.LeftButton)
    error.wait()
    assert error.text.splitlines()[-1] == (
        "Unknown waiting limit 'soon'; write it like 4h, 90m, 1h30m or 2d, or none."
    )
    assert stored() == 90

    tab.limit_edit.setText("")
    qtbot.mouseClick(tab.save_limit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.places[tab.current_id()].waiting_limit_minutes is None)
    assert stored() is None
