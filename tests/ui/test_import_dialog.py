"""The import dialog's mapping step, driven like a person would: open another CRM's export,
choose a column's field and a status value's status, watch the preview, check, import; the
mapping is remembered for the next file from the same system. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from leaddesk.store.models import Lead, Status, User
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.data.import_dialog import ImportDialog
from tests.helpers.demo_names import user_id

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

FIXTURES = Path(__file__).parent.parent / "fixtures" / "crm"


@pytest.fixture
def open_dialog(qtbot, database) -> Iterator[Callable[..., ImportDialog]]:
    runners: list[OperationRunner] = []

    def make(path: Path, actor: str = "Ada Admin") -> ImportDialog:
        with database.read() as session:
            user = session.scalars(select(User).where(User.name == actor)).one()
        runner = OperationRunner(database)
        runners.append(runner)
        context = WindowContext(database, runner, user.id, user.name, user.is_admin)
        dialog = ImportDialog(context, None)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.load_file(str(path))
        qtbot.waitUntil(lambda: dialog.survey is not None)
        return dialog

    yield make
    for runner in runners:
        runner.wait_idle()


def preview_column(dialog: ImportDialog, column: int) -> list[str]:
    table = dialog.preview
    return [table.item(row, column).text() for row in range(table.rowCount())]


def count(database, statement) -> int:
    with database.read() as session:
        return session.scalar(statement)


def test_mapping_step_choose_a_column_and_a_status_then_import(qtbot, database, open_dialog):
    dialog = open_dialog(FIXTURES / "salesforce_leads.csv")
    assert "Recognised a Salesforce export" in dialog.info_label.text()
    assert dialog.mapping()["owner"] == "Lead Owner"
    assert dialog.columns.rowCount() == 11
    # Each status value found, with how many rows have it; none is a LeadDesk status yet.
    values = {
        dialog.statuses.item(row, 0).text(): dialog.statuses.item(row, 1).text()
        for row in range(dialog.statuses.rowCount())
    }
    assert values == {
        "Open - Not Contacted": "2",
        "Working - Contacted": "1",
        "Closed - Converted": "1",
    }
    assert preview_column(dialog, 0)[0] == "Zoë Müller-Lüdenscheidt"
    assert preview_column(dialog, 4) == [
        "? Open - Not Contacted",
        "? Working - Contacted",
        "? Closed - Converted",
        "? Open - Not Contacted",
    ]

    # Choose a column: the title becomes the lead name, and the preview follows.
    dialog.columns.choose("Title", "name")
    assert dialog.mapping()["name"] == "Title"
    assert preview_column(dialog, 0)[:2] == ["Head of Purchasing", "CTO"]
    dialog.columns.choose("Title", None)
    assert preview_column(dialog, 0)[0] == "Zoë Müller-Lüdenscheidt"

    # Import refuses while a status value has no status.
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "Choose a LeadDesk status for every status value" in dialog.report_edit.toPlainText()

    # Choose a status for each value; one becomes a new status.
    dialog.statuses.choose("Open - Not Contacted", "LEAD")
    dialog.statuses.choose("Working - Contacted", "OPPORTUNITY")
    dialog.statuses.choose("Closed - Converted", "Closed - Converted")
    assert preview_column(dialog, 4) == ["LEAD", "OPPORTUNITY", "Closed - Converted", "LEAD"]
    assert preview_column(dialog, 6)[1] == "2026-11-14 15:05"

    before = count(database, select(func.count()).select_from(Lead))
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_report is not None)
    assert "all 4 row(s) valid, would import them" in dialog.report_edit.toPlainText()
    assert count(database, select(func.count()).select_from(Lead)) == before
    # The command line's report, with its headings (the mapping is in the tables above).
    report = dialog.report_edit.toPlainText().splitlines()
    assert report[0] == "Import of leads from salesforce_leads.csv (UTF-8, 4 row(s))"
    assert "How the file is read:" in report
    assert "New leads by owner or bucket:" in report
    assert report[-2] == "Result:"
    assert not any(line.strip().startswith("Columns:") for line in report)

    dialog.last_report = None
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_report is not None)
    assert "Imported 4 lead(s) from salesforce_leads.csv" in dialog.report_edit.toPlainText()
    assert count(database, select(func.count()).select_from(Lead)) == before + 4
    assert count(database, select(func.count()).where(Status.name == "Closed - Converted")) == 1
    assert (
        count(
            database,
            select(func.count()).where(
                Lead.external_source == "salesforce",
                Lead.owner_id == user_id(database, "John Smith"),
            ),
        )
        == 2
    )

    # The same file again: the mapping is remembered, and the leads are recognised.
    again = open_dialog(FIXTURES / "salesforce_leads.csv")
    assert again.statuses.status_map() == {
        "Open - Not Contacted": "LEAD",
        "Working - Contacted": "OPPORTUNITY",
        "Closed - Converted": "Closed - Converted",
    }
    qtbot.mouseClick(again.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.last_report is not None)
    assert "is already in LeadDesk as lead" in again.report_edit.toPlainText()
    assert count(database, select(func.count()).select_from(Lead)) == before + 4
    again.duplicate_combo.setCurrentIndex(again.duplicate_combo.findData("skip"))
    qtbot.mouseClick(again.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.last_report is not None)
    assert "all 4 row(s) are already in LeadDesk (skipped)" in again.report_edit.toPlainText()


def test_owner_values_mapped_to_users_or_sent_to_a_bucket_and_remembered(
    qtbot, database, open_dialog
):
    dialog = open_dialog(FIXTURES / "suitecrm_leads.csv")
    assert "Recognised a SuiteCRM export" in dialog.info_label.text()
    for value, status in (("New", "LEAD"), ("In Process", "OPPORTUNITY"), ("Converted", "WON")):
        dialog.statuses.choose(value, status)
    # SuiteCRM exports login names: each unknown one is listed, its likely user first.
    owners = {
        dialog.owners.item(row, 0).text(): dialog.owners.item(row, 1).text()
        for row in range(dialog.owners.rowCount())
    }
    assert owners == {"john.smith": "2", "jane.doe": "1"}
    assert dialog.owners.combos["john.smith"].itemText(1) == "John Smith <john.smith@example.com>"
    assert preview_column(dialog, 5) == ["john.smith", "jane.doe", "john.smith"]
    dialog.owners.choose("john.smith", "john.smith@example.com")
    dialog.fallback_combo.setCurrentIndex(dialog.fallback_combo.findData("Downtown Office"))
    assert preview_column(dialog, 5) == [
        "John Smith",
        "Leads to be Assigned: Downtown Office",
        "John Smith",
    ]
    dialog.columns.choose("Title", "company")  # remembered for SuiteCRM files from now on
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_report is not None)
    text = dialog.report_edit.toPlainText()
    assert "Imported 3 lead(s)" in text
    assert (
        "Owners: 0 matched by email, 0 by name, 2 by --map-owner, "
        "1 unknown or inactive to Leads to be Assigned: Downtown Office, 0 refused." in text
    )
    john = user_id(database, "John Smith")
    assert (
        count(
            database,
            select(func.count()).where(Lead.owner_id == john, Lead.external_source == "suitecrm"),
        )
        == 2
    )

    again = open_dialog(FIXTURES / "suitecrm_leads.csv")
    assert again.mapping()["company"] == "Title"
    assert "Account Name" not in again.mapping().values()
    assert again.owners.owner_map() == {"john.smith": "john.smith@example.com"}
