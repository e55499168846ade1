"""The window offline (issue 12, item 6): a real PostgreSQL server that the tests stop and
start again, and this computer's copy of it (a SQLite replica made by ``leaddesk.offline``).

Starting while the server is stopped opens the copy with the amber strip; a drop made there
lands in the journal; when the server is back, *Sync now* (or the 30 s retry) sends it and
switches the window back, saying what happened; conflicts show both sides in the *Sync
conflicts* dialog, and *Pass again* / *Drop* each do what they say. Without a copy, the start
asks in one line whether to retry, and an open window says so in a red strip.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from sqlalchemy import Engine, event

from leaddesk import cli
from leaddesk.errors import DatabaseUnavailableError
from leaddesk.offline import find_replica, replica_info
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.database import open_database
from leaddesk.ui.main.main_window import MainWindow
from leaddesk.ui.shell.build import build_main_window
from leaddesk.ui.shell.conflicts_dialog import SyncConflictsDialog
from leaddesk.ui.shell.offline_banner import OfflineBanner, clock_time
from leaddesk.ui.shell.offline_mode import offline_mode_of
from leaddesk.ui.shell.offline_start import open_when_unreachable
from tests.helpers.databases import PostgresFactory
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.dialogs import answer_next_dialog, find_visible_window, on_next_dialog
from tests.helpers.drag_drop import drop_on_index, mime_for
from tests.helpers.postgres import Cluster
from tests.helpers.server import ServerDatabase
from tests.helpers.window_trees import open_rows, wait_for_trees

LEAD = "Harbor Logistics renewal"  # John Smith's, LEAD status, in the demo data
# More of the leads Maria passes (John's and Sam's), passed on the copy while a sync runs.
DURING_THE_SYNC = (
    "Crescent Bakery POS upgrade",
    "Northwind fleet tracking",
    "Oakridge School tablets",
)


pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.parametrize("backend", ["postgresql"]),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@dataclass
class Server:
    """The shared server as Maria's login sees it, and the switch that takes it away."""

    cluster: Cluster
    database: ServerDatabase
    running: bool = True

    @property
    def url(self) -> str:
        return self.database.url("maria")

    def stop(self) -> None:
        self.cluster.pause()
        self.running = False

    def start(self) -> None:
        self.cluster.resume()
        self.running = True


@pytest.fixture
def server(field_cluster: tuple[Cluster, PostgresFactory], field_server: ServerDatabase):
    running = Server(field_cluster[0], field_server)
    yield running
    if not running.running:
        running.start()


@pytest.fixture
def replica(server: Server, make_replica) -> str:
    """Maria Manager's copy of the server on this computer."""
    return make_replica("maria")


@pytest.fixture(autouse=True)
def close_windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()


def start_window(qtbot, server: Server, actor: str | None = None) -> MainWindow:
    """What ``leaddesk --db URL --as NAME`` does at start, with the server in whatever state."""
    try:
        database = open_database(server.url)
        on_copy = False
    except DatabaseUnavailableError as exc:
        opened = open_when_unreachable(
            server.url, actor, exc, interactive=False, keep_painting=QApplication.processEvents
        )
        assert opened is not None
        database, actor, on_copy = opened
    window = build_main_window(database, actor)
    window.setProperty("ownsDatabase", True)
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    assert on_copy == (not server.running)
    return window


def banner(window: MainWindow, name: str) -> OfflineBanner | None:
    found = window.findChild(OfflineBanner, name)
    return found if found is not None and found.isVisible() else None


def wait_banner(qtbot, window: MainWindow, name: str) -> OfflineBanner:
    qtbot.waitUntil(lambda: banner(window, name) is not None, timeout=10_000)
    found = banner(window, name)
    assert found is not None
    return found


def current_main_window(qtbot, other_than: MainWindow) -> MainWindow:
    """The main window that replaced ``other_than``."""

    def replaced() -> MainWindow | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget is not other_than and widget.isVisible():
                return widget
        return None

    qtbot.waitUntil(lambda: replaced() is not None and not other_than.isVisible(), timeout=20_000)
    window = replaced()
    assert window is not None
    return window


