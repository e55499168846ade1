"""The controller's write path: one transaction, run again when the database asks for it.

On PostgreSQL two transactions that lock the same rows in different orders (a pass, an
offboarding, a revocation, an undo) can deadlock, and the server ends one of them with
40P01 (or 40001, a serialization failure). Nothing of that transaction was committed, so it
is safe to run the whole unit of work again from the start, after a short random pause so
the two do not collide again in step. After a bounded number of tries the user gets one
line. On SQLite the driver has already waited out its busy timeout, so "locked" gives up
at once.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leaddesk.errors import DatabaseBusyError
from leaddesk.store.database import Database

T = TypeVar("T")

ATTEMPTS = 5
# The pause before try n is uniform in [0, BASE * 2**n) seconds: 0.1, 0.2, 0.4, 0.8 at most.
PAUSE_BASE = 0.05
BUSY_MESSAGE = "The database is busy; try again."
_RETRYABLE_SQLSTATES = {"40P01", "40001"}


def is_retryable(exc: DBAPIError) -> bool:
    """A deadlock or serialization failure: the transaction was rolled back and may rerun."""
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


def is_locked(exc: DBAPIError) -> bool:
    """SQLite gave up waiting for another writer."""
    return isinstance(exc.orig, sqlite3.OperationalError) and (
        "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)
    )


def write_with_retry(
    database: Database,
    work: Callable[[Session], T],
    *,
    attempts: int = ATTEMPTS,
    on_retry: Callable[[int, DBAPIError], None] | None = None,
) -> T:
    """Run ``work`` in a write transaction and commit; rerun it on a deadlock.

    ``work`` must do all its reading inside the session it is given (it may run more than
    once). ``on_retry(attempt, error)`` is told about each failed try that will be retried.
    """
    for attempt in range(1, attempts + 1):
        try:
            with database.write() as session:
                return work(session)
        except DBAPIError as exc:
            if is_locked(exc):
                raise DatabaseBusyError(BUSY_MESSAGE) from exc
            if not is_retryable(exc):
                raise
            if attempt == attempts:
                raise DatabaseBusyError(BUSY_MESSAGE) from exc
            if on_retry is not None:
                on_retry(attempt, exc)
            time.sleep(random.uniform(0, PAUSE_BASE * 2**attempt))
    raise AssertionError("unreachable: the loop returns or raises")
