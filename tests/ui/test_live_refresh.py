"""Live refresh: a pass committed by another connection shows in the open window by itself.

On PostgreSQL the pass NOTIFYs in its transaction and the window's listener hears it; on a
SQLite file the window's watcher sees ``data_version`` move. No clicks, no fixed sleeps.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.server.changes import Changes
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import utc_now
from leaddesk.ui.shell.window_services import WindowServices
from tests.helpers.demo_names import lead_by_name, user_id

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HARBOR = "Harbor Logistics renewal"  # John Smith's LEAD


def pass_elsewhere(db_url: str, selection_of: str, to_user: str, lead: str | None = None) -> None:
    """Another process's connection passes, as Ada Admin, and commits."""
    other: Database = open_database(db_url)
    try:
        with other.write() as session:
            selection = (
                Selection.of_leads([LeadRef(lead_by_name(other, lead).id)])
                if lead
                else Selection.all_of_user(user_id(other, selection_of))
            )
            pass_leads(
                session,
                actor_id=user_id(other, "Ada Admin"),
                selection=selection,
                target=Target.user(user_id(other, to_user)),
            )
    finally:
        other.dispose()


def test_a_pass_committed_elsewhere_appears_in_the_open_window(main_window, db_url, qtbot):
    window = main_window("Maria Manager")
    model = window.owner_model
    tree = window.owner_tree
    jane = model.find_user_index("Jane Doe")
    tree.expand(jane)
    tree.setCurrentIndex(jane)
    before = model.status_count(model.find_status_index("Jane Doe", "LEAD"))
    assert model.find_status_index("John Smith", "LEAD").isValid()

    pass_elsewhere(db_url, "John Smith", "Jane Doe")

    qtbot.waitUntil(
        lambda: not model.find_status_index("John Smith", "LEAD").isValid(), timeout=10_000
    )
    assert model.status_count(model.find_status_index("Jane Doe", "LEAD")) == before + 1
    # What the person had open stays open and selected.
    assert tree.isExpanded(model.find_user_index("Jane Doe"))
    assert model.key(tree.currentIndex()) == model.key(model.find_user_index("Jane Doe"))


def test_an_open_lead_window_says_its_lead_was_passed_and_offers_to_reload(
    main_window, db_url, qtbot
):
    window = main_window("Maria Manager")
    lead = window.open_lead(lead_by_name(window.context.database, HARBOR).id)
    qtbot.waitExposed(lead)
    qtbot.waitUntil(lambda: not lead.loading, timeout=10_000)
    banner = lead.findChild(QLabel, "leadChangedLabel")
    assert not lead.changed_banner.isVisible()

    pass_elsewhere(db_url, "", "Jane Doe", lead=HARBOR)

    qtbot.waitUntil(lead.changed_banner.isVisible, timeout=10_000)
    assert banner.text() == "Someone else passed or changed this lead: it is now with Jane Doe."
    assert "John Smith" in lead.subtitle_label.text()  # not reloaded behind the person's back
    with qtbot.waitSignal(lead.loaded, timeout=10_000):
        lead.findChild(QPushButton, "leadReloadButton").click()
    assert "Jane Doe" in lead.subtitle_label.text()
    assert not lead.changed_banner.isVisible()


def table_rows(reports, name: str) -> list[list[str]]:
    model = reports.pages[name].model
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def open_leads(reports, user: str) -> int:
    """The Workload report's open-lead total for ``user`` (0 when not listed)."""
    rows = [row for row in table_rows(reports, "workload") if row[0] == user]
    return int(rows[0][-1]) if rows else 0


def ada_passes_this_week(reports) -> list[list[str]]:
    today = utc_now().date()
    monday = (today - timedelta(days=today.weekday())).isoformat()
    return [row for row in table_rows(reports, "passes") if row[:2] == [monday, "Ada Admin"]]


def open_reports(qtbot, window):
    services = window.findChild(WindowServices)
    services.reports_action.trigger()
    reports = services.dialogs["reports"]
    qtbot.waitUntil(lambda: not reports.loading, timeout=10_000)
    return services, reports


def test_an_open_reports_window_follows_a_pass_made_elsewhere(main_window, db_url, qtbot):
    _services, reports = open_reports(qtbot, main_window("Ada Admin"))
    john, jane = open_leads(reports, "John Smith"), open_leads(reports, "Jane Doe")
    assert john > 0
    assert ada_passes_this_week(reports) == []

    pass_elsewhere(db_url, "John Smith", "Jane Doe")

    qtbot.waitUntil(lambda: open_leads(reports, "John Smith") == 0, timeout=10_000)
    qtbot.waitUntil(lambda: not reports.loading, timeout=10_000)
    assert open_leads(reports, "Jane Doe") == jane + john
    [(passes, _leads, undone)] = [row[2:] for row in ada_passes_this_week(reports)]
    assert (passes, undone) == ("1", "0")


def test_a_closed_reports_window_reads_nothing_until_it_is_shown_again(main_window, db_url, qtbot):
    window = main_window("Ada Admin")
    services, reports = open_reports(qtbot, window)
    john = open_leads(reports, "John Smith")
    assert john > 0
    reports.close()
    model = window.owner_model

    pass_elsewhere(db_url, "John Smith", "Jane Doe")

    # The main window heard it (the same notice reached the closed reports window) ...
    qtbot.waitUntil(
        lambda: not model.find_status_index("John Smith", "LEAD").isValid(), timeout=10_000
    )
    # ... which only noted that it is out of date: no read while nobody looks at it.
    assert not reports.loading
    assert open_leads(reports, "John Smith") == john
    services.reports_action.trigger()
    assert reports.loading
    qtbot.waitUntil(lambda: not reports.loading, timeout=10_000)
    assert open_leads(reports, "John Smith") == 0


def test_reports_closed_while_reading_read_again_when_shown(main_window, qtbot):
    window = main_window("Ada Admin")
    services = window.findChild(WindowServices)
    services.reports_action.trigger()
    reports = services.dialogs["reports"]
    assert reports.loading
    reports.close()  # the answers on their way are dropped ...
    assert window.context.runner.wait_idle()
    assert not reports.loading
    services.reports_action.trigger()  # ... and read again, not left "Reading…" for ever
    qtbot.waitUntil(lambda: not reports.loading, timeout=10_000)
    assert open_leads(reports, "John Smith") > 0
    assert reports.status.text().startswith("As of ")


def test_changes_heard_while_the_reports_read_are_read_once_after(main_window, qtbot, monkeypatch):
    window = main_window("Ada Admin")
    _services, reports = open_reports(qtbot, window)
    runner = window.context.runner
    started: list[str] = []
    release = threading.Event()
    query = runner.query

    def counted(read, on_done, **options):
        """The runner's own query; the first report read waits (on its worker thread) for
        ``release``, as over a slow link."""
        started.append(options.get("key") or "")
        if len(started) == 1:
            real_read = read

            def read(session):
                release.wait(10)
                return real_read(session)

        query(read, on_done, **options)

    monkeypatch.setattr(runner, "query", counted)
    reports.notice_changes(Changes(everything=True))
    assert len(started) == 3  # the three reports, the first held back
    for _ in range(5):  # a busy office: more passes while those are being read
        reports.notice_changes(Changes(owners=frozenset({1})))
    assert len(started) == 3 and reports.loading
    release.set()
    # The first reading lands, then one more for all that was heard meanwhile.
    qtbot.waitUntil(lambda: len(started) == 6 and not reports.loading, timeout=10_000)
    assert not reports.out_of_date