def drop_lead_on(qtbot, window: MainWindow, lead: str, target: str, note: str) -> None:
    """A real drop of one of John Smith's leads through the views, dialogs answered."""
    index = lead_row(qtbot, window, "John Smith", "LEAD", lead)
    asked = answer_next_dialog(qtbot, "confirmPassDialog")
    answer_next_dialog(qtbot, "passNoteDialog", note=note)
    done = answer_next_dialog(qtbot, "passDoneDialog")
    outcome = drop_on_index(
        window.target_view, window.target_model.find(target), mime_for(window.owner_tree, [index])
    )
    assert outcome.drop_accepted
    asked.wait()
    done.wait()
    qtbot.waitUntil(lambda: not window.context.runner.busy)


def lead_by_id(server: Server, lead: str) -> int:
    database = open_database(server.database.owner_url)
    try:
        return lead_by_name(database, lead).id
    finally:
        database.dispose()


def owner_on_server(server: Server, lead: str) -> int | None:
    database = open_database(server.database.owner_url)
    try:
        return lead_by_name(database, lead).owner_id
    finally:
        database.dispose()


def server_user(server: Server, name: str) -> int:
    database = open_database(server.database.owner_url)
    try:
        return user_id(database, name)
    finally:
        database.dispose()


def pass_on_server(server: Server, lead: str, target: str) -> None:
    """A pass on the server while the copy was offline (Maria at another desk, online)."""
    database = open_database(server.url)
    try:
        row = lead_by_name(database, lead)
        with database.write() as session:
            pass_leads(
                session,
                actor_id=user_id(database, "Maria Manager"),
                selection=Selection.of_leads([LeadRef(row.id, row.version)]),
                target=Target.user(user_id(database, target)),
                note="Moved on the server",
                method=PassMethod.COMMAND_LINE,
            )
    finally:
        database.dispose()


# -- starting ----------------------------------------------------------------------------


def test_the_window_starts_on_the_copy_with_the_offline_strip(qtbot, server, replica):
    server.stop()
    window = start_window(qtbot, server)

    assert window.context.database.is_sqlite
    assert Path(str(window.context.database.url.database)) == Path(replica)
    strip = wait_banner(qtbot, window, "offlineBanner")
    info = replica_info(replica)
    assert info is not None
    copied = clock_time(info.last_sync_at or info.created_at)
    assert strip.text() == (
        f"Offline: working on this computer's copy from {copied}. No pass waits to be sent."
    )
    assert window.findChild(QLabel, "bannerText").isVisible()
    # The panes show the copy: Maria's people and their leads, as online.
    assert window.owner_model.find_user_index("John Smith").isValid()
    assert offline_mode_of(window).sync_action.isVisible()


def test_a_drop_offline_lands_in_the_journal_and_the_strip_counts_it(qtbot, server, replica):
    server.stop()
    window = start_window(qtbot, server)
    strip = wait_banner(qtbot, window, "offlineBanner")

    drop_lead_on(qtbot, window, LEAD, "Jane Doe", "Call them on Monday")

    qtbot.waitUntil(lambda: "1 pass waits to be sent." in strip.text(), timeout=10_000)
    info = replica_info(replica)
    assert info is not None and info.pending_passes == 1
    server.start()
    # Nothing reached the server yet: the pass waits in the copy's journal.
    assert owner_on_server(server, LEAD) == server_user(server, "John Smith")


def test_sync_now_sends_the_pass_and_switches_back_to_the_server(qtbot, server, replica):
    server.stop()
    offline = start_window(qtbot, server)
    wait_banner(qtbot, offline, "offlineBanner")
    drop_lead_on(qtbot, offline, LEAD, "Jane Doe", "Call them on Monday")
    server.start()

    offline_mode_of(offline).sync_action.trigger()

    online = current_main_window(qtbot, offline)
    assert not online.context.database.is_sqlite
    assert banner(online, "offlineBanner") is None
    said = wait_banner(qtbot, online, "syncResultBanner")
    assert said.text() == "Back online: 1 pass sent."
    assert said.findChild(object, "bannerConflictsButton") is None
    assert owner_on_server(server, LEAD) == server_user(server, "Jane Doe")
    info = replica_info(replica)
    assert info is not None and info.pending_passes == 0


