"""The scripted session of issue 14, shared by its test and ``benchmarks/slow_link.py``.

Open (the window is shown and its trees fill), expand a user and a status, type a search and
clear it, drag a lead onto a user (a real drop through the target view), confirm, add a
note, see "Lead pass successful", refresh (F5). The event loop is watched all along
(``EventLoopWatch``): its longest block on the wall clock, the same net of the time the
machine's load kept the GUI thread from a core, and the longest stretch of GUI-thread CPU.

The script itself never blocks the GUI thread: it waits for the window by running the event
loop (``wait_until``, ``settle``), never by ``runner.wait_idle()`` (``QThreadPool.waitForDone``
on the GUI thread), which the watch would rightly count as a freeze of the window: at 150 ms
it held the loop for about a second while the bucket tab and workload panes reloaded after F5.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QItemSelectionModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTextEdit

from tests.helpers.dialogs import on_next_dialog
from tests.helpers.drag_drop import drop_on_index, mime_for
from tests.helpers.event_loop import EventLoopWatch, Longest
from tests.helpers.window_trees import settle

TIMEOUT_S = 120.0


@dataclass(frozen=True)
class SessionFigures:
    wall: Longest  # the longest block on the wall clock, whatever the cause
    blocked: Longest  # the same, net of the time the GUI thread waited for a core
    cpu: Longest  # GUI-thread CPU between two turns of the event loop
    gc: Longest  # the longest garbage collection (any thread) during the session
    drop_to_done_s: float  # from the drop to "Lead pass successful" on the screen
    drop_to_confirm_s: float  # of which: from the drop to the confirmation (the preview)
    note_to_done_s: float  # of which: from the note's answer to "Lead pass successful"


def wait_until(condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    """Run the event loop until ``condition()``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out in the scripted session"
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def run_scripted_session(
    window: object,
    *,
    owner: str = "John Smith",
    status: str = "LEAD",
    lead_name: str = "Harbor Logistics renewal",
    search: str = "Harbor",
    target: str = "Jane Doe",
    note: str = "Over the slow link",
) -> SessionFigures:
    """Run the session on a built, not yet shown window."""
    # As the app does once its window is built (leaddesk/startup.end_startup): what exists
    # is frozen, so a collection scans only what the session makes, not the objects of every
    # test run before it in this process (a generation-2 scan of those took 270-680 ms).
    gc.collect()
    gc.freeze()
    try:
        return _run(window, owner, status, lead_name, search, target, note)
    finally:
        gc.unfreeze()


def _run(
    window: object, owner: str, status: str, lead_name: str, search: str, target: str, note: str
) -> SessionFigures:
    watch = EventLoopWatch().start()
    model = window.owner_model  # type: ignore[attr-defined]
    tree = window.owner_tree  # type: ignore[attr-defined]

    watch.step = "open"
    window.resize(1100, 700)  # type: ignore[attr-defined]
    window.show()  # type: ignore[attr-defined]
    settle(window, timeout=TIMEOUT_S)

    watch.step = "expand"
    index = model.find_status_index(owner, status)
    tree.expand(index.parent())
    tree.expand(index)
    settle(window, timeout=TIMEOUT_S)

    watch.step = "search"
    QTest.keyClicks(window.search_edit, search)  # type: ignore[attr-defined]
    wait_until(lambda: model.search == search)
    settle(window, timeout=TIMEOUT_S)
    assert model.find_user_index(owner).isValid(), "the search did not find the lead's owner"
    window.search_edit.clear()  # type: ignore[attr-defined]
    wait_until(lambda: model.search == "")
    settle(window, timeout=TIMEOUT_S)
    tree.expand(model.find_user_index(owner))
    tree.expand(model.find_status_index(owner, status))
    settle(window, timeout=TIMEOUT_S)

    watch.step = "drag"
    lead = _lead_index(model, owner, status, lead_name)
    tree.selectionModel().select(
        lead,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    shown_at: dict[str, float] = {}

    def answered(name: str, accept: Callable[[object], None]) -> Callable[[object], None]:
        def answer(dialog: object) -> None:
            shown_at[name] = time.perf_counter()
            accept(dialog)

        return answer

    def yes(dialog: object) -> None:
        dialog.button(dialog.StandardButton.Yes).click()  # type: ignore[attr-defined]

    def with_note(dialog: object) -> None:
        dialog.findChild(QTextEdit, "noteEdit").setPlainText(note)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    timeout_ms = int(TIMEOUT_S * 1000)
    confirm = on_next_dialog(None, "confirmPassDialog", answered("confirm", yes), timeout_ms)
    on_next_dialog(None, "passNoteDialog", answered("note", with_note), timeout_ms)
    done = on_next_dialog(
        None, "passDoneDialog", answered("done", lambda d: d.accept()), timeout_ms
    )
    mime = mime_for(tree, [lead])
    target_view = window.target_view  # type: ignore[attr-defined]
    dropped_at = time.perf_counter()
    outcome = drop_on_index(target_view, window.target_model.find(target), mime)  # type: ignore[attr-defined]
    assert outcome.drop_accepted, "the drop was refused"
    wait_until(lambda: confirm.answered and done.answered)
    runner = window.context.runner  # type: ignore[attr-defined]
    wait_until(lambda: not runner.busy)
    settle(window, timeout=TIMEOUT_S)

    watch.step = "refresh"
    window.refresh_action.trigger()  # type: ignore[attr-defined]
    settle(window, timeout=TIMEOUT_S)
    wait_until(lambda: runner.idle)  # the other panes' reloads; the event loop runs meanwhile
    settle(window, timeout=TIMEOUT_S)
    watch.stop()
    return SessionFigures(
        wall=watch.wall,
        blocked=watch.blocked,
        cpu=watch.cpu,
        gc=watch.gc,
        drop_to_done_s=shown_at["done"] - dropped_at,
        drop_to_confirm_s=shown_at["confirm"] - dropped_at,
        note_to_done_s=shown_at["done"] - shown_at["note"],
    )


def _lead_index(model: object, owner: str, status: str, name: str) -> object:
    parent = model.find_status_index(owner, status)  # type: ignore[attr-defined]
    for row in range(model.rowCount(parent)):  # type: ignore[attr-defined]
        index = model.index(row, 0, parent)  # type: ignore[attr-defined]
        if model.data(index) == name:  # type: ignore[attr-defined]
            return index
    raise AssertionError(f"{name} is not under {owner}'s {status}")
