"""Drag and drop you can aim: the chip, the filled target row and the header line, refusals
before any dialog, auto-expand, auto-scroll and the filter box, driven with real drag
events through the viewports."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTreeView
from sqlalchemy import update

from leaddesk.store.models import Lead, User
from leaddesk.ui.common.icons import lead_icon
from leaddesk.ui.passing.drag_chip import CHIP_OFFSET, chip_pixmap, split_count
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource
from tests.helpers.demo_names import lead_by_name, snapshot
from tests.helpers.dialogs import answer_next_dialog, find_visible_window, on_next_dialog
from tests.helpers.drag_drop import (
    drag_leave,
    drag_over,
    drag_over_index,
    drop_on_index,
    mime_for,
)
from tests.helpers.window_trees import settle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HARBOR = "Harbor Logistics renewal"


def lead_index(window, owner: str, status: str, lead_name: str) -> QModelIndex:
    model = window.owner_model
    status_index = model.find_status_index(owner, status)
    window.owner_tree.expand(status_index.parent())
    window.owner_tree.expand(status_index)
    settle(window)
    for row in range(model.rowCount(status_index)):
        index = model.index(row, 0, status_index)
        if model.data(index) == lead_name:
            return index
    raise AssertionError(f"{lead_name} not under {owner} / {status}")


def header_line(window) -> str:
    return window.findChild(QLabel, "targetHint").text()


def select(view: QTreeView, indexes: list[QModelIndex]) -> None:
    view.clearSelection()
    for index in indexes:
        view.selectionModel().select(
            index,
            view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
        )


def dragged(drag) -> PassSource:
    source = PassSource.decode(drag.mimeData().data(PASS_SOURCE_MIME_TYPE).data())
    assert source is not None
    return source


# -- the chip --------------------------------------------------------------------------


def test_the_drag_image_is_a_small_chip_that_names_what_is_carried(main_window):
    window = main_window()
    tree = window.owner_tree
    select(tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    drag = tree.make_drag()
    assert drag is not None
    chip = drag.pixmap()
    logical_width = chip.width() / chip.devicePixelRatio()
    assert 0 < logical_width < tree.width() / 3
    assert chip.height() / chip.devicePixelRatio() < 40
    assert dragged(drag).carried().title == HARBOR
    # Down-right of the pointer: the row under the pointer is not covered.
    assert drag.hotSpot() == -CHIP_OFFSET and CHIP_OFFSET.x() > 0 and CHIP_OFFSET.y() > 0

    jane = window.owner_model
    first = lead_index(window, "Jane Doe", "OPPORTUNITY", "Granite Works CRM migration")
    second = lead_index(window, "Jane Doe", "OPPORTUNITY", "Riverbend Hotel Wi-Fi")
    third = lead_index(window, "Jane Doe", "LEAD", "Bluebell Dental scheduling")
    select(tree, [first, second, third])
    several = dragged(tree.make_drag())
    assert (several.carried().title, several.lead_count) == ("3 leads", 3)

    select(tree, [jane.find_status_index("Jane Doe", "OPPORTUNITY")])
    assert dragged(tree.make_drag()).title == "OPPORTUNITY of Jane Doe (2 leads)"
    select(tree, [jane.find_user_index("John Smith")])
    whole = tree.make_drag()
    assert dragged(whole).title == "All of John Smith (3 leads)"
    assert whole.pixmap().width() / whole.pixmap().devicePixelRatio() < tree.width() / 3


def test_the_chip_is_drawn_at_twice_the_pixels_for_200_percent(qtbot):
    palette = QApplication.palette()
    font = QApplication.font()
    single = chip_pixmap("3 leads", lead_icon("LEAD"), palette, font, 1.0)
    double = chip_pixmap("3 leads", lead_icon("LEAD"), palette, font, 2.0)
    assert double.devicePixelRatio() == 2.0
    assert double.width() == 2 * single.width() and double.height() == 2 * single.height()
    # Its fill comes from the palette and lets the row beneath show through a little.
    image = single.toImage()
    centre = image.pixelColor(single.width() - 12, single.height() // 2)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    assert 150 < centre.alpha() < 255
    assert abs(centre.hue() - highlight.hue()) <= 2 or highlight.hue() == -1


def test_a_long_name_is_shortened_to_a_third_of_the_tree(qtbot, main_window, database):
    long_name = "Harbor Logistics renewal of the northern fleet and all three warehouses"
    with database.write() as session:
        session.execute(update(Lead).where(Lead.name == HARBOR).values(name=long_name))
    window = main_window()
    tree = window.owner_tree
    select(tree, [lead_index(window, "John Smith", "LEAD", long_name)])
    drag = tree.make_drag()
    assert dragged(drag).title == long_name
    assert drag.pixmap().width() / drag.pixmap().devicePixelRatio() < tree.width() / 3


# -- the target you can see ------------------------------------------------------------


def test_hovering_a_valid_target_fills_its_row_and_says_what_a_drop_does(qtbot, main_window):
    window = main_window()
    view = window.target_view
    mime = mime_for(window.owner_tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    jane = window.target_model.find("Jane Doe")

    hover = drag_over_index(view, jane, mime)
    assert hover.enter_accepted and hover.move_accepted
    assert header_line(window) == f"Drop to pass {HARBOR} to Jane Doe"
    assert view.hovered_target() == jane
    # The whole row is filled with the palette's highlight (sampled right of the name).
    rect = view.visualRect(jane.siblingAtColumn(1))
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    sample = image.pixelColor(int((rect.left() - 8) * ratio), int(rect.center().y() * ratio))
    assert sample == view.palette().color(QPalette.ColorRole.Highlight)
    assert window.target_model.data(jane, Qt.ItemDataRole.ForegroundRole).color() == (
        view.palette().highlightedText().color()
    )

    office = window.target_model.find("Downtown Office")
    assert drag_over_index(view, office, mime, enter=False).move_accepted
    assert header_line(window) == (
        f"Drop to pass {HARBOR} to the Leads to be Assigned bucket of Downtown Office"
    )
    assert view.hovered_target() == office

    drag_leave(view)
    assert not view.hovered_target().isValid()
    assert header_line(window).startswith("Drop leads, a status or a whole user")


def test_invalid_places_get_the_forbidden_cursor_and_the_reason(qtbot, main_window):
    window = main_window()
    view = window.target_view
    mime = mime_for(window.owner_tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    model = window.target_model

    heading = model.index(0, 0)
    hover = drag_over_index(view, heading, mime)
    assert hover.enter_accepted and not hover.move_accepted
    assert header_line(window) == "Not here: “Users” is a heading: drop on a row below it."
    assert not view.hovered_target().isValid()

    owner = drag_over_index(view, model.find("John Smith"), mime, enter=False)
    assert not owner.move_accepted
    assert header_line(window) == f"Not here: {HARBOR} is already with John Smith."
    assert not view.hovered_target().isValid()

    several = mime_for(window.owner_tree, [window.owner_model.find_user_index("John Smith")])
    assert not drag_over_index(view, model.find("John Smith"), several, enter=False).move_accepted
    assert header_line(window) == "Not here: The 3 leads are already with John Smith."

    # Empty space below the last row.
    bottom = QPoint(10, view.viewport().height() - 3)
    assert not view.indexAt(bottom).isValid()
    assert not drag_over(view, bottom, mime, enter=False).move_accepted
    assert header_line(window) == "Not here: Drop on a user, office or pass group."


def test_leads_of_two_owners_may_go_to_one_of_them(qtbot, main_window):
    window = main_window()
    johns = lead_index(window, "John Smith", "LEAD", HARBOR)
    janes = lead_index(window, "Jane Doe", "LEAD", "Bluebell Dental scheduling")
    mime = mime_for(window.owner_tree, [johns, janes])
    jane = window.target_model.find("Jane Doe")
    assert drag_over_index(window.target_view, jane, mime).move_accepted
    assert header_line(window) == (
        "Drop to pass 2 leads to Jane Doe (those already with Jane Doe stay)"
    )
    assert window.target_view.hovered_target() == jane


def test_a_drop_on_the_current_owner_is_refused_before_any_dialog(qtbot, main_window, database):
    window = main_window()
    before = snapshot(database)
    requested = []
    window.target_model.pass_requested.connect(lambda *args: requested.append(args))
    mime = mime_for(window.owner_tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    confirm = answer_next_dialog(qtbot, "confirmPassDialog")
    outcome = drop_on_index(window.target_view, window.target_model.find("John Smith"), mime)
    QApplication.processEvents()  # the queued pass request would arrive here
    assert not outcome.move_accepted and not outcome.drop_accepted
    assert requested == []
    assert find_visible_window("confirmPassDialog") is None
    confirm.cancel()
    assert not window.context.runner.busy
    assert snapshot(database) == before
    assert lead_by_name(database, HARBOR).owner_id is not None


def test_bucket_leads_carry_their_bucket_and_are_refused_there(qtbot, main_window):
    window = main_window("Olivia Office")
    window.tabs.setCurrentIndex(1)
    tree = window.bucket_tab.tree
    qtbot.waitUntil(lambda: tree.width() > 300)
    model = tree.model()
    lead = model.index(0, 0, model.index(0, 0))
    select(tree, [lead])
    drag = tree.make_drag()
    assert dragged(drag).title == "Walk-in: Corner Florist website"
    assert drag.pixmap().width() / drag.pixmap().devicePixelRatio() < tree.width() / 3
    view = window.target_view
    office = window.target_model.find("Downtown Office")
    assert not drag_over_index(view, office, drag.mimeData()).move_accepted
    assert header_line(window) == (
        "Not here: Walk-in: Corner Florist website is already with Downtown Office."
    )
    sam = window.target_model.find("Sam Field")
    assert drag_over_index(view, sam, drag.mimeData(), enter=False).move_accepted
    assert header_line(window) == "Drop to pass Walk-in: Corner Florist website to Sam Field"
    # Over the bucket tree itself: refused, and the line says where to drop.
    assert not drag_over_index(tree, lead, drag.mimeData()).move_accepted
    assert header_line(window) == "Not here: Drop on a user, office or pass group under Pass to."


def test_over_the_tree_it_came_from_the_drag_is_refused_and_says_where_to_go(
    qtbot, main_window, database
):
    with database.write() as session:
        session.execute(update(User).where(User.name == "Sam Field").values(active=False))
    window = main_window()
    tree = window.owner_tree
    mime = mime_for(tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    jane = window.owner_model.find_user_index("Jane Doe")
    hover = drag_over_index(tree, jane, mime)
    assert hover.enter_accepted and not hover.move_accepted
    assert header_line(window) == "Not here: To pass to Jane Doe, drop on Jane Doe under Pass to."
    sam = window.owner_model.find_user_index("Sam Field")
    assert not drag_over_index(tree, sam, mime, enter=False).move_accepted
    assert header_line(window) == "Not here: Sam Field is inactive and cannot receive leads."
    # Sam is no target at all on the right.
    assert not window.target_model.find("Sam Field").isValid()
    drag_leave(tree)
    assert header_line(window).startswith("Drop leads, a status or a whole user")


# -- reaching any target ---------------------------------------------------------------


def test_a_closed_heading_opens_while_a_drag_is_held_over_it(qtbot, main_window):
    window = main_window()
    view = window.target_view
    offices = window.target_model.index(1, 0)
    view.collapse(offices)
    assert not view.isExpanded(offices)
    mime = mime_for(window.owner_tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    drag_over_index(view, offices, mime)
    assert not view.isExpanded(offices)  # not at once: a drag passing by leaves it closed
    assert header_line(window) == "Not here: “Offices” opens in a moment: drop on a row below it."
    qtbot.waitUntil(lambda: view.isExpanded(offices), timeout=3000)
    drag_leave(view)
    # A reload after a pass keeps headings the person closed closed, the others open.
    groups = window.target_model.index(2, 0)
    view.collapse(groups)
    window.refresh()
    settle(window)
    assert view.isExpanded(window.target_model.index(1, 0))
    assert not view.isExpanded(window.target_model.index(2, 0))


def test_dragging_near_the_edges_scrolls_the_pane(qtbot, main_window):
    window = main_window()
    view = window.target_view
    view.setFixedHeight(110)
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0)
    bar = view.verticalScrollBar()
    bar.setValue(0)
    mime = mime_for(window.owner_tree, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    bottom = QPoint(view.viewport().width() // 2, view.viewport().height() - 4)
    drag_over(view, bottom, mime)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=3000)
    # Back in the middle: the scrolling stops.
    middle = QPoint(view.viewport().width() // 2, view.viewport().height() // 2)
    drag_over(view, middle, mime, enter=False)
    assert not view.scroll_timer.isActive()
    top = QPoint(view.viewport().width() // 2, 3)
    drag_over(view, top, mime, enter=False)
    qtbot.waitUntil(lambda: bar.value() == 0, timeout=3000)
    drag_leave(view)
    assert not view.scroll_timer.isActive()


def test_the_filter_box_narrows_the_targets_before_a_drag(qtbot, main_window):
    window = main_window()
    view = window.target_view
    model = window.target_model
    box = window.findChild(QLineEdit, "targetFilter")
    qtbot.keyClicks(box, "jane")
    users = model.index(0, 0)
    shown = [
        model.data(model.index(row, 0, users))
        for row in range(model.rowCount(users))
        if not view.isRowHidden(row, users)
    ]
    assert shown == ["Jane Doe"]
    assert view.isRowHidden(1, QModelIndex()) and view.isRowHidden(2, QModelIndex())
    # The filter survives a reload, and clearing it shows everything again.
    window.refresh()
    settle(window)
    assert view.isRowHidden(1, QModelIndex())
    box.clear()
    assert not any(view.isRowHidden(row, QModelIndex()) for row in range(model.rowCount()))
    assert not any(view.isRowHidden(row, users) for row in range(model.rowCount(users)))


# -- words that match the buttons -------------------------------------------------------


def confirmation_for(qtbot, window, indexes) -> str:
    mime = mime_for(window.owner_tree, indexes)
    asked = answer_next_dialog(qtbot, "confirmPassDialog", accept=False)
    drop_on_index(window.target_view, window.target_model.find("Sam Field"), mime)
    asked.wait()
    return asked.text


def test_the_confirmation_says_the_lead_goes_or_the_leads_go(qtbot, main_window):
    window = main_window()
    one = confirmation_for(qtbot, window, [lead_index(window, "John Smith", "LEAD", HARBOR)])
    assert "The lead goes to Sam Field; Edit > Undo pass puts it back." in one
    john = window.owner_model.find_user_index("John Smith")
    several = confirmation_for(qtbot, window, [john])
    assert "The 3 leads go to Sam Field as one batch; Edit > Undo pass puts them back." in several


def test_the_note_dialog_names_its_buttons_as_they_are(qtbot, main_window):
    from leaddesk.ui.passing.pass_dialogs import PassNoteDialog

    window = main_window()
    dialog = PassNoteDialog(1, "Jane Doe", window)
    qtbot.addWidget(dialog)
    buttons = [button.text() for button in dialog.buttons.buttons()]
    assert sorted(buttons) == ["Pass without note", "Submit"]
    intro = dialog.findChild(QLabel, "passNoteIntro").text()
    assert "Pass without note" in intro and "Cancel" not in intro


def test_the_window_title_names_the_application_once(main_window):
    window = main_window()
    assert window.windowTitle() == "LeadDesk — Maria Manager"


def test_return_on_the_confirmation_means_no(qtbot, main_window, database):
    window = main_window()
    before = snapshot(database)
    seen = {}

    def press_return(box):
        seen["default"] = box.defaultButton().text()
        QTest.keyClick(box, Qt.Key.Key_Return)

    pressed = on_next_dialog(qtbot, "confirmPassDialog", press_return)
    mime = mime_for(window.owner_tree, [window.owner_model.find_user_index("John Smith")])
    drop_on_index(window.target_view, window.target_model.find("Sam Field"), mime)
    pressed.wait()
    assert seen["default"].replace("&", "") == "No"
    assert find_visible_window("passNoteDialog") is None
    assert snapshot(database) == before


def test_a_count_in_brackets_goes_on_the_chips_second_line(qtbot):
    assert split_count("All of John Smith (47 leads)") == ("All of John Smith", "47 leads")
    assert split_count("OPPORTUNITY of Jane Doe (1 lead)") == ("OPPORTUNITY of Jane Doe", "1 lead")
    assert split_count("Acme (Europe) renewal") == ("Acme (Europe) renewal", "")
    one_line = chip_pixmap(
        "3 leads", lead_icon("LEAD"), QApplication.palette(), QApplication.font()
    )
    two_lines = chip_pixmap(
        "OPPORTUNITY of John Smith (12 leads)",
        lead_icon("LEAD"),
        QApplication.palette(),
        QApplication.font(),
    )
    assert two_lines.height() > one_line.height() * 1.3
