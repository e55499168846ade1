"""Pooled server connections are checked without a round trip per use (PostgreSQL).

``pool_pre_ping`` pinged the server before every read and every pass. Now a connection used
a moment ago goes straight to work; one the server has closed meanwhile (a restart, a
terminated backend, a proxy cutting it) is replaced before use, without an error; one idle
for long is pinged. A server that is gone is still reported as unreachable (the offline
switch's tests: tests/test_offline_*.py, tests/ui/test_offline_*.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from leaddesk.store import database as database_module
from leaddesk.store.database import Database, open_database

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has no pool to check


@pytest.fixture
def pings(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ping the engine sends (the real ping still runs)."""
    sent: list[object] = []
    ping = database.engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        sent.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(database.engine.dialect, "do_ping", counted)
    return sent


@pytest.fixture
def other(db_url: str) -> Iterator[Database]:
    second = open_database(db_url, migrate=False)
    yield second
    second.dispose()


def _backend_pid(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")))


def test_a_connection_used_a_moment_ago_is_not_pinged(database, pings):
    first = _backend_pid(database)
    second = _backend_pid(database)
    with database.write() as session:
        session.execute(text("SELECT 1"))
    assert second == first  # the same pooled connection, reused
    assert pings == []


def test_a_connection_the_server_closed_is_replaced_before_use(database, pings, other):
    before = _backend_pid(database)
    with other.read() as session:
        # Waits (up to 5 s) until that backend has exited, which closes its socket.
        assert session.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": before})
    after = _backend_pid(database)  # no error: the closed connection was never used
    assert after != before
    assert len(pings) == 1


def test_a_connection_idle_for_long_is_pinged(database, pings, monkeypatch):
    _backend_pid(database)
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(database)
    assert len(pings) == 1
