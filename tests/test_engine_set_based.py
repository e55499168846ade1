"""Preview counts, one transaction per pass, and a fixed number of SQL statements whatever
the number of leads, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from leaddesk.errors import PermissionDeniedError
from leaddesk.reassignment import batches
from leaddesk.reassignment.controller import pass_leads, preview_pass
from leaddesk.reassignment.requests import (
    LeadRef,
    Selection,
    Target,
)
from leaddesk.store.models import Lead
from tests.helpers.demo_names import leads_of, office_id, status_id, user_id
from tests.helpers.engine_checks import (
    add_user_with_leads,
    assert_refused,
    batch_rows,
)
from tests.helpers.statements import counting_statements


def _ids(database, *names):
    return [user_id(database, name) for name in names]


def _refs(leads):
    return [LeadRef(lead.id, lead.version) for lead in leads]


# -- preview -------------------------------------------------------------------------------


def test_preview_counts_what_a_pass_would_move_and_changes_nothing(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    mixed = leads_of(database, "John Smith")[:1] + leads_of(database, "Jane Doe")[:2]
    with database.read() as session:
        whole = preview_pass(
            session, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
        )
        status = preview_pass(
            session,
            actor_id=maria,
            selection=Selection.status_of_user(jane, status_id(database, "OPPORTUNITY")),
            target=Target.office(office_id(database)),
        )
        listed = preview_pass(session, actor_id=maria, selection=Selection.of_leads(_refs(mixed)))
    assert (whole.count, whole.source_names, whole.target_name) == (3, ["John Smith"], "Jane Doe")
    assert (status.count, status.source_names, status.target_name) == (
        2,
        ["Jane Doe"],
        "Downtown Office",
    )
    assert (listed.count, listed.source_names, listed.target_name) == (
        3,
        ["Jane Doe", "John Smith"],
        "",
    )
    assert len(leads_of(database, "John Smith")) == 3


def test_preview_checks_the_same_rights_as_a_pass(database):
    maria, victor = _ids(database, "Maria Manager", "Victor Outside")
    with pytest.raises(PermissionDeniedError), database.read() as session:
        preview_pass(session, actor_id=maria, selection=Selection.all_of_user(victor))


# -- set-based: a fixed number of statements ------------------------------------------------


def _statements_for_pass(database, selection_for, size):
    maria = user_id(database, "Maria Manager")
    source = add_user_with_leads(database, f"Bulk Owner {size}", size, "Maria Manager")
    target = user_id(database, "Jane Doe")
    with database.read() as session:
        refs = [
            LeadRef(lead_id, version)
            for lead_id, version in session.execute(
                select(Lead.id, Lead.version).where(Lead.owner_id == source)
            )
        ]
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.write() as session:
            result = pass_leads(
                session,
                actor_id=maria,
                selection=selection_for(source, refs),
                target=Target.user(target),
                note="bulk",
            )
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert result.moved == size
    rows = batch_rows(database, result.batch_id)
    assert (len(rows["history"]), len(rows["notes"]), len(rows["outbox"])) == (size, size, 1)
    return statements


@pytest.mark.parametrize(
    "selection_for",
    [
        pytest.param(lambda source, refs: Selection.all_of_user(source), id="all-of-user"),
        pytest.param(lambda source, refs: Selection.of_leads(refs), id="listed-leads"),
    ],
)
def test_a_pass_is_a_fixed_number_of_statements_whatever_the_lead_count(database, selection_for):
    small = _statements_for_pass(database, selection_for, 10)
    large = _statements_for_pass(database, selection_for, 2000)
    assert len(small) == len(large), (small, large)
    assert len(large) < 30


# A one-lead pass from the window, statement by statement (README "Round trips per action";
# BEGIN and COMMIT left out): the users it names (one read, share-locked), the lead, the
# rights it rests on (one read), the batch, the move (history and update: one statement on
# PostgreSQL, two on SQLite), closing the batch, the outbox (one INSERT for every kind of
# recipient) and, on PostgreSQL, the change notice. The preview: users, lead, rights, count.
ONE_LEAD_PASS = {"sqlite": 8, "postgresql": 6}
ONE_LEAD_PREVIEW = 4


def test_a_one_lead_pass_and_its_preview_send_the_recorded_statements(database, backend):
    maria, sam = _ids(database, "Maria Manager", "Sam Field")
    selection = Selection.of_leads(_refs(leads_of(database, "John Smith")[:1]))
    with counting_statements(database.engine) as sent, database.read() as session:
        preview = preview_pass(
            session, actor_id=maria, selection=selection, target=Target.user(sam)
        )
    assert preview.count == 1
    assert len(_without_transaction_control(sent.statements)) <= ONE_LEAD_PREVIEW, sent.statements
    assert not database.read_only  # asked once per database (PostgreSQL), not per pass
    with counting_statements(database.engine) as sent, database.write() as session:
        result = pass_leads(session, actor_id=maria, selection=selection, target=Target.user(sam))
    assert (result.moved, result.notifications) == (1, 1)
    statements = _without_transaction_control(sent.statements)
    assert len(statements) <= ONE_LEAD_PASS[backend], statements
    # One statement queues the emails (on a server, inside the one that closes the batch).
    # (the log keeps each statement's first line: the server's starts with its CTE "queued")
    queueing = ("INSERT INTO outbox", "WITH queued AS")
    assert sum(s.startswith(queueing) for s in statements) == 1, statements


def _without_transaction_control(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split(" ")[0] not in ("BEGIN", "COMMIT", "ROLLBACK")]


def test_a_pass_is_one_transaction_a_failure_after_the_move_changes_nothing(database, monkeypatch):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")

    def mail_server_on_fire(*_args, **_kwargs):
        raise RuntimeError("outbox broke after the leads moved")

    # Files queue the emails on their own; a server builds them into the statement that
    # closes the batch: break whichever this backend uses.
    monkeypatch.setattr(batches, "queue_batch_notifications", mail_server_on_fire)
    monkeypatch.setattr(batches, "batch_notifications", mail_server_on_fire)
    assert_refused(
        database,
        RuntimeError,
        lambda s: pass_leads(
            s,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
            note="never lands",
        ),
        match="outbox broke",
    )
