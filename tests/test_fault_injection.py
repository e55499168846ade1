"""All or nothing, whichever statement fails: a pass, a bucket assignment, an offboarding,
an undo, a lead import (new leads, and a second import that updates them and moves their
owners) and an outbox send are interrupted at each of their statements in turn (a
``before_cursor_execute`` hook raises on the k-th; k runs from 1 until the operation
completes), and a big pass is killed with SIGKILL in the middle, on SQLite and PostgreSQL.

After every interruption the checksums of leads, users, rights, batches, history, notes,
outbox and audit log equal those from before. Sending email spans several short
transactions and a conversation with the SMTP server, so "nothing lost, nothing twice" is
checked instead: after a later send every queued email went out, each outbox row under its
own Message-ID, and a repeat only where the interruption fell after the server's 250.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from leaddesk.data_io.lead_import import ImportOptions, OnDuplicate, import_leads
from leaddesk.notify.sender import send_queued
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import Lead, OutboxMessage, PassHistory, utc_now
from tests.helpers.checksums import table_checksums
from tests.helpers.demo_names import group_id, lead_by_name, leads_of, office_id, user_id
from tests.helpers.engine_checks import add_user_with_leads
from tests.helpers.smtp_server import running_smtp_server


class InjectedFault(RuntimeError):
    """Raised by the hook in place of the k-th statement."""


def _injected(exc: BaseException) -> bool:
    return isinstance(exc, InjectedFault) or isinstance(getattr(exc, "orig", None), InjectedFault)


@contextmanager
def failing_statement(database: Database, k: int) -> Iterator[list[int]]:
    """Make the k-th statement sent through this engine raise; yields a counter."""
    seen = [0]

    def hook(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen[0] += 1
        if seen[0] == k:
            raise InjectedFault(f"injected failure at statement {k}: {statement[:60]}")

    event.listen(database.engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", hook)


def interrupt_at_every_statement(
    database: Database, name: str, operation: Callable[[Session], object]
) -> object:
    """Run ``operation`` in a write transaction failing at statement 1, 2, ... ; after each
    failure nothing may have changed. Returns the result of the run that completed."""
    before = table_checksums(database)
    k = 0
    while True:
        k += 1
        failure: BaseException | None = None
        with failing_statement(database, k) as seen:
            try:
                with database.write() as session:
                    result = operation(session)
            except Exception as exc:
                failure = exc
        if failure is None:
            assert seen[0] < k, "the operation completed although its statement failed"
            # The README's figures (pytest -s shows them).
            print(f"{name} on {database.url.get_backend_name()}: {k - 1} interruption points")
            assert k - 1 >= 3, "too few statements seen; is the hook on the right engine?"
            return result
        assert _injected(failure), failure
        assert table_checksums(database) == before, f"{name}: statement {k} left changes behind"


def test_a_pass_is_all_or_nothing_at_every_statement(database):
    maria, john = user_id(database, "Maria Manager"), user_id(database, "John Smith")
    result = interrupt_at_every_statement(
        database,
        "pass",
        lambda s: pass_leads(
            s,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.office(office_id(database)),
            note="to the office",
        ),
    )
    assert result.moved == 3 and result.notifications == 1
    undone = interrupt_at_every_statement(
        database, "undo", lambda s: undo_batch(s, actor_id=maria, batch_id=result.batch_id)
    )
    assert undone.moved == 3 and len(leads_of(database, "John Smith")) == 3


def test_a_bucket_assignment_is_all_or_nothing_at_every_statement(database):
    olivia, sam = user_id(database, "Olivia Office"), user_id(database, "Sam Field")
    lead = lead_by_name(database, "Walk-in: Corner Florist website")
    result = interrupt_at_every_statement(
        database,
        "assign",
        lambda s: assign_from_bucket(
            s, actor_id=olivia, leads=[LeadRef(lead.id, lead.version)], user_id=sam, note="yours"
        ),
    )
    assert result.moved == 1 and result.notifications == 1


def test_an_offboarding_is_all_or_nothing_at_every_statement(database):
    ada, jane = user_id(database, "Ada Admin"), user_id(database, "Jane Doe")
    result = interrupt_at_every_statement(
        database,
        "offboard",
        lambda s: offboard_user(
            s, actor_id=ada, user_id=jane, target=Target.group(group_id(database)), note="left"
        ),
    )
    assert result.moved == 4 and leads_of(database, "Jane Doe") == []


SALESFORCE_EXPORT = (
    Path(__file__).parent / "fixtures" / "crm" / "salesforce_leads.csv"
).read_bytes()
SALESFORCE_STATUSES = {
    "Open - Not Contacted": "LEAD",
    "Working - Contacted": "OPPORTUNITY",
    "Closed - Converted": "WON",
}


def _importing(database: Database, data: bytes, **options: object) -> Callable[[Session], object]:
    ada = user_id(database, "Ada Admin")

    def run(session: Session) -> object:
        return import_leads(
            session,
            actor_id=ada,
            data=data,
            source_name="export.csv",
            options=ImportOptions(status_map=SALESFORCE_STATUSES, **options),  # type: ignore[arg-type]
        )

    return run


def test_a_lead_import_is_all_or_nothing_at_every_statement(database):
    first = interrupt_at_every_statement(
        database, "import", _importing(database, SALESFORCE_EXPORT)
    )
    assert first.imported == 4 and first.problems == []
    # The same export again, updating every lead and moving the owners (through the
    # controller's move, inside the import batch): still all or nothing.
    changed = SALESFORCE_EXPORT.replace(b"John Smith", b"Jane Doe")
    again = interrupt_at_every_statement(
        database,
        "import update",
        _importing(database, changed, on_duplicate=OnDuplicate.UPDATE, update_owner=True),
    )
    assert again.owners_changed >= 1 and again.problems == []


def _queue_two_emails(database: Database) -> None:
    maria, olivia = user_id(database, "Maria Manager"), user_id(database, "Olivia Office")
    john, jane, sam = (user_id(database, n) for n in ("John Smith", "Jane Doe", "Sam Field"))
    lead = lead_by_name(database, "Walk-in: Corner Florist website")
    with database.write() as session:
        pass_leads(
            session, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
        )
        assign_from_bucket(
            session, actor_id=olivia, leads=[LeadRef(lead.id, lead.version)], user_id=sam
        )


def test_an_outbox_send_interrupted_at_every_statement_loses_nothing(make_db_url, backend):
    later = utc_now() + timedelta(hours=2)  # past any backoff and the stale-claim limit
    with running_smtp_server() as smtp:
        k = 0
        while True:
            k += 1
            database = open_database(make_db_url())
            try:
                _queue_two_emails(database)
                with database.read() as session:
                    rows = session.scalar(select(func.count()).select_from(OutboxMessage))
                smtp.handler.received.clear()
                failure: BaseException | None = None
                with failing_statement(database, k) as seen:
                    try:
                        send_queued(database, smtp.settings(), None, sender_id=f"first-{k}")
                    except Exception as exc:
                        failure = exc
                if failure is None:
                    assert seen[0] < k
                    print(f"outbox send on {backend}: {k - 1} interruption points")
                    assert len(smtp.handler.received) == rows == 2
                    return
                assert _injected(failure), failure
                with database.read() as session:
                    states = set(session.scalars(select(OutboxMessage.status)))
                assert states <= {"queued", "sending", "sent"}, states
                # A later sender (after the stale-claim limit) finishes the job.
                send_queued(database, smtp.settings(), None, sender_id=f"later-{k}", now=later)
                with database.read() as session:
                    assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}
                ids = [message["Message-ID"] for message in smtp.handler.messages()]
                assert len(set(ids)) == rows, ids  # every row went out under its own id
                assert len(ids) - rows <= 1, ids  # at most the one cut off after its 250
            finally:
                database.dispose()


@pytest.mark.slow
def test_a_big_pass_killed_mid_transaction_leaves_nothing(database, db_url, repo_root):
    source = add_user_with_leads(database, "Big Owner", 5000, "Maria Manager")
    jane = user_id(database, "Jane Doe")
    before = table_checksums(database)
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.paused_pass", db_url, "Big Owner", "Jane Doe"],
        cwd=repo_root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "MOVED", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert table_checksums(database) == before
    with database.read() as session:
        assert session.scalar(select(func.count()).where(Lead.owner_id == source)) == 5000
    # Nothing is left locked: the same pass now goes through.
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=user_id(database, "Ada Admin"),
            selection=Selection.all_of_user(source),
            target=Target.user(jane),
        )
    assert result.moved == 5000
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(PassHistory)) == 5000
