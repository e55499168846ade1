"""Empty states in the main window: someone who manages nobody is told why and whom to ask;
someone who sees no bucket is told who does; the lower half of the Pass to pane explains how
to pass. On SQLite and PostgreSQL, offscreen."""

from __future__ import annotations

import html

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel

from leaddesk.admin.rights import grant_right
from leaddesk.ui.buckets.bucket_tab import NO_BUCKETS_TEXT
from leaddesk.ui.main.pass_guide import PassGuide
from leaddesk.ui.main.workload_panel import GUIDE_TAB, WorkloadPanel
from tests.helpers.demo_names import user_id
from tests.helpers.window_trees import settle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_someone_who_manages_nobody_is_told_whom_to_ask(qtbot, main_window, database):
    window = main_window("John Smith")
    assert window.owner_stack.currentWidget() is window.owner_empty_state
    assert window.owner_empty_state.isVisible()
    assert window.owner_empty_state.advice == (
        "You have no manager right over anyone yet, so there are no leads here to pass. "
        "A manager right lets you see someone's leads and pass them on. "
        "Only an administrator can give it. Ask Ada Admin."
    )
    assert "No leads to manage yet" in window.owner_empty_state.text()

    # Once an administrator gives a right, the tree comes back on the next refresh.
    with database.write() as session:
        grant_right(
            session,
            user_id(database, "Ada Admin"),
            manager_id=user_id(database, "John Smith"),
            user_id=user_id(database, "Sam Field"),
        )
    window.refresh()
    settle(window)
    assert window.owner_stack.currentWidget() is window.owner_tree
    assert window.owner_model.find_user_index("Sam Field").isValid()


def test_a_manager_sees_the_tree_not_the_empty_state(main_window):
    window = main_window("Maria Manager")
    assert window.owner_stack.currentWidget() is window.owner_tree
    assert not window.owner_empty_state.isVisible()


def test_someone_who_sees_no_bucket_is_told_who_does(qtbot, main_window):
    window = main_window("John Smith")
    window.tabs.setCurrentWidget(window.bucket_tab)
    tab = window.bucket_tab
    qtbot.waitUntil(tab.empty_label.isVisible)
    assert tab.stack.currentWidget() is tab.empty_label
    assert NO_BUCKETS_TEXT in html.unescape(tab.empty_label.text())
    assert not tab.tree.isVisible()
    assert window.tabs.tabText(1) == "Leads to be Assigned"


def test_the_pass_pane_explains_how_to_pass_with_the_shortcuts_that_work(main_window):
    window = main_window()
    # On the tab beside the workload chart, under the targets.
    panel = window.pass_pane_lower.current()
    assert isinstance(panel, WorkloadPanel)
    assert panel.tabText(GUIDE_TAB) == "How to pass"
    panel.setCurrentIndex(GUIDE_TAB)
    guide = panel.currentWidget()
    assert isinstance(guide, PassGuide)
    assert guide.isVisible()
    # Under the targets, not beside them, and with room of its own.
    assert (
        guide.mapTo(window, guide.rect().topLeft()).y()
        > window.target_view.mapTo(window, window.target_view.rect().bottomLeft()).y()
    )
    assert guide.height() > 100
    text = guide.plain_text()
    assert "Drag a lead, a status or a whole user" in text
    for action in (window.pass_to_action, window.cut_action, window.paste_action):
        keys = action.shortcut().toString()
        assert keys and f"({keys})" in text
    assert f"Undo pass ({window.undo_action.shortcut().toString()})" in text


def test_the_pass_pane_lower_half_can_be_replaced(qtbot, main_window):
    window = main_window()
    panel = window.pass_pane_lower.current()
    chart = QLabel("workload chart")
    window.pass_pane_lower.replace(chart)
    assert window.pass_pane_lower.current() is chart
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel))  # gone, not hidden
    assert chart.isVisible()
