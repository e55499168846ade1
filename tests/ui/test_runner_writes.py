"""The runner's write lane goes through the controller's retrying write path: a deadlock
reruns the operation; a database that stays busy is one sentence in the window."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import event

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.reassignment.retry import BUSY_MESSAGE
from leaddesk.ui.common.operations import OperationRunner
from tests.helpers.checksums import table_checksums
from tests.helpers.demo_names import leads_of, user_id


def _busy_error(database):
    if database.is_sqlite:
        return sqlite3.OperationalError("database is locked")
    return psycopg.errors.DeadlockDetected("deadlock detected")


def _pass_johns_leads(database):
    maria, john, jane = (user_id(database, n) for n in ("Maria Manager", "John Smith", "Jane Doe"))
    return lambda session: pass_leads(
        session, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
    )


def _fail_moves(database, times):
    failures = []

    def hook(_conn, _cursor, statement, _params, _context, _many):
        if "UPDATE leads" in statement and len(failures) < times:
            failures.append(statement)
            raise _busy_error(database)

    event.listen(database.engine, "before_cursor_execute", hook)
    return hook, failures


def test_a_database_that_stays_busy_is_one_sentence_and_changes_nothing(qtbot, database):
    runner = OperationRunner(database)
    before = table_checksums(database)
    hook, _failures = _fail_moves(database, times=100)
    errors: list[str] = []
    try:
        runner.run(
            _pass_johns_leads(database), on_error=lambda message, _exc: errors.append(message)
        )
        qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
        runner.wait_idle()
    finally:
        event.remove(database.engine, "before_cursor_execute", hook)
    assert errors == [BUSY_MESSAGE]
    assert table_checksums(database) == before


# SQLite has waited out its busy timeout already when it says "locked": no retry there.
@pytest.mark.parametrize("backend", ["postgresql"])
def test_one_deadlock_is_retried_and_the_pass_goes_through(qtbot, database):
    runner = OperationRunner(database)
    hook, failures = _fail_moves(database, times=1)
    results = []
    try:
        runner.run(_pass_johns_leads(database), on_success=results.append)
        qtbot.waitUntil(lambda: bool(results), timeout=20_000)
        runner.wait_idle()
    finally:
        event.remove(database.engine, "before_cursor_execute", hook)
    assert len(failures) == 1
    assert results[0].moved == 3
    assert leads_of(database, "John Smith") == []