def test_the_window_tries_the_server_by_itself_and_comes_back(qtbot, server, replica):
    server.stop()
    offline = start_window(qtbot, server)
    wait_banner(qtbot, offline, "offlineBanner")
    mode = offline_mode_of(offline)
    assert mode.retry_timer.isActive() and mode.retry_timer.interval() == 30_000
    mode.retry_timer.setInterval(100)  # the 30 s wait, shortened; the same timer and path
    server.start()

    online = current_main_window(qtbot, offline)
    assert wait_banner(qtbot, online, "syncResultBanner").text().startswith("Back online:")


def test_passes_made_during_the_come_back_sync_are_said_to_wait_and_sent_next(
    qtbot, server, replica
):
    server.stop()
    offline = start_window(qtbot, server)
    wait_banner(qtbot, offline, "offlineBanner")
    drop_lead_on(qtbot, offline, LEAD, "Jane Doe", "")
    server.start()
    # The person keeps passing on the copy while it syncs: one pass as each round of the
    # sync reads the server, so the last one is made after the sync's last round.
    during = [lead_by_id(server, name) for name in DURING_THE_SYNC]
    made: list[int] = []

    def pass_on_the_copy(conn, _cursor, statement: str, *_args: object) -> None:
        if (
            conn.dialect.name == "postgresql"
            and statement.startswith("SELECT pg_current_snapshot")
            and len(made) < len(during)
        ):
            lead = during[len(made)]
            made.append(lead)
            assert (
                cli.main(["pass", "--db", replica, "--lead", str(lead), "--to-user", "Jane Doe"])
                == 0
            )

    event.listen(Engine, "before_cursor_execute", pass_on_the_copy)
    try:
        offline_mode_of(offline).sync_action.trigger()
        online = current_main_window(qtbot, offline)
    finally:
        event.remove(Engine, "before_cursor_execute", pass_on_the_copy)
    said = wait_banner(qtbot, online, "syncResultBanner")
    assert said.text() == (
        "Back online: 3 passes sent. 1 pass made on the copy during the sync waits to be sent."
    )
    assert owner_on_server(server, DURING_THE_SYNC[-1]) == server_user(server, "Sam Field")

    said.findChild(QPushButton, "bannerSendWaitingButton").click()

    qtbot.waitUntil(
        lambda: (banner(online, "syncResultBanner") or said).text() == "Synced: 1 pass sent.",
        timeout=20_000,
    )
    assert owner_on_server(server, DURING_THE_SYNC[-1]) == server_user(server, "Jane Doe")
    info = replica_info(replica)
    assert info is not None and info.pending_passes == 0


def test_sync_now_while_still_offline_says_so_on_the_strip(qtbot, server, replica):
    server.stop()
    window = start_window(qtbot, server)
    strip = wait_banner(qtbot, window, "offlineBanner")
    mode = offline_mode_of(window)

    mode.sync_action.trigger()

    qtbot.waitUntil(lambda: "no answer from the server" in strip.text(), timeout=20_000)
    assert mode.sync_action.isEnabled()
    assert window.isVisible()


# -- conflicts ---------------------------------------------------------------------------


def a_conflict_back_online(qtbot, server: Server) -> tuple[MainWindow, OfflineBanner]:
    """Offline, Maria passes the lead to Jane; meanwhile, online, it went to Sam; Sync now."""
    server.stop()
    offline = start_window(qtbot, server)
    wait_banner(qtbot, offline, "offlineBanner")
    drop_lead_on(qtbot, offline, LEAD, "Jane Doe", "Call them on Monday")
    server.start()
    pass_on_server(server, LEAD, "Sam Field")
    offline_mode_of(offline).sync_action.trigger()
    online = current_main_window(qtbot, offline)
    return online, wait_banner(qtbot, online, "syncResultBanner")


def shown_conflicts(qtbot) -> SyncConflictsDialog:
    qtbot.waitUntil(lambda: find_visible_window("syncConflictsDialog") is not None)
    dialog = find_visible_window("syncConflictsDialog")
    assert isinstance(dialog, SyncConflictsDialog)
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 1, timeout=10_000)
    return dialog


