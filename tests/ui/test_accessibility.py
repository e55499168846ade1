"""Keyboard and accessibility: names for screen readers, tab order, shortcuts in the menus,
and status colours readable in light and dark palettes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAction, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from leaddesk.ui.common.palettes import READABLE_CONTRAST, contrast_ratio, dark_palette
from tests.helpers.dialogs import on_next_dialog
from tests.helpers.window_trees import settle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


# What a person tabs to or reads: views, buttons and every kind of field.
NAMED_KINDS = (
    QAbstractItemView,
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QTextEdit,
    QPlainTextEdit,
)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed(root: QWidget) -> list[str]:
    """Views and buttons under ``root`` that a screen reader would announce without a name."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, NAMED_KINDS):
            continue
        # Qt's own helpers inside composite widgets (scroll arrows of a tab bar, the clear
        # button of a line edit) are not in the tab chain and are named by their parent.
        if widget.objectName().startswith("qt_") or not widget.isVisibleTo(root):
            continue
        # A header is read out as the column names of its view, not as a widget of its own.
        if isinstance(widget, QHeaderView):
            continue
        if not accessible_name(widget):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_view_button_and_field_of_the_main_window_has_a_name(main_window):
    window = main_window()
    assert unnamed(window) == []
    window.tabs.setCurrentIndex(1)
    assert unnamed(window) == []


def test_every_view_and_button_of_the_lead_window_has_a_name(qtbot, main_window):
    window = main_window()
    model = window.owner_model
    status = model.find_status_index("John Smith", "LEAD")
    window.owner_tree.expand(status.parent())
    window.owner_tree.expand(status)
    settle(window)
    lead = window.open_lead(model.lead_id(model.index(0, 0, status)))
    qtbot.waitExposed(lead)
    for tab in range(lead.tabs.count()):
        lead.tabs.setCurrentIndex(tab)
        assert unnamed(lead) == [], lead.tabs.tabText(tab)


def test_every_dialog_of_the_menus_has_names_for_everything(qtbot, main_window):
    window = main_window("Ada Admin")
    for action_name in (
        "administrationAction",
        "emailSettingsAction",
        "exportAction",
        "importLeadsAction",
        "outboxAction",
    ):
        window.findChild(QAction, action_name).trigger()
        dialog = next(
            widget
            for widget in QApplication.topLevelWidgets()
            if widget.isVisible() and widget is not window
        )
        tabs = dialog.findChild(QTabWidget)
        for tab in range(tabs.count() if tabs else 1):
            if tabs:
                tabs.setCurrentIndex(tab)
            assert unnamed(dialog) == [], (action_name, tab)
        dialog.close()
    window.owner_tree.setCurrentIndex(window.owner_model.find_user_index("John Smith"))
    chooser = on_next_dialog(
        qtbot, "passTargetChooser", lambda d: seen.append(unnamed(d)) or d.reject()
    )
    seen: list[list[str]] = []
    window.pass_to_action.trigger()
    chooser.wait()
    assert seen == [[]]


def test_tab_walks_search_owner_tree_filter_and_targets_in_order(qtbot, main_window):
    window = main_window()
    window.activateWindow()
    window.search_edit.setFocus()
    qtbot.waitUntil(window.search_edit.hasFocus)
    order = [QApplication.focusWidget().objectName()]
    for _step in range(3):
        QApplication.focusWidget().focusNextChild()
        order.append(QApplication.focusWidget().objectName())
    assert order == ["searchEdit", "ownerTree", "targetFilter", "targetView"]


def test_every_menu_action_can_be_reached_from_the_keyboard(main_window):
    window = main_window("Ada Admin")
    menus = [action.menu() for action in window.menuBar().actions() if action.menu()]
    assert all("&" in menu.title() for menu in menus)
    for menu in menus:
        for action in menu.actions():
            if action.isSeparator():
                continue
            # A mnemonic in the menu (Alt+letter, then the letter), or a shortcut shown in it.
            assert "&" in action.text() or not action.shortcut().isEmpty(), action.text()
    shown = {
        action.text(): action.shortcut().toString()
        for action in window.findChildren(QAction)
        if not action.shortcut().isEmpty()
    }
    assert shown["&Undo pass"] == "Ctrl+Z"
    assert shown["Pass &to…"] == "Ctrl+P"
    assert shown["&Find lead"] == "Ctrl+F"
    assert isinstance(window.edit_menu, QMenu)


@pytest.mark.parametrize("palette_name", ["light", "dark"])
def test_status_colours_are_readable_on_the_palette(qtbot, main_window, palette_name):
    app = QApplication.instance()
    light = app.palette()
    if palette_name == "dark":
        app.setPalette(dark_palette())
    try:
        window = main_window()
        model = window.owner_model
        base = app.palette().color(QPalette.ColorRole.Base)
        checked = 0
        for owner_row in range(model.rowCount()):
            owner = model.index(owner_row, 0)
            window.owner_tree.expand(owner)
            settle(window)
            for status_row in range(model.rowCount(owner)):
                status = model.index(status_row, 0, owner)
                window.owner_tree.expand(status)
                settle(window)
                for lead_row in range(model.rowCount(status)):
                    cell = model.index(lead_row, 2, status)
                    colour = model.data(cell, 9).color()  # ForegroundRole
                    assert contrast_ratio(colour, base) >= READABLE_CONTRAST, model.data(cell)
                    checked += 1
        assert checked >= 10
    finally:
        app.setPalette(light)


def test_return_on_a_lead_opens_it(qtbot, main_window):
    window = main_window()
    model = window.owner_model
    status = model.find_status_index("John Smith", "LEAD")
    window.owner_tree.expand(status.parent())
    window.owner_tree.expand(status)
    settle(window)
    window.owner_tree.setCurrentIndex(model.index(0, 0, status))
    window.owner_tree.setFocus()
    QTest.keyClick(window.owner_tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.lead_windows) == 1)
    qtbot.waitUntil(lambda: not window.lead_windows[0].loading, timeout=10_000)
    assert "Harbor Logistics renewal" in window.lead_windows[0].windowTitle()
    # On a user or status row Return opens nothing (there is no lead to open).
    window.owner_tree.setCurrentIndex(status)
    QTest.keyClick(window.owner_tree, Qt.Key.Key_Return)
    assert len(window.lead_windows) == 1
