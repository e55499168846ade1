"""Deterministic interleavings of two transactions on SQLite and PostgreSQL.

The test holds one write transaction open at the critical point, starts the other operation
on its own engine in a thread, and waits until that operation is *blocked behind* the first
before committing. "Blocked" is observed, never guessed with a sleep:

- PostgreSQL: a watcher connection sees a session of this database waiting for a lock in
  ``pg_stat_activity``.
- SQLite: the second engine has sent ``BEGIN IMMEDIATE``, which cannot return before the
  first transaction ends (one writer at a time), so nothing it reads can predate the commit.

If the second operation finishes instead of waiting, the wait ends too and the test's own
assertions say what went wrong (that is how these tests fail without the locks).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import event, text

from leaddesk.store.database import Database, open_database


@pytest.fixture
def engines(db_url: str) -> Iterator[tuple[Database, Database, Database]]:
    """Three engines on one database (own pools, own connections): the first
    transaction's, the second's, and a watcher that sees PostgreSQL's lock waits
    (a fixture: ``tests/conftest.py`` loads this module as a plugin)."""
    opened = [open_database(db_url) for _ in range(3)]
    yield opened[0], opened[1], opened[2]
    for database in opened:
        database.dispose()


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    """Run ``call`` in a daemon thread; the outcome dict gets "result" or "error"."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except Exception as exc:  # reported to the test thread, which asserts on it
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the other transaction")
        time.sleep(0.01)  # polling interval, not a fixed wait


def lock_waiters(watcher: Database) -> int:
    """Sessions of this PostgreSQL database waiting for a lock right now."""
    with watcher.read() as session:
        return session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


@dataclass
class Behind:
    """The second operation, started behind an open transaction."""

    thread: threading.Thread
    outcome: dict[str, object]
    # Whether it was still waiting when the first transaction was about to commit.
    was_blocked: bool

    def finish(self) -> dict[str, object]:
        """Wait for it to end (after the caller committed); its "result" or "error"."""
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the second operation never finished"
        return self.outcome


def start_behind(second: Database, watcher: Database, work: Callable[[], object]) -> Behind:
    """Call inside an open write transaction: run ``work`` on ``second`` in a thread and
    return once it waits behind that transaction (or has already finished)."""
    if second.is_sqlite:
        began = threading.Event()

        def spot_begin(_conn, _cursor, statement, _params, _context, _many) -> None:
            if statement == "BEGIN IMMEDIATE":
                began.set()

        event.listen(second.engine, "before_cursor_execute", spot_begin)
        try:
            thread, outcome = in_thread(work)
            wait_until(lambda: began.is_set() or not thread.is_alive())
        finally:
            event.remove(second.engine, "before_cursor_execute", spot_begin)
    else:
        thread, outcome = in_thread(work)
        wait_until(lambda: lock_waiters(watcher) >= 1 or not thread.is_alive())
    return Behind(thread, outcome, was_blocked=thread.is_alive())