def test_a_conflict_shows_both_sides_and_pass_again_passes_the_leads(qtbot, server, replica):
    _online, said = a_conflict_back_online(qtbot, server)

    assert said.text() == "Back online: 0 passes sent, 1 conflict."
    said.findChild(object, "bannerConflictsButton").click()
    dialog = shown_conflicts(qtbot)
    # The offline side: the whole pass. The server side: where the lead is now, and who.
    assert dialog.target_value.text() == "Jane Doe"
    assert dialog.note_value.text() == "Call them on Monday"
    assert dialog.leads_value.text() == LEAD
    assert dialog.by_value.text() == "Maria Manager"
    assert dialog.how_value.text() == "Drag and drop"
    assert (
        dialog.reason_value.text() == f"{LEAD} changed on the server after your copy last saw it."
    )
    row = dialog.server_tree.topLevelItem(0)
    assert [row.text(0), row.text(1), row.text(2)] == [LEAD, "Sam Field", "Maria Manager"]
    assert owner_on_server(server, LEAD) == server_user(server, "Sam Field")

    dialog.pass_again_button.click()

    qtbot.waitUntil(lambda: dialog.loaded and dialog.list.topLevelItemCount() == 0, timeout=20_000)
    assert "passed again" in dialog.outcome.text() and "to Jane Doe" in dialog.outcome.text()
    assert owner_on_server(server, LEAD) == server_user(server, "Jane Doe")
    assert dialog.empty.text().startswith("No sync conflicts")


def test_drop_closes_the_conflict_and_leaves_the_server_as_it_is(qtbot, server, replica):
    online, _said = a_conflict_back_online(qtbot, server)

    offline_mode_of(online).conflicts_action.trigger()
    dialog = shown_conflicts(qtbot)
    # No on the question changes nothing; Yes drops it.
    answer_next_dialog(qtbot, "dropConflictDialog", accept=False)
    dialog.drop_button.click()
    assert dialog.list.topLevelItemCount() == 1
    asked = answer_next_dialog(qtbot, "dropConflictDialog", accept=True)
    dialog.drop_button.click()
    asked.wait()

    qtbot.waitUntil(lambda: dialog.loaded and dialog.list.topLevelItemCount() == 0, timeout=20_000)
    assert "Jane Doe" in asked.text
    assert "dropped" in dialog.outcome.text()
    assert owner_on_server(server, LEAD) == server_user(server, "Sam Field")


# -- the connection drops while open -------------------------------------------------------


def lead_row(qtbot, window: MainWindow, owner: str, status: str, lead: str):
    model = window.owner_model
    wait_for_trees(qtbot, window)
    status_index = model.find_status_index(owner, status)
    # The trees read off the GUI thread: a status's leads arrive after it is expanded.
    open_rows(qtbot, window, status_index.parent(), status_index)
    status_index = model.find_status_index(owner, status)
    rows = [model.index(row, 0, status_index) for row in range(model.rowCount(status_index))]
    return next(row for row in rows if model.data(row) == lead)


@pytest.mark.parametrize("found_by", ["a refresh", "a drop"])
def test_a_lost_connection_switches_the_window_to_the_copy(qtbot, server, replica, found_by):
    online = start_window(qtbot, server)
    index = lead_row(qtbot, online, "John Smith", "LEAD", LEAD)
    server.stop()

    # The read that found the line gone may say so; the switch to the copy closes that box.
    stale = on_next_dialog(qtbot, "loadErrorDialog", lambda _box: None)
    if found_by == "a refresh":
        online.refresh_action.trigger()
    else:
        refused = answer_next_dialog(qtbot, "passErrorDialog")
        mime = mime_for(online.owner_tree, [index])
        drop_on_index(online.target_view, online.target_model.find("Jane Doe"), mime)
        refused.wait()
        assert "cannot be reached" in refused.text

    offline = current_main_window(qtbot, online)
    assert offline.context.database.is_sqlite
    if stale.answered:
        # Whether the read's box was seen before the switch closed it depends on the
        # machine's load (the box is not modal; a drop is found out by its own pass, and
        # the reload after it may not have read yet): when seen, it said why.
        assert "cannot be reached" in stale.text
    qtbot.waitUntil(lambda: find_visible_window("loadErrorDialog") is None, timeout=10_000)
    strip = wait_banner(qtbot, offline, "offlineBanner")
    assert strip.text().startswith("Offline: working on this computer's copy from ")
    drop_lead_on(qtbot, offline, LEAD, "Jane Doe", "")
    qtbot.waitUntil(lambda: "1 pass waits to be sent." in strip.text(), timeout=10_000)


