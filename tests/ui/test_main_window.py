"""The main window: automation contract, keyboard and menu passes, undo, settings, start-up."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTabWidget, QTreeView, QWidget
from sqlalchemy import select, text

from leaddesk import cli, ui
from leaddesk.errors import DatabaseUnavailableError, PermissionDeniedError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store import tree_queries
from leaddesk.store.database import open_database
from leaddesk.store.models import Lead, LeadNote
from leaddesk.ui.passing import pass_dialogs
from leaddesk.ui.shell import launch
from leaddesk.ui.shell.sign_in_dialog import SignInDialog, active_user_names, remembered_user
from tests.helpers.demo_names import lead_by_name, leads_of, snapshot, user_id
from tests.helpers.dialogs import (
    answer_next_dialog,
    find_visible_window,
    on_next_dialog,
    wait_for_window,
)
from tests.helpers.window_trees import settle

# The module (``leaddesk.ui.main.main_window`` the attribute is the factory function).
main_window_module = importlib.import_module("leaddesk.ui.main.main_window")

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def select_lead(window, owner: str, status: str, name: str):
    model = window.owner_model
    status_index = model.find_status_index(owner, status)
    window.owner_tree.expand(status_index.parent())
    window.owner_tree.expand(status_index)
    settle(window)
    for row in range(model.rowCount(status_index)):
        index = model.index(row, 0, status_index)
        if model.data(index) == name:
            window.owner_tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            return index
    raise AssertionError(name)


def answer_pass(qtbot, note: str | None = None):
    confirm = answer_next_dialog(qtbot, "confirmPassDialog")
    noted = answer_next_dialog(qtbot, "passNoteDialog", accept=note is not None, note=note)
    done = answer_next_dialog(qtbot, "passDoneDialog")
    return confirm, noted, done


def finish(qtbot, window, done):
    done.wait()
    qtbot.waitUntil(lambda: not window.context.runner.busy)
    settle(window)


def test_automation_contract_object_names(main_window):
    window = main_window()
    assert window.objectName() == "mainWindow"
    for name, kind in (
        ("leadManagementTab", QWidget),
        ("bucketTab", QWidget),
        ("ownerTree", QTreeView),
        ("targetView", QTreeView),
        ("bucketTree", QTreeView),
        ("searchEdit", QWidget),
    ):
        assert window.findChild(kind, name) is not None, name
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Lead Management",
        "Leads to be Assigned",
    ]
    assert "Maria Manager" in window.actor_label.text()
    assert window.context.database.display_url in window.database_label.text()
    assert window.findChild(QWidget, "emailStatusArea") is not None


def test_target_the_actor_does_not_manage_is_not_offered(main_window):
    window = main_window()
    assert not window.target_model.find("Victor Outside").isValid()
    assert not window.owner_model.find_user_index("Victor Outside").isValid()
    assert window.target_model.find("Jane Doe").isValid()


def test_bucket_tab_title_shows_how_many_leads_wait(main_window):
    window = main_window("Olivia Office")
    assert window.tabs.tabText(1) == "Leads to be Assigned (1)"


def test_cut_and_paste_passes_without_dragging(qtbot, main_window, database):
    window = main_window()
    select_lead(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    window.cut_action.trigger()
    assert window.cut_source is not None
    window.target_view.setCurrentIndex(window.target_model.find("Sam Field"))
    _confirm, _noted, done = answer_pass(qtbot, note="Pasted")
    window.paste_action.trigger()
    finish(qtbot, window, done)
    assert lead_by_name(database, "Harbor Logistics renewal").owner_id == user_id(
        database, "Sam Field"
    )
    assert window.cut_source is None


def test_pass_to_menu_chooses_a_target_in_a_dialog(qtbot, main_window, database):
    window = main_window()
    select_lead(window, "Jane Doe", "LEAD", "Bluebell Dental scheduling")
    offered = []

    def choose_sam(chooser) -> None:
        offered.extend(choice.name for choice in chooser.model.choices())
        assert chooser.select("Sam Field")
        chooser.accept()

    chosen = on_next_dialog(qtbot, "passTargetChooser", choose_sam)
    confirm, _noted, done = answer_pass(qtbot)
    window.pass_to_action.trigger()
    finish(qtbot, window, done)
    assert chosen.answered and "Victor Outside" not in offered
    assert "Pass 1 lead from Jane Doe to Sam Field?" in confirm.text
    assert lead_by_name(database, "Bluebell Dental scheduling").owner_id == user_id(
        database, "Sam Field"
    )


def test_context_menu_offers_pass_to_and_cut(qtbot, main_window):
    window = main_window()
    index = select_lead(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    menu = window.owner_menu_for(index)
    texts = [action.text() for action in menu.actions() if action.text()]
    menu.deleteLater()
    assert texts == ["Open lead", "Pass &to…", "Cu&t"]


def test_double_click_on_a_lead_opens_the_lead_window(qtbot, main_window, database):
    window = main_window()
    index = select_lead(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    rect = window.owner_tree.visualRect(index)
    viewport = window.owner_tree.viewport()
    # A real double-click starts with a press on the same row (the view checks it).
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    lead_window = wait_for_window(qtbot, "leadWindow")
    assert lead_window.parent() is window
    lead_window.close()


def test_search_box_filters_leads(qtbot, main_window):
    window = main_window()
    qtbot.keyClicks(window.search_edit, "bakery")
    qtbot.waitUntil(lambda: window.owner_model.search == "bakery")
    settle(window)
    assert window.owner_model.rowCount() == 1
    status = window.owner_model.find_status_index("John Smith", "OPPORTUNITY")
    assert window.owner_tree.isExpanded(status)
    window.search_edit.clear()
    qtbot.waitUntil(lambda: window.owner_model.rowCount() == 4)


def test_ctrl_z_undoes_the_last_pass(qtbot, main_window, database):
    window = main_window()
    john = window.owner_model.find_user_index("John Smith")
    window.owner_tree.setCurrentIndex(john)
    before = {lead.id: lead.owner_id for lead in leads_of(database, "John Smith")}
    window.cut_action.trigger()
    window.target_view.setCurrentIndex(window.target_model.find("Jane Doe"))
    _c, _n, done = answer_pass(qtbot)
    window.paste_action.trigger()
    finish(qtbot, window, done)
    assert leads_of(database, "John Smith") == []
    # Edit > Undo pass names the pass it would undo, read after the pass finished.
    qtbot.waitUntil(window.undo_action.isEnabled)
    assert window.undo_action.text() == "&Undo pass of 3 leads to Jane Doe"

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    confirm = answer_next_dialog(qtbot, "confirmPassDialog")
    undone = answer_next_dialog(qtbot, "passDoneDialog")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    finish(qtbot, window, undone)
    assert "Undo pass" in confirm.text and "3 leads" in confirm.text
    assert {lead.id: lead.owner_id for lead in leads_of(database, "John Smith")} == before
    assert window.owner_model.data(window.owner_model.find_user_index("John Smith")) == (
        "John Smith  (3)"
    )
    qtbot.waitUntil(lambda: not window.undo_action.isEnabled())
    assert window.undo_action.text() == "&Undo pass"
    assert window.undo_action.toolTip() == "You have no pass to undo."


def test_undo_is_refused_when_the_leads_changed_since(qtbot, main_window, database, db_url):
    window = main_window()
    select_lead(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    window.cut_action.trigger()
    window.target_view.setCurrentIndex(window.target_model.find("Jane Doe"))
    _c, _n, done = answer_pass(qtbot)
    window.paste_action.trigger()
    finish(qtbot, window, done)
    qtbot.waitUntil(window.undo_action.isEnabled)
    batch_id = window.undo_action.offer.batch_id
    other = open_database(db_url)
    try:
        lead = lead_by_name(other, "Harbor Logistics renewal")
        with other.write() as session:
            pass_leads(
                session,
                actor_id=user_id(other, "Ada Admin"),
                selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
                target=Target.user(user_id(other, "Sam Field")),
            )
    finally:
        other.dispose()
    before = snapshot(database)
    confirm = answer_next_dialog(qtbot, "confirmPassDialog")
    refused = answer_next_dialog(qtbot, "passErrorDialog")
    window.undo_action.trigger()
    refused.wait()
    assert confirm.answered
    assert "cannot be undone" in refused.text and "changed since" in refused.text
    qtbot.waitUntil(lambda: not window.context.runner.busy)
    assert snapshot(database) == before
    # The refusal was a change the runner reported: the menu now says why, disabled.
    qtbot.waitUntil(lambda: not window.undo_action.isEnabled())
    assert window.undo_action.text() == "&Undo pass of 1 lead to Jane Doe"
    assert window.undo_action.toolTip() == (
        f"Pass {batch_id} cannot be undone: lead(s) {lead.id} changed since."
    )
    assert window.undo_action.toolTip() in refused.text


def test_nothing_to_undo_disables_undo_and_says_why(qtbot, main_window):
    window = main_window()
    qtbot.waitUntil(lambda: window.undo_action.toolTip() == "You have no pass to undo.")
    assert not window.undo_action.isEnabled()
    assert window.undo_action.text() == "&Undo pass"
    assert window.edit_menu.toolTipsVisible()
    # A label gone stale (another window undid it) still reaches the flow, which says so.
    told = answer_next_dialog(qtbot, "nothingToUndoDialog")
    window.undo_pass()
    told.wait()
    assert "no pass to undo" in told.text


def test_over_long_note_cannot_be_submitted(qtbot, main_window, database):
    window = main_window()
    select_lead(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    window.cut_action.trigger()
    window.target_view.setCurrentIndex(window.target_model.find("Jane Doe"))
    seen = {}

    def try_too_long(dialog) -> None:
        dialog.note_edit.setPlainText("x" * 4001)
        seen["submit_enabled"] = dialog.submit.isEnabled()
        seen["counter"] = dialog.field.counter.text()
        dialog.accept()  # refused while too long
        seen["still_open"] = dialog.isVisible()
        dialog.note_edit.setPlainText("short")
        dialog.accept()

    answer_next_dialog(qtbot, "confirmPassDialog")
    on_next_dialog(qtbot, "passNoteDialog", try_too_long)
    done = answer_next_dialog(qtbot, "passDoneDialog")
    window.paste_action.trigger()
    finish(qtbot, window, done)
    assert seen == {
        "submit_enabled": False,
        "counter": "4,001 / 4,000 characters",
        "still_open": True,
    }
    lead = lead_by_name(database, "Harbor Logistics renewal")
    with database.read() as session:
        notes = list(session.scalars(select(LeadNote.body).where(LeadNote.lead_id == lead.id)))
    assert notes == ["short"]


def test_settings_remember_splitter_and_geometry(qtbot, main_window, db_url):
    window = main_window()
    window.resize(760, 560)  # inside the offscreen screen (800 x 600)
    window.splitter.setSizes([450, 280])
    sizes = window.splitter.sizes()
    window.close()
    again = main_window(show=False)  # the factory's default size would hide the restore
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == (760, 560)
    assert again.splitter.sizes() == sizes


def test_inactive_user_cannot_sign_in(qtbot, database, db_url):
    with database.write() as session:
        session.execute(text("UPDATE users SET active = false WHERE name = 'Victor Outside'"))
    with pytest.raises(PermissionDeniedError, match="inactive"):
        ui.main_window(db_url, "Victor Outside")
    assert "Victor Outside" not in active_user_names(database)


def test_sign_in_dialog_lists_active_users_and_remembers_the_choice(qtbot, database):
    with database.write() as session:
        session.execute(text("UPDATE users SET active = false WHERE name = 'Victor Outside'"))
    dialog = SignInDialog(active_user_names(database), database.display_url)
    qtbot.addWidget(dialog)
    names = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert "Victor Outside" not in names and "Maria Manager" in names
    dialog.list.setCurrentRow(names.index("Maria Manager"))
    dialog.accept()
    assert remembered_user() == "Maria Manager"
    second = SignInDialog(names, database.display_url)
    qtbot.addWidget(second)
    assert second.chosen() == "Maria Manager"


def test_screenshot_renders_the_window_to_a_png(qtbot, db_url, tmp_path: Path, capsys):
    path = tmp_path / "shot.png"
    assert cli.main(["--db", db_url, "--as", "Maria Manager", "--screenshot", str(path)]) == 0
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 800


def test_a_screenshot_run_leaves_the_next_test_an_unchanged_environment():
    # Runs right after the screenshot test above: the window's start sets variables for the
    # rest of its process (no autosend, scratch settings), which must not leak into the next
    # test (the email tests then waited for a sender that never started).
    assert "LEADDESK_EMAIL_AUTOSEND" not in os.environ


def test_unreachable_database_is_one_line_and_exit_1(qtbot, tmp_path: Path, capsys, backend):
    if backend == "sqlite":
        url = str(tmp_path / "no" / "such")  # a directory: it cannot be opened as a file
        (tmp_path / "no" / "such").mkdir(parents=True)
    else:
        url = "postgresql+psycopg://nobody@127.0.0.1:1/leaddesk"
    code = cli.main(["--db", url, "--as", "Maria Manager", "--screenshot", str(tmp_path / "s.png")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("leaddesk: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_lead_pass_never_changes_rows_outside_the_batch(qtbot, main_window, database):
    window = main_window()
    status = window.owner_model.find_status_index("Sam Field", "LEAD")
    window.owner_tree.setCurrentIndex(status)
    window.cut_action.trigger()
    window.target_view.setCurrentIndex(window.target_model.find("Maria Manager"))
    _c, _n, done = answer_pass(qtbot)
    window.paste_action.trigger()
    finish(qtbot, window, done)
    with database.read() as session:
        victor = session.scalars(
            select(Lead.owner_id).where(Lead.name == "Redwood Winery labels")
        ).one()
    assert victor == user_id(database, "Victor Outside")


@pytest.mark.parametrize("accept", [True, False])
def test_first_run_on_an_empty_database_offers_the_demo_data(qtbot, make_db_url, accept):
    database = open_database(make_db_url(demo=False))
    try:
        offer = answer_next_dialog(qtbot, "createDemoDialog", accept=accept)
        assert launch.ensure_users(database, True, is_default=True) is accept
        assert "The default database is empty" in offer.text
        assert ("Maria Manager" in active_user_names(database)) is accept
    finally:
        database.dispose()


def test_big_passes_show_a_progress_dialog(qtbot, main_window, database, monkeypatch):
    shown = []
    real_progress = pass_dialogs._progress

    def spy(parent, count):
        dialog = real_progress(parent, count)
        shown.append((dialog.objectName(), dialog.labelText(), dialog.isVisible()))
        return dialog

    monkeypatch.setattr(pass_dialogs, "BIG_BATCH", 3)
    monkeypatch.setattr(pass_dialogs, "_progress", spy)
    window = main_window()
    window.owner_tree.setCurrentIndex(window.owner_model.find_user_index("John Smith"))
    window.cut_action.trigger()
    window.target_view.setCurrentIndex(window.target_model.find("Jane Doe"))
    _c, _n, done = answer_pass(qtbot)
    window.paste_action.trigger()
    finish(qtbot, window, done)
    assert shown == [("passProgressDialog", "Passing 3 leads…", True)]
    assert find_visible_window("passProgressDialog") is None


def test_unreachable_database_while_open_gives_a_message_not_a_traceback(
    qtbot, main_window, database, monkeypatch
):
    window = main_window()
    before = snapshot(database)

    def unreachable(*_args, **_kwargs):
        raise DatabaseUnavailableError("The database at test cannot be reached: gone")

    monkeypatch.setattr(tree_queries, "owner_tree", unreachable)
    told = answer_next_dialog(qtbot, "loadErrorDialog")
    window.refresh_action.trigger()
    told.wait()
    settle(window)
    assert "cannot be reached" in told.text
    # The panes keep what they showed; nothing was lost.
    assert window.owner_model.find_user_index("John Smith").isValid()

    monkeypatch.setattr(pass_dialogs, "preview_pass", unreachable)
    window.owner_tree.setCurrentIndex(window.owner_model.find_user_index("John Smith"))
    window.cut_action.trigger()
    window.target_view.setCurrentIndex(window.target_model.find("Jane Doe"))
    refused = answer_next_dialog(qtbot, "passErrorDialog")
    answer_next_dialog(qtbot, "loadErrorDialog")  # the refresh after a refusal fails too
    window.paste_action.trigger()
    refused.wait()
    assert "cannot be reached" in refused.text
    assert snapshot(database) == before


def test_lead_names_are_not_cut_short_at_the_first_start_size(main_window, qtbot):
    """The owner tree gets the width its longest lead names need, two levels down."""
    window = main_window(show=False)
    window.resize(1180, 720)  # a first start's size (nothing remembered)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    tree, model = window.owner_tree, window.owner_model
    tree.expandAll()
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    metrics = tree.fontMetrics()
    icon = tree.style().pixelMetric(tree.style().PixelMetric.PM_SmallIconSize)
    leads = []
    for user in range(model.rowCount()):
        user_index = model.index(user, 0)
        for status in range(model.rowCount(user_index)):
            status_index = model.index(status, 0, user_index)
            leads += [
                model.index(row, 0, status_index) for row in range(model.rowCount(status_index))
            ]
    assert len(leads) >= 10
    cut = [
        index.data()
        for index in leads
        if tree.visualRect(index).width() < metrics.horizontalAdvance(index.data()) + icon + 12
    ]
    assert cut == []
