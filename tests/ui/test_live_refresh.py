"""Live refresh: a pass committed by another connection shows in the open window by itself.

On PostgreSQL the pass NOTIFYs in its transaction and the window's listener hears it; on a
SQLite file the window's watcher sees ``data_version`` move. No clicks, no fixed sleeps.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.database import Database, open_database
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
