"""TargetModel: the users, offices and pass groups offered, and drops turned into requests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt

from leaddesk.reassignment.requests import LeadRef, Target
from leaddesk.store.tree_queries import owner_tree
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.main.target_model import TargetModel
from leaddesk.ui.main.tree_reads import read_targets
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource, SourceKind
from tests.helpers.demo_names import group_id, leads_of, office_id, user_id

# Icons and fonts in data() need the QApplication.
pytestmark = pytest.mark.usefixtures("qapp")


def make_model(database, actor: str = "Maria Manager") -> TargetModel:
    context = WindowContext(
        database=database,
        runner=OperationRunner(database),
        actor_id=user_id(database, actor),
        actor_name=actor,
    )
    model = TargetModel(context)
    # Models are given their data: the window reads it off the GUI thread; here, directly.
    ticket = model.start_loading()
    with database.read() as session:
        targets = read_targets(session, owner_tree(session, actor_id=context.actor_id))
    assert model.take(ticket, targets)
    return model


def payload(source: PassSource) -> QMimeData:
    mime = QMimeData()
    mime.setData(PASS_SOURCE_MIME_TYPE, source.encode())
    return mime


def test_target_model_passes_qtmodeltester(qtmodeltester, database):
    qtmodeltester.check(make_model(database), force_py=True)


def test_only_managed_users_are_offered_with_their_open_leads(database):
    model = make_model(database)
    names = [choice.name for choice in model.choices()]
    assert names == [
        "Jane Doe",
        "John Smith",
        "Maria Manager",
        "Sam Field",
        "Downtown Office",
        "Inbound Team",
    ]
    assert "Victor Outside" not in names
    jane = model.find("Jane Doe")
    # Jane holds 4 leads, one of them WON (closed): 3 open.
    assert model.data(model.index(jane.row(), 1, jane.parent())) == "3 open"
    office = model.find("Downtown Office")
    assert model.data(model.index(office.row(), 1, office.parent())) == "1 waiting"


def test_drop_on_a_user_requests_a_pass_and_changes_nothing(qtbot, database):
    model = make_model(database)
    lead = leads_of(database, "John Smith")[0]
    source = PassSource(SourceKind.LEADS, leads=(LeadRef(lead.id, lead.version),), lead_count=1)
    jane = model.find("Jane Doe")
    rows_before = model.rowCount(jane.parent())
    assert model.canDropMimeData(payload(source), Qt.DropAction.MoveAction, -1, -1, jane)
    with qtbot.waitSignal(model.pass_requested) as signal:
        assert model.dropMimeData(payload(source), Qt.DropAction.MoveAction, -1, -1, jane)
    assert signal.args == [source, Target.user(user_id(database, "Jane Doe"))]
    assert model.rowCount(jane.parent()) == rows_before
    assert leads_of(database, "John Smith")[0].owner_id == lead.owner_id


def test_drop_on_office_and_group_targets_their_buckets(qtbot, database):
    model = make_model(database)
    source = PassSource(SourceKind.USER, user_id=user_id(database, "John Smith"))
    for name, target in (
        ("Downtown Office", Target.office(office_id(database))),
        ("Inbound Team", Target.group(group_id(database))),
    ):
        index = model.find(name)
        with qtbot.waitSignal(model.pass_requested) as signal:
            # Row/parent form, as a view sends for a drop between rows.
            assert model.dropMimeData(
                payload(source), Qt.DropAction.MoveAction, index.row(), 0, index.parent()
            )
        assert signal.args[1] == target


def test_headers_foreign_data_and_empty_space_are_not_drop_targets(database):
    model = make_model(database)
    source = payload(PassSource(SourceKind.USER, user_id=1))
    header = model.index(0, 0)
    assert not model.canDropMimeData(source, Qt.DropAction.MoveAction, -1, -1, header)
    assert not model.canDropMimeData(source, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    other = QMimeData()
    other.setText("hello")
    jane = model.find("Jane Doe")
    assert not model.canDropMimeData(other, Qt.DropAction.MoveAction, -1, -1, jane)
    broken = QMimeData()
    broken.setData(PASS_SOURCE_MIME_TYPE, b"{not json")
    assert not model.dropMimeData(broken, Qt.DropAction.MoveAction, -1, -1, jane)
    assert model.removeRows(0, 1, header) is False


def test_an_older_answer_is_dropped_and_an_empty_pane_says_loading(database):
    model = make_model(database)
    with database.read() as session:
        targets = read_targets(
            session, owner_tree(session, actor_id=user_id(database, "Maria Manager"))
        )
    older = model.start_loading()
    newer = model.start_loading()
    assert not model.take(older, targets)
    assert model.take(newer, targets)
    empty = TargetModel(model.context)
    empty.start_loading()
    assert empty.data(empty.index(0, 0)) == "Loading…"
    assert not empty.canDropMimeData(
        payload(PassSource(SourceKind.USER, user_id=1)),
        Qt.DropAction.MoveAction,
        0,
        0,
        QModelIndex(),
    )