# -- no copy -----------------------------------------------------------------------------


def test_without_a_copy_the_start_says_so_in_one_line_and_retries(qtbot, server):
    server.stop()
    with pytest.raises(DatabaseUnavailableError) as unreachable:
        open_database(server.url)
    assert find_replica(server.url, "Maria Manager") is None
    paint = QApplication.processEvents

    # Retry while still stopped asks again; Close gives up without a traceback.
    first = answer_next_dialog(qtbot, "serverUnreachableDialog", accept=True)
    second = on_next_dialog(
        qtbot, "serverUnreachableDialog", lambda box: box.button(box.StandardButton.Close).click()
    )
    opened = open_when_unreachable(
        server.url, "Maria Manager", unreachable.value, interactive=True, keep_painting=paint
    )
    assert opened is None
    assert first.answered and second.answered
    said = find_text_line(first.text)
    assert said.startswith("The database at ") and "cannot be reached" in said
    assert "Traceback" not in first.text

    # Retry once the server is back opens it.
    server.start()
    answer_next_dialog(qtbot, "serverUnreachableDialog", accept=True)
    opened = open_when_unreachable(
        server.url, "Maria Manager", unreachable.value, interactive=True, keep_painting=paint
    )
    assert opened is not None
    database, actor, on_copy = opened
    assert not database.is_sqlite and actor == "Maria Manager" and not on_copy
    database.dispose()


def find_text_line(dialog_text: str) -> str:
    """The box's message (dialog_text puts the title first)."""
    lines = dialog_text.splitlines()
    assert len(lines) >= 2
    return lines[1]


def test_without_a_copy_an_open_window_shows_a_red_strip_and_retries(qtbot, server):
    window = start_window(qtbot, server)
    server.stop()

    answer_next_dialog(qtbot, "loadErrorDialog")
    window.refresh_action.trigger()

    strip = wait_banner(qtbot, window, "unreachableBanner")
    assert "cannot be reached" in strip.text() and "keeps no copy" in strip.text()
    assert "\n" not in strip.text()
    retry = strip.findChild(object, "bannerRetryButton")
    retry.click()
    qtbot.waitUntil(lambda: "no answer at" in strip.text(), timeout=20_000)

    server.start()
    retry.click()

    back = current_main_window(qtbot, window)
    assert not back.context.database.is_sqlite
    assert banner(back, "unreachableBanner") is None
    assert wait_banner(qtbot, back, "syncResultBanner").text() == (
        "Back online: the server answers again."
    )
    wait_for_trees(qtbot, back)
    assert back.owner_model.find_user_index("John Smith").isValid()


def test_keep_a_copy_makes_one_and_then_says_it_exists(qtbot, server):
    window = start_window(qtbot, server)
    mode = offline_mode_of(window)
    assert mode.keep_copy_action.isVisible() and mode.sync_action.isVisible()

    asked = answer_next_dialog(qtbot, "keepOfflineCopyDialog", accept=True)
    made = answer_next_dialog(qtbot, "offlineCopyMadeDialog")
    mode.keep_copy_action.trigger()
    made.wait()

    path = find_replica(server.url, "Maria Manager")
    assert path is not None and path in asked.text
    info = replica_info(path)
    assert info is not None and info.actor_name == "Maria Manager"
    assert "Your copy for offline work is ready" in made.text
    exists = answer_next_dialog(qtbot, "offlineCopyExistsDialog")
    mode.keep_copy_action.trigger()
    exists.wait()
    assert path in exists.text


def test_leaddesk_on_a_server_out_of_reach_starts_on_the_copy(qtbot, server, replica, tmp_path):
    """The real start (``leaddesk --db URL``), rendered: exit 0 and the amber strip on top."""
    server.stop()
    picture = tmp_path / "offline.png"

    code = cli.main(["--db", server.url, "--screenshot", str(picture)])

    assert code == 0
    image = QImage(str(picture))
    amber = QColor("#fff4d6").rgb()
    rows_of_amber = [
        y
        for y in range(80)
        if sum(image.pixel(x, y) == amber for x in range(0, image.width(), 4)) > image.width() // 8
    ]
    assert rows_of_amber, "no offline strip at the top of the window"
