"""Checks that must be true when a change commits, not only when it was asked for: undo
after rights changed, ``pass --lead`` after the lead moved, moves to where a lead already
is, and deadlocks (retried, then one line)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, event, select

from leaddesk.admin.offices import set_office_manager
from leaddesk.admin.rights import revoke_right
from leaddesk.cli import main
from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.reassignment.retry import BUSY_MESSAGE, write_with_retry
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import Lead, OutboxMessage, PassHistory
from tests.helpers.demo_names import lead_by_name, leads_of, office_id, user_id
from tests.helpers.engine_checks import assert_refused, full_snapshot
from tests.helpers.interleave import in_thread, lock_waiters, wait_until


def _ids(database, *names):
    return [user_id(database, name) for name in names]


def _refs(leads):
    return [LeadRef(lead.id, lead.version) for lead in leads]


def _pass_lead_to_jane(db_url, lead_id):
    return [
        "--db",
        db_url,
        "pass",
        "--as",
        "Maria Manager",
        "--lead",
        str(lead_id),
        "--to-user",
        "Jane Doe",
    ]


# -- item 3: undo checks the actor's rights now ---------------------------------------------


@pytest.mark.parametrize("revoked", ["Jane Doe", "John Smith"])
def test_undo_after_a_right_was_revoked_is_refused_and_changes_nothing(database, revoked):
    ada, maria, john, jane = _ids(database, "Ada Admin", "Maria Manager", "John Smith", "Jane Doe")
    with database.write() as session:
        passed = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
        )
    with database.write() as session:
        revoke_right(session, ada, manager_id=maria, user_id=user_id(database, revoked))
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: undo_batch(s, actor_id=maria, batch_id=passed.batch_id),
        match=(
            f"^Pass {passed.batch_id} cannot be undone: Maria Manager no longer has a "
            f"manager right over {revoked}.$"
        ),
    )


def test_undo_of_a_bucket_assignment_needs_the_bucket_still_in_sight(database):
    """Olivia assigned a walk-in to Sam (an office member she does not manage): she may
    undo that while she is office manager, not after losing the flag."""
    ada, olivia, sam = _ids(database, "Ada Admin", "Olivia Office", "Sam Field")
    lead = lead_by_name(database, "Walk-in: Corner Florist website")
    with database.write() as session:
        # In the demo Olivia manages Sam; without that only the bucket lets her move his leads.
        revoke_right(session, ada, manager_id=olivia, user_id=sam)
    with database.write() as session:
        assigned = assign_from_bucket(
            session, actor_id=olivia, leads=[LeadRef(lead.id, lead.version)], user_id=sam
        )
    with database.write() as session:
        set_office_manager(session, ada, office_id(database), olivia, office_manager=False)
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: undo_batch(s, actor_id=olivia, batch_id=assigned.batch_id),
        match="Olivia Office no longer has a manager right over Sam Field",
    )
    with database.write() as session:
        set_office_manager(session, ada, office_id(database), olivia, office_manager=True)
    with database.write() as session:
        assert undo_batch(session, actor_id=olivia, batch_id=assigned.batch_id).moved == 1


# -- item 4: never a move to where the lead already is ----------------------------------------


def test_leads_already_at_the_target_are_left_out_of_the_pass(database):
    maria, jane = _ids(database, "Maria Manager", "Jane Doe")
    johns, janes = leads_of(database, "John Smith")[:2], leads_of(database, "Jane Doe")[:2]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads(_refs(johns + janes)),
            target=Target.user(jane),
            note="to Jane",
        )
    assert result.moved == 2
    with database.read() as session:
        history = list(session.scalars(select(PassHistory.lead_id)))
        outbox = list(session.execute(select(OutboxMessage.recipient_id, OutboxMessage.lead_count)))
        versions = [session.get(Lead, lead.id).version for lead in janes]
    assert sorted(history) == sorted(lead.id for lead in johns)
    assert [tuple(row) for row in outbox] == [(jane, 2)]
    assert versions == [lead.version for lead in janes]


def test_when_every_selected_lead_is_already_there_nothing_happens(database):
    maria, jane = _ids(database, "Maria Manager", "Jane Doe")
    janes = leads_of(database, "Jane Doe")
    assert_refused(
        database,
        InvalidInputError,
        lambda s: pass_leads(
            s, actor_id=maria, selection=Selection.of_leads(_refs(janes)), target=Target.user(jane)
        ),
        match=f"^All {len(janes)} selected leads are already with Jane Doe; nothing was passed.$",
    )


# -- item 4: the command line pins what it checked (PostgreSQL interleaving) -----------------


@pytest.fixture
def other(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_pass_lead_on_the_command_line_conflicts_when_the_lead_moved_after_its_check(
    db_url, database, other, capsys
):
    """Between the command's checks and its UPDATE, an admin passes the lead to Victor
    (whom Maria does not manage). The command must not take it from Victor."""
    ada, victor = _ids(database, "Ada Admin", "Victor Outside")
    lead = leads_of(database, "John Smith")[0]
    moved_meanwhile: list[int] = []

    def move_it_first(_conn, _cursor, statement, _params, _context, _many):
        if "UPDATE leads" in statement and not moved_meanwhile:
            moved_meanwhile.append(1)
            with other.write() as session:
                pass_leads(
                    session,
                    actor_id=ada,
                    selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
                    target=Target.user(victor),
                )

    event.listen(Engine, "before_cursor_execute", move_it_first)
    try:
        code = main(_pass_lead_to_jane(db_url, lead.id))
    finally:
        event.remove(Engine, "before_cursor_execute", move_it_first)
    err = capsys.readouterr().err
    assert moved_meanwhile
    assert code == 1
    assert err.startswith("leaddesk: error: 1 of the 1 leads were changed by someone else"), err
    with database.read() as session:
        assert session.get(Lead, lead.id).owner_id == victor
        trail = list(
            session.execute(
                select(PassHistory.from_owner_id, PassHistory.to_owner_id).where(
                    PassHistory.lead_id == lead.id
                )
            )
        )
    assert [tuple(row) for row in trail] == [(user_id(database, "John Smith"), victor)]


# -- item 4: deadlocks are retried with jitter, then one line ---------------------------------


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_real_deadlock_is_retried_and_the_pass_goes_through(database, other):
    """The pass holds its share lock on Jane and needs John's lead; another transaction
    holds that lead and wants Jane's row. PostgreSQL ends the pass (it waits first and its
    deadlock check fires first); the retry then goes through once the other commits. The
    retry is held until then, so it cannot grab Jane's row ahead of the other's UPDATE and
    deadlock a second time."""
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    lead = leads_of(database, "John Smith")[0]
    retries: list[str] = []
    holder = other.engine.connect()
    transaction = holder.begin()
    holder.exec_driver_sql("SET deadlock_timeout = '10s'")
    holder.exec_driver_sql(f"UPDATE leads SET phone = phone WHERE id = {lead.id}")

    def work(session):
        return pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.user(jane),
        )

    other_committed = threading.Event()

    def on_retry(attempt, exc):
        retries.append(exc.orig.sqlstate)
        other_committed.wait(30)

    thread, outcome = in_thread(lambda: write_with_retry(database, work, on_retry=on_retry))
    wait_until(lambda: lock_waiters(other) >= 1)  # the pass waits for the lead
    locker, waiter = in_thread(
        lambda: holder.exec_driver_sql(f"UPDATE users SET name = name WHERE id = {jane}")
    )
    wait_until(lambda: bool(retries))  # deadlock: the pass was chosen and will retry
    locker.join(timeout=30)
    assert "error" not in waiter, waiter
    transaction.commit()
    holder.close()
    other_committed.set()
    thread.join(timeout=60)
    assert retries == ["40P01"]
    assert outcome["result"].moved == 1, outcome
    with database.read() as session:
        assert session.get(Lead, lead.id).owner_id == jane
        assert (
            session.scalar(select(PassHistory.from_owner_id).where(PassHistory.lead_id == lead.id))
            == john
        )


def _failing_statement(backend):
    if backend == "postgresql":
        return psycopg.errors.DeadlockDetected("deadlock detected")
    return sqlite3.OperationalError("database is locked")


def test_a_database_that_stays_busy_gives_one_line_and_changes_nothing(
    backend, db_url, database, capsys
):
    lead = leads_of(database, "John Smith")[0]
    tries: list[int] = []

    def always_busy(_conn, _cursor, statement, _params, _context, _many):
        if "UPDATE leads" in statement:
            tries.append(1)
            raise _failing_statement(backend)

    before = full_snapshot(database)
    event.listen(Engine, "before_cursor_execute", always_busy)
    try:
        code = main(_pass_lead_to_jane(db_url, lead.id))
    finally:
        event.remove(Engine, "before_cursor_execute", always_busy)
    assert (code, capsys.readouterr().err) == (1, f"leaddesk: error: {BUSY_MESSAGE}\n")
    # PostgreSQL tries a bounded number of times; SQLite has already waited its timeout.
    assert len(tries) == (5 if backend == "postgresql" else 1)
    assert full_snapshot(database) == before
