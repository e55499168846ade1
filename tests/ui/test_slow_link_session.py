"""The scripted session over a slow link: the window must not freeze (issue 14).

Open, expand, search, drag a lead (a real drop through the view), confirm, note, done,
refresh: on SQLite, and on PostgreSQL behind the delaying proxy at a 150 ms round trip.

"Never blocks the event loop longer than 100 ms" is asserted on the event loop's longest
block net of the time the GUI thread waited for a core (``EventLoopWatch.blocked``, see
tests/helpers/event_loop.py): a plain wall-clock threshold would fail on this shared 2-core
machine whenever other runs take the cores, while everything our code does (CPU on the GUI
thread, a wait on a socket, a lock, a thread pool, the GIL) still counts. Beside it:

1. no database round trip on the GUI thread (behind 150 ms each one alone would be a block
   longer than 100 ms), each named by the code that sent it when there is one;
2. no stretch of GUI-thread CPU time over 100 ms between two turns of the event loop.

The wall clock is printed (``-s``) and recorded by ``benchmarks/slow_link.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.database import open_database
from leaddesk.ui.shell.build import build_main_window
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.dialogs import answer_next_dialog
from tests.helpers.event_loop import EventLoopWatch
from tests.helpers.gui_thread_reads import gui_thread_statements
from tests.helpers.scripted_session import run_scripted_session
from tests.helpers.slow_link import SlowLink

ROUND_TRIP_MS = 150
LONGEST_ALLOWED_MS = 100

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def slow_url(db_url: str, backend: str) -> Iterator[str]:
    """The test database, behind a 150 ms round trip when it is on a server."""
    if backend == "sqlite":
        yield db_url
        return
    url = make_url(db_url)
    with SlowLink(url.port, delay_ms=ROUND_TRIP_MS / 2) as link:
        yield url.set(port=link.port).render_as_string(hide_password=False)


def test_the_scripted_session_does_not_freeze_the_window(qtbot, slow_url, monkeypatch, backend):
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    database = open_database(slow_url)
    window = build_main_window(database, "Maria Manager")
    window.setProperty("ownsDatabase", True)
    qtbot.addWidget(window)
    try:
        with gui_thread_statements(database.engine) as gui:
            figures = run_scripted_session(window)
        moved = lead_by_name(database, "Harbor Logistics renewal")
        assert moved.owner_id == user_id(database, "Jane Doe")
    finally:
        window.close()
    print(
        f"\n[{backend}, {ROUND_TRIP_MS if backend != 'sqlite' else 0} ms round trip] longest "
        f"event-loop block, net of waiting for a core: {figures.blocked}; wall clock: "
        f"{figures.wall}; GUI-thread CPU: {figures.cpu}; longest collection: {figures.gc}; "
        f"GUI-thread statements: {len(gui.statements)}",
        *gui.statements,
        sep="\n  ",
    )
    assert gui.statements == [], "database round trips on the GUI thread"
    assert figures.blocked.ms < LONGEST_ALLOWED_MS, f"the event loop was blocked {figures.blocked}"
    assert figures.cpu.ms < LONGEST_ALLOWED_MS, f"the GUI thread was busy {figures.cpu}"


def test_undo_pass_reads_and_undoes_off_the_gui_thread(
    qtbot, slow_url, monkeypatch, backend, database
):
    """Edit > Undo pass: the offer it confirms is read on the read lane, the undo runs on
    the write lane; then, with nothing left to undo, it says so, also without a GUI-thread
    read."""
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    harbor = lead_by_name(database, "Harbor Logistics renewal")
    john, jane = user_id(database, "John Smith"), user_id(database, "Jane Doe")
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.of_leads([LeadRef(harbor.id, harbor.version)]),
            target=Target.user(jane),
        )
    slow = open_database(slow_url)
    window = build_main_window(slow, "Maria Manager")
    window.setProperty("ownsDatabase", True)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: not window.loading and window.context.runner.idle, timeout=60_000)
        with gui_thread_statements(slow.engine) as gui, EventLoopWatch() as watch:
            confirm = answer_next_dialog(qtbot, "confirmPassDialog", timeout=60_000)
            undone = answer_next_dialog(qtbot, "passDoneDialog", timeout=60_000)
            window.undo_pass()
            undone.wait()
            qtbot.waitUntil(lambda: window.context.runner.idle, timeout=60_000)
            told = answer_next_dialog(qtbot, "nothingToUndoDialog", timeout=60_000)
            window.undo_pass()
            told.wait()
    finally:
        window.close()
    print(f"\n[{backend}] undo: longest block {watch.blocked}", *gui.statements, sep="\n  ")
    assert "Undo pass" in confirm.text and "1 lead" in confirm.text
    assert lead_by_name(database, "Harbor Logistics renewal").owner_id == john
    assert gui.statements == [], "database round trips on the GUI thread"
    assert watch.blocked.ms < LONGEST_ALLOWED_MS, f"the event loop was blocked {watch.blocked}"
