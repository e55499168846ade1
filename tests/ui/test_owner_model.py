"""OwnerTreeModel: structure, lazy paging, search, and the drag payload it produces."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from leaddesk.reassignment.requests import LeadRef
from leaddesk.store.database import open_database
from leaddesk.store.demo import create_demo
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.main import owner_model
from leaddesk.ui.main.owner_model import OwnerTreeModel
from leaddesk.ui.main.tree_reads import read_lead_page
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource, SourceKind
from tests.helpers.demo_names import leads_of, status_id, user_id

# Icons and fonts in data() need the QApplication.
pytestmark = pytest.mark.usefixtures("qapp")


def make_model(qtbot, database, actor: str = "Maria Manager") -> OwnerTreeModel:
    context = WindowContext(
        database=database,
        runner=OperationRunner(database),
        actor_id=user_id(database, actor),
        actor_name=actor,
    )
    model = OwnerTreeModel(context)
    model.reload()
    settled(qtbot, model)
    return model


def settled(qtbot, model: OwnerTreeModel) -> None:
    """Until the model's reads (run off the GUI thread) have answered and been taken in."""
    qtbot.waitUntil(lambda: not model.loading and not model.fetching, timeout=15_000)


def fetch(qtbot, model: OwnerTreeModel, status) -> None:
    model.fetchMore(status)
    settled(qtbot, model)


def user_names(model: OwnerTreeModel) -> list[str]:
    return [model.item(model.index(r, 0)).payload.name for r in range(model.rowCount())]


def test_owner_model_passes_qtmodeltester_with_leads_loaded(qtbot, qtmodeltester, database):
    model = make_model(qtbot, database)
    status = model.find_status_index("John Smith", "LEAD")
    assert model.canFetchMore(status)
    fetch(qtbot, model, status)
    qtmodeltester.check(model, force_py=True)
    # The tester asks for more rows too: those reads finish before the database closes.
    settled(qtbot, model)
    model.context.runner.wait_idle()


def test_tree_lists_only_managed_users_with_status_counts(qtbot, database):
    model = make_model(qtbot, database)
    assert user_names(model) == ["Jane Doe", "John Smith", "Maria Manager", "Sam Field"]
    john = model.find_user_index("John Smith")
    statuses = [model.data(model.index(r, 0, john)) for r in range(model.rowCount(john))]
    assert statuses == ["LEAD  (1)", "OPPORTUNITY  (1)", "NO SALE/LOST  (1)"]
    assert "Victor Outside" not in user_names(model)


def test_admin_sees_every_user(qtbot, database):
    assert "Victor Outside" in user_names(make_model(qtbot, database, "Ada Admin"))


def test_leads_are_fetched_lazily_when_a_status_is_expanded(qtbot, database):
    model = make_model(qtbot, database)
    status = model.find_status_index("Jane Doe", "OPPORTUNITY")
    assert model.hasChildren(status) and model.rowCount(status) == 0
    model.fetchMore(status)
    # Until the page arrives, one "Loading…" row stands where the leads will be.
    assert model.data(model.index(0, 0, status)) == "Loading…"
    assert not model.flags(model.index(0, 0, status)) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.canFetchMore(status)
    settled(qtbot, model)
    names = {model.data(model.index(r, 0, status)) for r in range(model.rowCount(status))}
    assert names == {"Granite Works CRM migration", "Riverbend Hotel Wi-Fi"}
    assert not model.canFetchMore(status)
    lead = model.index(0, 1, status)
    assert model.data(lead) in {"Granite Works", "Riverbend Hotel"}
    assert model.data(model.index(0, 2, status)) == "OPPORTUNITY"


def test_big_status_is_paged_by_keyset(qtbot, make_db_url):
    database = open_database(make_db_url())
    try:
        create_demo(database, users=2, leads=700)
        with database.write() as session:
            session.execute(
                text("UPDATE leads SET owner_id = :o, status_id = :s WHERE owner_id > :m"),
                {
                    "o": user_id(database, "Jane Doe"),
                    "s": status_id(database, "LEAD"),
                    "m": user_id(database, "Pat Group"),
                },
            )
        model = make_model(qtbot, database)
        status = model.find_status_index("Jane Doe", "LEAD")
        assert model.status_count(status) == 701
        model.fetchMore(status)
        qtbot.waitUntil(lambda: model.rowCount(status) == 200)
        qtbot.waitUntil(lambda: model.canFetchMore(status))
        while model.canFetchMore(status):
            model.fetchMore(status)
            qtbot.waitUntil(lambda: model.canFetchMore(status) or model.rowCount(status) == 701)
        assert model.item(model.index(700, 0, status)).kind == "lead"
        ids = [model.item(model.index(r, 0, status)).payload.id for r in range(701)]
        assert ids == sorted(set(ids))
    finally:
        database.dispose()


