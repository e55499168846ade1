"""The lead window: Details, Notes & History, and passing from the Pass Lead tab.

Every test runs on SQLite and PostgreSQL; dialogs are answered by the test and the database
is checked afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import Lead, LeadNote, OutboxMessage, PassBatch, PassHistory
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.lead.lead_window import TARGET_ROLE, LeadWindow
from tests.helpers.demo_names import lead_by_name, office_id, snapshot, user_id
from tests.helpers.dialogs import answer_next_dialog

# The offscreen platform cannot pass window size hints on; that is not a LeadDesk problem.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HARBOR = "Harbor Logistics renewal"  # John Smith's LEAD; Maria Manager manages John


@pytest.fixture
def open_lead(qtbot, database: Database) -> Iterator[Callable[..., LeadWindow]]:
    runners: list[OperationRunner] = []

    def make(actor: str, lead_name: str = HARBOR) -> LeadWindow:
        runner = OperationRunner(database)
        runners.append(runner)
        context = WindowContext(
            database=database,
            runner=runner,
            actor_id=user_id(database, actor),
            actor_name=actor,
            is_admin=actor == "Ada Admin",
        )
        window = LeadWindow(context, lead_by_name(database, lead_name).id)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: not window.loading, timeout=10_000)  # read off the GUI thread
        return window

    yield make
    for runner in runners:
        runner.wait_idle()


def _pass(qtbot, window: LeadWindow, target: Target, note: str = "", outcome: str = ""):
    """Choose the target, type the note, press Pass and answer the confirmation with Yes."""
    window.tabs.setCurrentWidget(window.findChild(QWidget, "passLeadTab"))
    window.select_target(target)
    assert window.selected_target() == target
    window.note_edit.setPlainText(note)
    confirm = answer_next_dialog(qtbot, "confirmPassDialog", accept=True)
    result = answer_next_dialog(qtbot, outcome) if outcome else None
    with qtbot.waitSignal(window.context.runner.changed, timeout=20_000):
        qtbot.mouseClick(window.pass_button, Qt.MouseButton.LeftButton)
    assert confirm.answered
    if result is not None:
        result.wait()
    return confirm, result


def test_window_shows_details_and_notes_and_history_newest_first(qtbot, database, open_lead):
    maria, jane = user_id(database, "Maria Manager"), user_id(database, "Jane Doe")
    lead = lead_by_name(database, HARBOR)
    with database.write() as session:
        first = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(lead.id, 1)]),
            target=Target.user(jane),
            note="Jane knows the harbour people",
            method=PassMethod.DRAG_LEAD,
        )
    window = open_lead("Maria Manager")

    assert window.objectName() == "leadWindow"
    assert not window.isModal()
    assert HARBOR in window.windowTitle()
    assert [window.tabs.tabText(i) for i in range(3)] == [
        "Details",
        "Notes && History",
        "Pass Lead",
    ]
    assert window.fields["company"].text() == "Harbor Logistics"
    assert window.fields["email"].text() == lead.email
    assert window.fields["status"].text() == "LEAD"
    assert window.fields["place"].text() == "Jane Doe"
    assert window.fields["version"].text() == "2"

    tree = window.history_tree
    assert tree.topLevelItemCount() == 1
    row = tree.topLevelItem(0)
    # The test's PostgreSQL connection is the owner login acting as Maria: both are shown.
    acted_as = "Maria Manager" if database.is_sqlite else "Maria Manager (login postgres)"
    assert [row.text(c) for c in (1, 3, 4, 5)] == [
        acted_as,
        "John Smith",
        "Jane Doe",
        str(first.batch_id),
    ]
    assert row.child(0).text(0).strip() == "Jane knows the harbour people"


def test_pass_lead_tab_offers_managed_users_with_load_then_offices_and_groups(database, open_lead):
    window = open_lead("Maria Manager")
    model = window.target_model
    rows = [model.item(r) for r in range(model.rowCount())]
    texts = [item.text().strip() for item in rows]
    assert texts[0] == "Users"
    assert "John Smith — has this lead" in texts
    assert "Jane Doe — 3 open leads" in texts  # Summit Gym is WON, so not open
    assert "Office: Downtown Office — 1 waiting" in texts
    assert "Pass group: Inbound Team — 2 waiting" in texts
    assert texts.index("Offices") < texts.index("Office: Downtown Office — 1 waiting")
    assert not any("Victor Outside" in text for text in texts)  # Maria cannot manage him
    myself = next(
        item
        for item in rows
        if item.data(TARGET_ROLE) == Target.user(user_id(database, "Maria Manager"))
    )
    assert "(you)" in myself.text()
    assert not myself.isEnabled()
    assert not window.pass_button.isEnabled()  # nothing chosen yet


def test_pass_lead_to_another_user_changes_owner_history_note_and_queues_one_email(
    qtbot, database, open_lead
):
    jane = user_id(database, "Jane Doe")
    lead_id = lead_by_name(database, HARBOR).id
    window = open_lead("Maria Manager")

    confirm, done = _pass(
        qtbot, window, Target.user(jane), note="Jane takes over", outcome="passDoneDialog"
    )

    assert "Harbor Logistics renewal" in confirm.text and "Jane Doe" in confirm.text
    assert "Lead pass successful" in done.text
    with database.read() as session:
        lead = session.get(Lead, lead_id)
        history = session.scalars(select(PassHistory).where(PassHistory.lead_id == lead_id)).all()
        batch = session.get(PassBatch, history[0].batch_id)
        notes = session.scalars(select(LeadNote.body).where(LeadNote.lead_id == lead_id)).all()
        outbox = session.scalars(
            select(OutboxMessage).where(OutboxMessage.batch_id == batch.id)
        ).all()
    assert lead.owner_id == jane and lead.version == 2
    assert len(history) == 1 and history[0].to_owner_id == jane
    assert batch.method == PassMethod.LEAD_TAB.value
    assert notes == ["Jane takes over"]
    assert [(m.recipient_id, m.lead_count) for m in outbox] == [(jane, 1)]
    # The window shows the lead as it is now.
    qtbot.waitUntil(lambda: window.fields["place"].text() == "Jane Doe")
    assert window.version_seen == 2
    assert window.history_tree.topLevelItem(0).text(4) == "Jane Doe"
    assert window.note_edit.toPlainText() == ""


def test_pass_lead_to_an_office_puts_it_in_that_bucket(qtbot, database, open_lead):
    downtown = office_id(database)
    lead_id = lead_by_name(database, HARBOR).id
    window = open_lead("Maria Manager")

    _pass(qtbot, window, Target.office(downtown), outcome="passDoneDialog")

    with database.read() as session:
        lead = session.get(Lead, lead_id)
        notes = session.scalars(select(LeadNote).where(LeadNote.lead_id == lead_id)).all()
    assert (lead.owner_id, lead.bucket_office_id, lead.bucket_group_id) == (None, downtown, None)
    assert notes == []  # passed without a note
    qtbot.waitUntil(lambda: "Downtown Office" in window.fields["place"].text())
    assert window.place_caption.text() == "Waiting in:"


def test_passing_to_yourself_from_the_lead_is_refused_and_changes_nothing(
    qtbot, database, open_lead
):
    maria = user_id(database, "Maria Manager")
    before = snapshot(database)
    window = open_lead("Maria Manager")

    # The combo greys yourself out; choosing it anyway must still be refused by the
    # controller, not just by the widget.
    _, refusal = _pass(
        qtbot, window, Target.user(maria), note="mine now", outcome="passErrorDialog"
    )

    assert "cannot pass a lead to yourself" in refusal.text
    assert snapshot(database) == before
    assert window.fields["place"].text() == "John Smith"


def test_no_on_the_confirmation_passes_nothing(qtbot, database, open_lead):
    before = snapshot(database)
    window = open_lead("Maria Manager")
    window.select_target(Target.user(user_id(database, "Sam Field")))
    confirm = answer_next_dialog(qtbot, "confirmPassDialog", accept=False)
    qtbot.mouseClick(window.pass_button, Qt.MouseButton.LeftButton)
    confirm.wait()
    window.context.runner.wait_idle()
    assert snapshot(database) == before
    assert not window.context.runner.busy


def test_lead_moved_by_someone_else_meanwhile_gives_conflict_and_changes_nothing(
    qtbot, database, db_url, open_lead
):
    maria, jane, sam = (
        user_id(database, name) for name in ("Maria Manager", "Jane Doe", "Sam Field")
    )
    lead_id = lead_by_name(database, HARBOR).id
    window = open_lead("Maria Manager")
    assert window.version_seen == 1

    other = open_database(db_url)  # another desk, another connection
    try:
        with other.write() as session:
            pass_leads(
                session,
                actor_id=maria,
                selection=Selection.of_leads([LeadRef(lead_id, 1)]),
                target=Target.user(jane),
            )
    finally:
        other.dispose()
    before = snapshot(database)

    _, refusal = _pass(qtbot, window, Target.user(sam), note="too late", outcome="passErrorDialog")

    assert "changed since you looked" in refusal.text
    assert snapshot(database) == before
    # The refusal refreshes the window: it now shows where the lead really is.
    qtbot.waitUntil(lambda: window.fields["place"].text() == "Jane Doe")
    assert window.version_seen == 2


def test_a_note_over_the_limit_blocks_the_pass_button(database, open_lead):
    window = open_lead("Maria Manager")
    window.select_target(Target.user(user_id(database, "Sam Field")))
    assert window.pass_button.isEnabled()
    window.note_edit.setPlainText("x" * 4001)
    assert not window.pass_button.isEnabled()
    assert window.note_field.counter.text() == "4,001 / 4,000 characters"
    window.note_edit.setPlainText("x" * 4000)
    assert window.pass_button.isEnabled()


def test_a_lead_that_does_not_exist_shows_a_clear_message_not_a_traceback(
    qtbot, database, open_lead
):
    window = open_lead("Maria Manager")
    other = LeadWindow(window.context, 987_654)
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: not other.loading, timeout=10_000)
    assert other.error_label.text() == "There is no lead with id 987654."
    assert not other.error_label.isHidden()
    assert not other.pass_button.isEnabled()


def test_details_show_where_an_imported_lead_came_from(qtbot, database, open_lead):
    from pathlib import Path

    from leaddesk.data_io.lead_import import ImportOptions, import_leads

    fixture = Path(__file__).parent.parent / "fixtures" / "crm" / "odoo_leads.csv"
    with database.write() as session:
        import_leads(
            session,
            actor_id=user_id(database, "Ada Admin"),
            data=fixture.read_bytes(),
            options=ImportOptions(status_map={"New": "LEAD", "Qualified": "OPPORTUNITY"}),
        )
    window = open_lead("Maria Manager", "Renewal 2027")
    assert window.fields["origin"].text() == "odoo __export__.crm_lead_43_77aa01cd"
    assert window.fields["origin"].isVisible()
    assert window.fields["created"].text().startswith("2026-08-21")

    native = open_lead("Maria Manager")
    assert not native.fields["origin"].isVisible()
    assert not native.origin_caption.isVisible()


def test_pass_lead_to_an_automatic_office_gives_it_an_owner_at_once(qtbot, database, open_lead):
    from leaddesk.store.bucket_rules import AssignRule, BucketKey
    from tests.helpers.engine_checks import set_rule

    downtown = office_id(database)
    set_rule(database, BucketKey(office_id=downtown), AssignRule.LEAST_LOADED, auto=True)
    lead_id = lead_by_name(database, HARBOR).id
    window = open_lead("Maria Manager")
    _pass(qtbot, window, Target.office(downtown), outcome="passDoneDialog")
    with database.read() as session:
        lead = session.get(Lead, lead_id)
        steps = session.execute(
            select(PassHistory.to_office_id, PassHistory.to_owner_id)
            .where(PassHistory.lead_id == lead_id)
            .order_by(PassHistory.id)
        ).all()
    members = {user_id(database, n) for n in ("Olivia Office", "Maria Manager", "Sam Field")}
    assert lead.bucket_office_id is None and lead.owner_id in members
    assert [tuple(step) for step in steps[-2:]] == [(downtown, None), (None, lead.owner_id)]
