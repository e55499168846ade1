"""The Leads to be Assigned tab: who sees which bucket, the drag payload, assigning a lead.

Every test runs on SQLite and PostgreSQL; dialogs are answered by the test and the database
is checked afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt
from sqlalchemy import select, update

from leaddesk.admin.bucket_rules import set_waiting_limit
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.database import Database, open_database
from leaddesk.store.lead_details import buckets_of_actor
from leaddesk.store.models import Lead, LeadNote, OutboxMessage, PassBatch, utc_now
from leaddesk.ui.buckets.bucket_model import (
    OVERDUE_BACKGROUND,
    OVERDUE_ROLE,
    VERSION_ROLE,
    WAITED_COLUMN,
    BucketModel,
)
from leaddesk.ui.buckets.bucket_tab import EMPTY_HEADLINE, BucketTab
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.lead.lead_window import LeadWindow
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource, SourceKind
from tests.helpers.demo_names import group_id, lead_by_name, office_id, snapshot, user_id
from tests.helpers.dialogs import answer_next_dialog, find_visible_window, wait_for_window
from tests.helpers.engine_checks import set_rule
from tests.helpers.statements import counting_statements

# The offscreen platform cannot pass window size hints on; that is not a LeadDesk problem.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

FLORIST = "Walk-in: Corner Florist website"  # waits in the Downtown Office bucket
EVERGREEN = "Web form: Evergreen Landscaping"  # waits in the Inbound Team bucket
VELVET = "Web form: Velvet Salon booking"  # waits in the Inbound Team bucket
HARBOR = "Harbor Logistics renewal"  # owned by John Smith


@pytest.fixture
def bucket_tab(qtbot, database: Database) -> Iterator[Callable[[str], BucketTab]]:
    runners: list[OperationRunner] = []

    def make(actor: str) -> BucketTab:
        runner = OperationRunner(database)
        runners.append(runner)
        context = WindowContext(
            database=database,
            runner=runner,
            actor_id=user_id(database, actor),
            actor_name=actor,
            is_admin=actor == "Ada Admin",
        )
        tab = BucketTab(context)
        qtbot.addWidget(tab)
        tab.resize(760, 420)
        tab.show()
        qtbot.waitExposed(tab)
        qtbot.waitUntil(lambda: not tab.loading, timeout=10_000)  # read off the GUI thread
        return tab

    yield make
    for runner in runners:
        runner.wait_idle()


def _titles(tab: BucketTab) -> list[str]:
    model = tab.model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _leads_under(tab: BucketTab, title: str) -> list[str]:
    model = tab.model
    for row in range(model.rowCount()):
        bucket = model.index(row, 0)
        if bucket.data() == title:
            return [model.index(r, 0, bucket).data() for r in range(model.rowCount(bucket))]
    raise AssertionError(f"no bucket {title!r}")


def test_bucket_model_passes_qtmodeltester(qapp, qtmodeltester, database):
    model = BucketModel()
    with database.read() as session:
        model.set_buckets(buckets_of_actor(session, user_id(database, "Ada Admin")))
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)
    assert model.removeRows(0, 1) is False
    assert model.removeRows(0, 1, model.index(0, 0)) is False
    assert model.rowCount() == 2
    assert model.mimeTypes() == [PASS_SOURCE_MIME_TYPE]
    assert not model.canDropMimeData(QMimeData(), Qt.DropAction.MoveAction, 0, 0, model.index(0, 0))


def test_office_manager_sees_the_office_bucket_and_a_plain_member_does_not(database, bucket_tab):
    olivia = bucket_tab("Olivia Office")
    assert _titles(olivia) == ["Office: Downtown Office"]
    assert _leads_under(olivia, "Office: Downtown Office") == [FLORIST]
    assert olivia.waiting_count == 1
    assert olivia.stack.currentWidget() is olivia.tree

    # Maria is a member of Downtown Office but not its office manager, and in no pass group.
    maria = bucket_tab("Maria Manager")
    assert _titles(maria) == []
    assert maria.waiting_count == 0
    assert maria.stack.currentWidget() is maria.empty_label
    assert EMPTY_HEADLINE in maria.empty_label.text()
    assert "office managers" in maria.empty_label.text()
    assert not maria.assign_button.isEnabled()


@pytest.mark.parametrize("member", ["Pat Group", "Jane Doe"])
def test_pass_group_members_see_the_group_bucket(database, bucket_tab, member):
    tab = bucket_tab(member)
    assert _titles(tab) == ["Pass group: Inbound Team"]
    assert _leads_under(tab, "Pass group: Inbound Team") == [EVERGREEN, VELVET]
    assert tab.waiting_count == 2


def test_admin_sees_every_bucket(database, bucket_tab):
    tab = bucket_tab("Ada Admin")
    assert _titles(tab) == ["Office: Downtown Office", "Pass group: Inbound Team"]
    assert tab.waiting_count == 3
    assert all(tab.tree.isExpanded(tab.model.index(row, 0)) for row in range(2))


def test_dragged_leads_become_a_bucket_payload_with_the_versions_seen(database, bucket_tab):
    # Put John's lead into the group bucket first so its version (2) differs from the rest.
    maria = user_id(database, "Maria Manager")
    harbor = lead_by_name(database, "Harbor Logistics renewal")
    with database.write() as session:
        pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(harbor.id, 1)]),
            target=Target.group(group_id(database)),
        )
    tab = bucket_tab("Pat Group")
    tab.select_leads([harbor.id, lead_by_name(database, VELVET).id])
    rows = tab.tree.selectionModel().selectedIndexes()  # every column, as a view drags them

    mime = tab.model.mimeData(rows)

    assert mime.formats()[0] == PASS_SOURCE_MIME_TYPE
    source = PassSource.decode(bytes(mime.data(PASS_SOURCE_MIME_TYPE)))
    assert source is not None and source.kind is SourceKind.BUCKET_LEADS
    assert sorted(source.leads, key=lambda ref: ref.id) == sorted(
        [LeadRef(harbor.id, 2), LeadRef(lead_by_name(database, VELVET).id, 1)],
        key=lambda ref: ref.id,
    )
    assert source.lead_count == 2
    assert source.method() is PassMethod.BUCKET_ASSIGN
    assert tab.tree.dragEnabled()
    assert tab.model.supportedDragActions() == Qt.DropAction.MoveAction
    # A bucket row alone is not something to drag.
    assert tab.model.mimeData([tab.model.index(0, 0)]) is None
    assert not tab.model.flags(tab.model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled


def test_assign_dialog_assigns_the_lead_and_the_badge_count_drops(qtbot, database, bucket_tab):
    sam = user_id(database, "Sam Field")
    florist = lead_by_name(database, FLORIST)
    tab = bucket_tab("Olivia Office")
    counts: list[int] = []
    tab.waiting_count_changed.connect(counts.append)
    tab.select_leads([florist.id])
    assert tab.assign_button.isEnabled()

    qtbot.mouseClick(tab.assign_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, "bucketAssignDialog")
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    names = [dialog.user_combo.itemText(i) for i in range(dialog.user_combo.count())]
    # Office members and the users Olivia manages; never Victor Outside.
    assert names == ["Maria Manager", "Olivia Office (you)", "Sam Field"]
    dialog.select_user(sam)
    dialog.note_edit.setPlainText("Sam is at the florist's street on Tuesdays")
    done = answer_next_dialog(qtbot, "assignDoneDialog")
    with qtbot.waitSignal(tab.waiting_count_changed, timeout=20_000) as changed:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    done.wait()

    assert changed.args == [0]
    assert counts[-1] == 0 and tab.waiting_count == 0
    assert "Lead assigned" in done.text
    with database.read() as session:
        lead = session.get(Lead, florist.id)
        note = session.scalars(select(LeadNote.body).where(LeadNote.lead_id == florist.id)).one()
        batch = session.scalars(select(PassBatch).where(PassBatch.id == lead.last_batch_id)).one()
        outbox = session.scalars(
            select(OutboxMessage.recipient_id).where(OutboxMessage.batch_id == batch.id)
        ).all()
    assert (lead.owner_id, lead.bucket_office_id, lead.version) == (sam, None, 2)
    assert note == "Sam is at the florist's street on Tuesdays"
    assert batch.method == PassMethod.BUCKET_ASSIGN.value
    assert outbox == [sam]
    assert tab.stack.currentWidget() is tab.empty_label
    assert "Downtown Office" in tab.empty_label.text()


def test_assigning_a_lead_someone_else_assigned_meanwhile_is_refused(
    qtbot, database, db_url, bucket_tab
):
    pat, jane = user_id(database, "Pat Group"), user_id(database, "Jane Doe")
    evergreen = lead_by_name(database, EVERGREEN)
    tab = bucket_tab("Pat Group")
    tab.select_leads([evergreen.id])
    dialog = tab.open_assign_dialog()
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    dialog.select_user(pat)

    other = open_database(db_url)
    try:
        with other.write() as session:  # Jane, another member, was quicker
            assign_from_bucket(
                session, actor_id=jane, leads=[LeadRef(evergreen.id, 1)], user_id=jane
            )
    finally:
        other.dispose()
    before = snapshot(database)

    refusal = answer_next_dialog(qtbot, "assignErrorDialog")
    with qtbot.waitSignal(tab.context.runner.changed, timeout=20_000):
        dialog.accept()
    refusal.wait()

    # The version the dialog saw is stale: a conflict, with the refresh advice.
    assert "changed since you looked" in refusal.text
    assert snapshot(database) == before
    assert find_visible_window("bucketAssignDialog") is None
    qtbot.waitUntil(lambda: _leads_under(tab, "Pass group: Inbound Team") == [VELVET])
    assert tab.waiting_count == 1


def test_double_click_on_a_lead_opens_its_lead_window(qtbot, database, bucket_tab):
    tab = bucket_tab("Olivia Office")
    florist = lead_by_name(database, FLORIST)
    index = tab.model.lead_index(florist.id)
    assert index.isValid() and index != QModelIndex()
    centre = tab.tree.visualRect(index).center()
    qtbot.mouseClick(tab.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(tab.tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)

    window = wait_for_window(qtbot, "leadWindow")
    assert isinstance(window, LeadWindow)
    assert window.lead_id == florist.id
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    assert "Downtown Office" in window.fields["place"].text()
    window.close()


def test_a_pass_into_a_bucket_from_a_lead_window_shows_up_in_the_open_tab(
    qtbot, database, bucket_tab
):
    tab = bucket_tab("Ada Admin")
    assert tab.waiting_count == 3
    harbor = lead_by_name(database, "Harbor Logistics renewal")
    # A child of the tab (closed with it), on the same runner: its pass refreshes the tab.
    window = tab.open_lead(harbor.id)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    window.select_target(Target.group(group_id(database)))
    confirm = answer_next_dialog(qtbot, "confirmPassDialog", accept=True)
    done = answer_next_dialog(qtbot, "passDoneDialog")
    with qtbot.waitSignal(tab.waiting_count_changed, timeout=20_000) as changed:
        qtbot.mouseClick(window.pass_button, Qt.MouseButton.LeftButton)
    done.wait()

    assert confirm.answered and changed.args == [4]
    assert _leads_under(tab, "Pass group: Inbound Team") == [EVERGREEN, VELVET, HARBOR]
    index = tab.model.lead_index(harbor.id)
    assert index.data(VERSION_ROLE) == 2  # a drag from here carries the new version


# -- Assign all by rule ----------------------------------------------------------------------


def _set_group_rule(database: Database, rule: str) -> None:
    set_rule(database, BucketKey(group_id=group_id(database)), AssignRule(rule))


def test_assign_all_by_rule_previews_then_does_exactly_that(qtbot, database, bucket_tab):
    _set_group_rule(database, "round_robin")
    tab = bucket_tab("Pat Group")
    assert tab.rule_button.isEnabled()
    qtbot.mouseClick(tab.rule_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_window(qtbot, "rulePreviewDialog")
    assert dialog is tab.rule_dialog
    plan = dialog.plan
    shown = [
        (dialog.leads.item(row, 0).text(), dialog.leads.item(row, 1).text())
        for row in range(dialog.leads.rowCount())
    ]
    assert shown == [(lead.lead_name, plan.members[lead.user_id]) for lead in plan.leads]
    assert sorted(name for name, _to in shown) == sorted([EVERGREEN, VELVET])
    counts = {dialog.counts.item(r, 0).text(): dialog.counts.item(r, 1).text() for r in range(2)}
    assert counts == {"Jane Doe": "1", "Pat Group": "1"}
    # Nothing has changed while the preview is open.
    assert lead_by_name(database, EVERGREEN).owner_id is None
    dialog.note_field.edit.setPlainText("Shared out by rule")
    answer_next_dialog(qtbot, "ruleAssignDoneDialog")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lead_by_name(database, VELVET).owner_id is not None)
    tab.context.runner.wait_idle()
    for lead in plan.leads:
        assert lead_by_name(database, lead.lead_name).owner_id == lead.user_id
    with database.read() as session:
        batch = session.scalars(select(PassBatch).order_by(PassBatch.id.desc())).first()
        assert (batch.method, batch.lead_count, batch.note) == (
            "rule_assign",
            2,
            "Shared out by rule",
        )
        mail = session.scalars(select(OutboxMessage).where(OutboxMessage.batch_id == batch.id))
        assert [(m.recipient_id, m.lead_count) for m in mail] == [
            (user_id(database, "Jane Doe"), 1)
        ]
    qtbot.waitUntil(lambda: tab.waiting_count == 0)


def test_assign_all_by_rule_on_a_manual_bucket_says_why_and_changes_nothing(
    qtbot, database, bucket_tab
):
    tab = bucket_tab("Pat Group")
    before = snapshot(database)
    qtbot.mouseClick(tab.rule_button, Qt.MouseButton.LeftButton)
    box = wait_for_window(qtbot, "rulePlanErrorDialog")
    assert "assigned by hand" in box.text()
    box.close()
    assert snapshot(database) == before


def test_overdue_leads_are_highlighted_with_how_long_they_waited(database, bucket_tab):
    with database.write() as session:
        ada = user_id(database, "Ada Admin")
        set_waiting_limit(session, ada, BucketKey(office_id=office_id(database)), 240)
        set_waiting_limit(session, ada, BucketKey(group_id=group_id(database)), 120)
        for name, waited in (
            (FLORIST, timedelta(hours=6, minutes=12)),
            (EVERGREEN, timedelta(minutes=35)),
        ):
            session.execute(
                update(Lead).where(Lead.name == name).values(updated_at=utc_now() - waited)
            )
    tab = bucket_tab("Ada Admin")
    model = tab.model

    def row(name: str) -> tuple[object, object, object]:
        index = model.lead_index(lead_by_name(database, name).id)
        waited = index.siblingAtColumn(WAITED_COLUMN)
        return waited.data(), index.data(OVERDUE_ROLE), index.data(Qt.ItemDataRole.BackgroundRole)

    text, overdue, background = row(FLORIST)
    assert text.startswith("6 h 12 min") and text.endswith(", overdue")
    assert overdue is True and background == OVERDUE_BACKGROUND
    assert row(EVERGREEN) == ("35 min", False, None)
    office = model.bucket_index(("office", office_id(database)))
    assert office.siblingAtColumn(WAITED_COLUMN).data() == "1 overdue (limit 4 h)"
    assert "over the 4 h limit of Downtown Office" in model.lead_index(
        lead_by_name(database, FLORIST).id
    ).siblingAtColumn(WAITED_COLUMN).data(Qt.ItemDataRole.ToolTipRole)

    # Time passes without a database read: Evergreen goes over its 2 h limit.
    with counting_statements(database.engine) as statements:
        model.tick(utc_now() + timedelta(hours=2))
    assert statements.count == 0
    text, overdue, _background = row(EVERGREEN)
    assert overdue is True and text == "2 h 35 min, overdue"