def test_reload_keeps_loaded_leads_and_reads_new_state(qtbot, database):
    model = make_model(qtbot, database)
    status = model.find_status_index("John Smith", "LEAD")
    fetch(qtbot, model, status)
    with database.write() as session:
        session.execute(
            text("UPDATE leads SET owner_id = :jane WHERE owner_id = :john"),
            {"jane": user_id(database, "Jane Doe"), "john": user_id(database, "John Smith")},
        )
    model.reload()
    settled(qtbot, model)
    assert model.find_user_index("John Smith").isValid()
    assert model.rowCount(model.find_user_index("John Smith")) == 0
    jane_lead = model.find_status_index("Jane Doe", "LEAD")
    assert model.status_count(jane_lead) == 2


def test_search_filters_leads_by_name_or_company(qtbot, database):
    model = make_model(qtbot, database)
    model.set_search("bakery")
    settled(qtbot, model)
    assert user_names(model) == ["John Smith"]
    status = model.find_status_index("John Smith", "OPPORTUNITY")
    assert model.data(model.index(0, 0, status)) == "Crescent Bakery POS upgrade"
    model.set_search("Granite")
    settled(qtbot, model)
    assert user_names(model) == ["Jane Doe"]
    model.set_search("no such lead anywhere")
    settled(qtbot, model)
    assert model.rowCount() == 0
    model.set_search("")
    settled(qtbot, model)
    assert len(user_names(model)) == 4


def test_a_search_typed_on_drops_the_older_answer(qtbot, database):
    """Keystrokes faster than the link: only the newest search's answer is shown."""
    model = make_model(qtbot, database)
    taken = []
    model.loaded.connect(lambda: taken.append(model.search))
    model.set_search("bakery")
    model.set_search("Granite")  # before "bakery" has answered
    settled(qtbot, model)
    model.context.runner.wait_idle()
    QApplication.processEvents()
    assert taken == ["Granite"]
    assert user_names(model) == ["Jane Doe"]


def test_a_page_for_a_replaced_tree_is_dropped(qtbot, database, monkeypatch):
    """A status opened just before a refresh: its page belongs to the old tree and is dropped."""
    model = make_model(qtbot, database)
    release = threading.Event()

    def held_page(session, **kwargs):
        release.wait(10)  # the page answers only after the refresh has replaced the tree
        return read_lead_page(session, **kwargs)

    monkeypatch.setattr(owner_model, "read_lead_page", held_page)
    status = model.find_status_index("Jane Doe", "OPPORTUNITY")
    model.fetchMore(status)
    assert model.fetching
    model.reload()
    qtbot.waitUntil(lambda: not model.loading, timeout=15_000)
    release.set()
    model.context.runner.wait_idle()
    QApplication.processEvents()
    status = model.find_status_index("Jane Doe", "OPPORTUNITY")
    assert model.rowCount(status) == 0  # nothing of the old tree's page came in
    assert "loading" not in {item.kind for item in model.root.walk()}
    monkeypatch.undo()
    fetch(qtbot, model, status)
    assert model.rowCount(status) == 2


def test_an_empty_model_says_it_is_loading_until_the_answer_comes(qtbot, database):
    context = WindowContext(
        database=database,
        runner=OperationRunner(database),
        actor_id=user_id(database, "Maria Manager"),
        actor_name="Maria Manager",
    )
    model = OwnerTreeModel(context)
    model.reload()
    assert model.loading
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "Loading…"
    assert model.flags(model.index(0, 0)) == (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
    )
    assert model.source_for([model.index(0, 0)]) is None
    settled(qtbot, model)
    assert user_names(model) == ["Jane Doe", "John Smith", "Maria Manager", "Sam Field"]


@pytest.mark.parametrize("kind", ["lead", "leads", "status", "user"])
def test_mime_data_carries_the_pass_source(qtbot, database, kind):
    model = make_model(qtbot, database)
    john = model.find_user_index("John Smith")
    lead_status = model.find_status_index("John Smith", "LEAD")
    opp_status = model.find_status_index("John Smith", "OPPORTUNITY")
    model.fetchMore(lead_status)
    model.fetchMore(opp_status)
    settled(qtbot, model)
    rows = {
        "lead": [model.index(0, 0, lead_status)],
        "leads": [model.index(0, 0, lead_status), model.index(0, 0, opp_status)],
        "status": [lead_status],
        "user": [john],
    }[kind]
    mime = model.mimeData(rows)
    assert mime.hasFormat(PASS_SOURCE_MIME_TYPE)
    source = PassSource.decode(mime.data(PASS_SOURCE_MIME_TYPE).data())
    john_id = user_id(database, "John Smith")
    johns = {lead.name: lead for lead in leads_of(database, "John Smith")}
    if kind == "user":
        assert (source.kind, source.user_id, source.lead_count) == (SourceKind.USER, john_id, 3)
    elif kind == "status":
        assert source.kind is SourceKind.STATUS
        assert (source.user_id, source.status_id) == (john_id, status_id(database, "LEAD"))
    else:
        wanted = [johns["Harbor Logistics renewal"]]
        if kind == "leads":
            wanted.append(johns["Crescent Bakery POS upgrade"])
        assert source.kind is SourceKind.LEADS
        assert list(source.leads) == [LeadRef(lead.id, lead.version) for lead in wanted]


def test_the_model_never_removes_rows_after_a_move(qtbot, database):
    model = make_model(qtbot, database)
    assert model.removeRows(0, 1) is False
    assert model.rowCount() == 4
