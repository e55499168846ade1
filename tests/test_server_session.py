"""How LeadDesk's sessions on a PostgreSQL server are set up: without JIT compilation, both
the window's and commands' connections and a replica's sync connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leaddesk.offline.server_link import connect_server

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]


def test_leaddesk_sessions_run_without_jit(database, db_url) -> None:
    # The test cluster compiles with JIT when a statement's estimated cost is high enough;
    # a LeadDesk session must not (a misestimated pass statement took 0.45 s to compile).
    with database.engine.connect() as connection:
        assert (
            connection.scalar(text("SELECT setting FROM pg_settings WHERE name = 'jit'")) == "off"
        )
        # (pg_jit_available answers for this session: only with JIT turned back on does it
        # say whether the server could compile at all.)
        connection.execute(text("SET jit = on"))
        available = connection.scalar(text("SELECT pg_jit_available()"))
        connection.rollback()
    sync = connect_server(make_url(db_url))
    try:
        with sync.read() as session:
            assert session.scalar(text("SHOW jit")) == "off"
    finally:
        sync.dispose()
    # Were JIT not available at all, "off" would prove nothing about the sessions' option.
    assert available is True
