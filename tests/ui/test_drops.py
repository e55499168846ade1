"""Real drops through the views: drag enter, move and drop events on the target pane, with
the confirmation, note and result dialogs answered, and the database checked afterwards."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTreeView
from sqlalchemy import select

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.database import open_database
from leaddesk.store.models import Lead, LeadNote, PassBatch
from tests.helpers.demo_names import (
    group_id,
    lead_by_name,
    leads_of,
    office_id,
    snapshot,
    user_id,
)
from tests.helpers.dialogs import answer_next_dialog, find_visible_window
from tests.helpers.drag_drop import drop_on_index, mime_for
from tests.helpers.engine_checks import set_active, set_rule
from tests.helpers.window_trees import settle

# The offscreen platform cannot resize windows to size hints; that is not our warning.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def lead_index(window, owner: str, status: str, lead_name: str):
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


def drop_on_target(window, target_name: str, indexes):
    mime = mime_for(window.owner_tree, indexes)
    target = window.target_model.find(target_name)
    assert target.isValid(), f"{target_name} is not offered as a target"
    return drop_on_index(window.target_view, target, mime)


def pass_with_answers(qtbot, window, act, *, note: str | None = "", confirm: bool = True):
    """Arm answers for the three dialogs, run ``act`` (the drop), wait for the outcome."""
    asked = answer_next_dialog(qtbot, "confirmPassDialog", accept=confirm)
    noted = answer_next_dialog(
        qtbot, "passNoteDialog", accept=note is not None, note=note if note else None
    )
    done = answer_next_dialog(qtbot, "passDoneDialog")
    act()
    asked.wait()
    if not confirm:
        noted.cancel()
        done.cancel()
        return asked, noted, done
    done.wait()
    settle(window)
    qtbot.waitUntil(lambda: not window.context.runner.busy)
    return asked, noted, done


def notes_of(database, lead_id: int) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(LeadNote.body).where(LeadNote.lead_id == lead_id)))


def test_drop_one_lead_on_a_user_with_a_note(qtbot, main_window, database):
    window = main_window()
    index = lead_index(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    outcome = {}

    def act():
        outcome["drop"] = drop_on_target(window, "Jane Doe", [index])

    asked, _noted, done = pass_with_answers(qtbot, window, act, note="Call them on Monday")
    assert outcome["drop"].enter_accepted and outcome["drop"].move_accepted
    assert outcome["drop"].drop_accepted
    assert "Pass 1 lead from John Smith to Jane Doe?" in asked.text
    assert "Lead pass successful" in done.text
    lead = lead_by_name(database, "Harbor Logistics renewal")
    assert lead.owner_id == user_id(database, "Jane Doe")
    assert notes_of(database, lead.id) == ["Call them on Monday"]
    # Both panes re-read the database and John's expanded node stayed expanded.
    john = window.owner_model.find_user_index("John Smith")
    assert window.owner_tree.isExpanded(john)
    assert window.owner_model.data(john) == "John Smith  (2)"
    jane = window.target_model.find("Jane Doe")
    assert window.target_model.data(jane.siblingAtColumn(1)) == "4 open"


def test_drop_a_whole_user_passes_all_their_leads_without_a_note(qtbot, main_window, database):
    window = main_window()
    john = window.owner_model.find_user_index("John Smith")

    pass_with_answers(qtbot, window, lambda: drop_on_target(window, "Jane Doe", [john]), note=None)
    assert leads_of(database, "John Smith") == []
    assert len(leads_of(database, "Jane Doe")) == 4 + 3
    with database.read() as session:
        batch = session.scalars(select(PassBatch).order_by(PassBatch.id.desc())).first()
    assert (batch.method, batch.lead_count, batch.note) == (PassMethod.DRAG_USER.value, 3, "")
    assert window.owner_model.rowCount(window.owner_model.find_user_index("John Smith")) == 0


def test_drop_one_status_passes_only_that_status(qtbot, main_window, database):
    window = main_window()
    status = window.owner_model.find_status_index("John Smith", "OPPORTUNITY")
    asked, _, _ = pass_with_answers(
        qtbot, window, lambda: drop_on_target(window, "Sam Field", [status]), note="Yours now"
    )
    assert "1 lead" in asked.text and "Sam Field" in asked.text
    assert lead_by_name(database, "Crescent Bakery POS upgrade").owner_id == user_id(
        database, "Sam Field"
    )
    assert {lead.name for lead in leads_of(database, "John Smith")} == {
        "Harbor Logistics renewal",
        "Northwind fleet tracking",
    }


def test_drop_on_an_office_and_on_a_pass_group_fills_their_buckets(qtbot, main_window, database):
    window = main_window()
    lead = lead_index(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    pass_with_answers(qtbot, window, lambda: drop_on_target(window, "Downtown Office", [lead]))
    moved = lead_by_name(database, "Harbor Logistics renewal")
    assert (moved.owner_id, moved.bucket_office_id) == (None, office_id(database))

    sams = window.owner_model.find_status_index("Sam Field", "LEAD")
    pass_with_answers(qtbot, window, lambda: drop_on_target(window, "Inbound Team", [sams]))
    for name in ("Oakridge School tablets", "Pioneer Farms irrigation sensors"):
        lead_row = lead_by_name(database, name)
        assert (lead_row.owner_id, lead_row.bucket_group_id) == (None, group_id(database))
    office = window.target_model.find("Downtown Office")
    assert window.target_model.data(office.siblingAtColumn(1)) == "2 waiting"


def test_a_drop_on_a_bucket_nobody_watches_says_so_before_passing(qtbot, main_window, database):
    window = main_window()
    harbor = lead_index(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    asked, _noted, _done = pass_with_answers(
        qtbot, window, lambda: drop_on_target(window, "Downtown Office", [harbor])
    )
    assert "Nobody watches" not in asked.text  # Olivia Office manages it
    set_active(database, "Olivia Office", False)
    window.context.runner.changed.emit()
    settle(window)
    northwind = lead_index(window, "John Smith", "NO SALE/LOST", "Northwind fleet tracking")
    asked, _noted, _done = pass_with_answers(
        qtbot, window, lambda: drop_on_target(window, "Downtown Office", [northwind])
    )
    assert (
        "Nobody watches that bucket: Downtown Office has no office manager and no rule assigns "
        "its leads, so no one is emailed and the lead waits until someone takes it."
    ) in asked.text
    assert lead_by_name(database, "Northwind fleet tracking").bucket_office_id == office_id(
        database
    )


def test_drop_several_selected_leads(qtbot, main_window, database):
    window = main_window()
    first = lead_index(window, "Jane Doe", "OPPORTUNITY", "Granite Works CRM migration")
    second = lead_index(window, "Jane Doe", "OPPORTUNITY", "Riverbend Hotel Wi-Fi")
    asked, _, _ = pass_with_answers(
        qtbot, window, lambda: drop_on_target(window, "Sam Field", [first, second])
    )
    assert "Pass 2 leads from Jane Doe to Sam Field?" in asked.text
    assert {lead.name for lead in leads_of(database, "Sam Field")} >= {
        "Granite Works CRM migration",
        "Riverbend Hotel Wi-Fi",
    }


def test_no_on_the_confirmation_changes_nothing(qtbot, main_window, database):
    window = main_window()
    before = snapshot(database)
    john = window.owner_model.find_user_index("John Smith")
    pass_with_answers(
        qtbot, window, lambda: drop_on_target(window, "Jane Doe", [john]), confirm=False
    )
    assert find_visible_window("passNoteDialog") is None
    assert not window.context.runner.busy
    assert snapshot(database) == before


def test_conflicting_change_between_drag_and_drop_is_refused(qtbot, main_window, db_url):
    window = main_window()
    index = lead_index(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    mime = mime_for(window.owner_tree, [index])  # the drag starts: version as seen now
    other = open_database(db_url)  # someone else, through another connection
    try:
        lead = lead_by_name(other, "Harbor Logistics renewal")
        with other.write() as session:
            pass_leads(
                session,
                actor_id=user_id(other, "Ada Admin"),
                selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
                target=Target.user(user_id(other, "Sam Field")),
            )
        before = snapshot(other)
        refused = answer_next_dialog(qtbot, "passErrorDialog")
        drop_on_index(window.target_view, window.target_model.find("Jane Doe"), mime)
        refused.wait()
        assert "changed since you looked" in refused.text
        qtbot.waitUntil(lambda: not window.context.runner.busy)
        assert snapshot(other) == before
        with other.read() as session:
            owner = session.scalar(select(Lead.owner_id).where(Lead.id == lead.id))
        assert owner == user_id(other, "Sam Field")
        # The tree re-read the database: the lead now shows under Sam.
        qtbot.waitUntil(
            lambda: (
                window.owner_model.status_count(
                    window.owner_model.find_status_index("Sam Field", "LEAD")
                )
                == 3
            )
        )
    finally:
        other.dispose()


def test_bucket_leads_dropped_on_a_user_are_assigned(qtbot, main_window, database):
    window = main_window("Olivia Office")
    tree = window.bucket_tab.findChild(QTreeView, "bucketTree")
    model = tree.model()
    bucket = model.index(0, 0)
    lead = model.index(0, 0, bucket)
    assert "Corner Florist" in str(model.data(lead))
    mime = mime_for(tree, [lead])
    assert window.target_model.find("Victor Outside").isValid() is False

    def act():
        drop_on_index(window.target_view, window.target_model.find("Sam Field"), mime)

    pass_with_answers(qtbot, window, act, note="Walk-in for you")
    assigned = lead_by_name(database, "Walk-in: Corner Florist website")
    assert (assigned.owner_id, assigned.bucket_office_id) == (user_id(database, "Sam Field"), None)
    assert notes_of(database, assigned.id) == ["Walk-in for you"]
    qtbot.waitUntil(lambda: window.tabs.tabText(1) == "Leads to be Assigned")


def test_a_drop_on_an_automatic_office_gives_the_lead_an_owner_at_once(
    qtbot, main_window, database
):
    set_rule(database, BucketKey(office_id=office_id(database)), AssignRule.ROUND_ROBIN, auto=True)
    window = main_window()
    lead = lead_index(window, "John Smith", "LEAD", "Harbor Logistics renewal")
    pass_with_answers(qtbot, window, lambda: drop_on_target(window, "Downtown Office", [lead]))
    moved = lead_by_name(database, "Harbor Logistics renewal")
    members = {user_id(database, n) for n in ("Olivia Office", "Maria Manager", "Sam Field")}
    assert moved.bucket_office_id is None and moved.owner_id in members
    with database.read() as session:
        methods = session.scalars(
            select(PassBatch.method)
            .where(PassBatch.id >= moved.last_batch_id - 1)
            .order_by(PassBatch.id)
        ).all()
    assert methods == ["drag_lead", "auto_assign"]
