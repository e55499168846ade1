"""Between a drop and its confirmation the window says that the pass is being checked.

The confirmation needs the pass's preview, read on the read lane (seconds over a bad link).
Here that read is held (tests/helpers/held_reads.py) after a real drop through the views:
meanwhile the Pass to pane has a busy cursor and the status bar says "Checking the pass…";
both are gone when the confirmation opens, when the preview is refused, and when a newer
drop's answer comes (the older answer is dropped). SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.database import Database
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.dialogs import find_visible_window, on_next_dialog
from tests.helpers.held_reads import HeldReads
from tests.ui.test_drops import drop_on_target, lead_index

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HARBOR = "Harbor Logistics renewal"  # John Smith's, in LEAD
CHECKING = (True, "Checking the pass…")
NOTHING = (False, "")


@pytest.fixture
def held(database: Database) -> Iterator[HeldReads]:
    with HeldReads() as reads:
        yield reads


def feedback(window) -> tuple[bool, str]:
    """(busy cursor over the Pass to pane, the status bar's message)."""
    viewport = window.target_view.viewport()
    busy = (
        viewport.testAttribute(Qt.WidgetAttribute.WA_SetCursor)
        and viewport.cursor().shape() == Qt.CursorShape.BusyCursor
    )
    return busy, window.statusBar().currentMessage()


def drop_while_held(qtbot, window, held: HeldReads, index, target: str, **hold) -> None:
    """A real drop whose preview read is then held (the window's other reads are done)."""
    qtbot.waitUntil(lambda: window.context.runner.idle, timeout=20_000)
    held.hold_next(**hold)
    assert drop_on_target(window, target, [index]).drop_accepted
    qtbot.waitUntil(held.holding.is_set, timeout=20_000)


def answer_seeing(qtbot, window, name: str, button: QMessageBox.StandardButton, seen: list):
    """When dialog ``name`` opens: note what the window shows then, and click ``button``."""

    def look(box: QWidget) -> None:
        seen.append(feedback(window))
        assert isinstance(box, QMessageBox)
        box.button(button).click()

    return on_next_dialog(qtbot, name, look)


def test_checking_shows_while_the_preview_is_read_and_goes_when_the_question_opens(
    qtbot, main_window, database, held
):
    window = main_window()
    index = lead_index(window, "John Smith", "LEAD", HARBOR)
    assert feedback(window) == NOTHING
    seen: list[tuple[bool, str]] = []
    asked = answer_seeing(qtbot, window, "confirmPassDialog", QMessageBox.StandardButton.No, seen)

    drop_while_held(qtbot, window, held, index, "Jane Doe")
    assert feedback(window) == CHECKING
    assert find_visible_window("confirmPassDialog") is None
    held.release()
    asked.wait()
    assert "Pass 1 lead from John Smith to Jane Doe?" in asked.text
    assert seen == [NOTHING]  # gone before the question showed
    assert feedback(window) == NOTHING
    assert lead_by_name(database, HARBOR).owner_id == user_id(database, "John Smith")


def test_checking_goes_when_the_preview_is_refused(qtbot, main_window, database, held):
    window = main_window()
    index = lead_index(window, "John Smith", "LEAD", HARBOR)
    harbor = lead_by_name(database, HARBOR)
    seen: list[tuple[bool, str]] = []
    refused = answer_seeing(qtbot, window, "passErrorDialog", QMessageBox.StandardButton.Ok, seen)

    # Held before its first statement: the lead moves meanwhile, and the preview finds it.
    drop_while_held(qtbot, window, held, index, "Jane Doe", at_start=True)
    assert feedback(window) == CHECKING

    def pass_to_sam() -> None:
        with database.write() as session:
            pass_leads(
                session,
                actor_id=user_id(database, "Ada Admin"),
                selection=Selection.of_leads([LeadRef(harbor.id, harbor.version)]),
                target=Target.user(user_id(database, "Sam Field")),
                note="",
                method=PassMethod.DRAG_LEAD,
            )

    elsewhere = threading.Thread(target=pass_to_sam)
    elsewhere.start()
    elsewhere.join(30)
    held.release()
    refused.wait()
    assert "changed since you looked" in refused.text
    assert seen == [NOTHING]
    assert feedback(window) == NOTHING
    assert find_visible_window("confirmPassDialog") is None


def test_a_newer_drop_keeps_checking_until_its_own_answer(qtbot, main_window, database, held):
    window = main_window()
    index = lead_index(window, "John Smith", "LEAD", HARBOR)
    seen: list[tuple[bool, str]] = []
    asked = answer_seeing(qtbot, window, "confirmPassDialog", QMessageBox.StandardButton.No, seen)

    drop_while_held(qtbot, window, held, index, "Jane Doe")
    # The person drops again, on Sam Field, while the first preview is still on its way.
    assert drop_on_target(window, "Sam Field", [index]).drop_accepted
    asked.wait()
    assert "to Sam Field?" in asked.text
    assert seen == [NOTHING]
    # The older answer arrives last: dropped, no second question, nothing shown again.
    again = answer_seeing(qtbot, window, "confirmPassDialog", QMessageBox.StandardButton.No, seen)
    held.release()
    # Idle once the answer was handled: a question it opened would have been answered.
    qtbot.waitUntil(lambda: window.context.runner.idle, timeout=20_000)
    again.cancel()
    assert not again.answered
    assert feedback(window) == NOTHING
