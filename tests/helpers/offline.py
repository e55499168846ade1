"""Fixtures for offline work: a shared server (PostgreSQL, set up with personal logins) on a
cluster of the test's own, which a test can stop ("offline") and start again, and replicas
of it (SQLite files) for the demo people.

The cluster is per module: stopping the session's shared cluster would break other tests.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from leaddesk.cli import main
from leaddesk.offline import create_replica
from tests.helpers.databases import PostgresFactory
from tests.helpers.postgres import Cluster, start_cluster
from tests.helpers.server import DEMO_LOGINS, ServerDatabase, ensure_login, set_up_server


@pytest.fixture(scope="module")
def field_cluster() -> Iterator[tuple[Cluster, PostgresFactory]]:
    cluster = start_cluster(durable=True)
    if cluster is None:
        if os.environ.get("LEADDESK_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL is required (LEADDESK_REQUIRE_PG=1) but not available")
        pytest.skip("no PostgreSQL server binaries")
    factory = PostgresFactory(cluster.admin_url)
    for login in DEMO_LOGINS:
        ensure_login(factory.admin, login)
    yield cluster, factory
    factory.dispose()
    cluster.stop()


@pytest.fixture
def field_server(
    backend: str, field_cluster: tuple[Cluster, PostgresFactory]
) -> Iterator[ServerDatabase]:
    """A fresh demo database on the module's cluster, set up as a shared server (the
    server is PostgreSQL by nature; its replicas are SQLite files)."""
    assert backend == "postgresql"
    _cluster, factory = field_cluster
    url = factory.create(demo=True)
    server = set_up_server(url)
    yield server
    server.dispose()
    factory.admin.dispose()  # the cluster may have been restarted: no stale connections
    factory.drop(url)


@pytest.fixture
def make_replica(field_server: ServerDatabase, tmp_path: Path) -> Callable[[str], str]:
    """``make_replica("maria")``: a replica for that login's person; returns its path."""

    def make(login: str) -> str:
        path = tmp_path / f"{login}-replica.sqlite3"
        create_replica(field_server.url(login), str(path), actor=None)
        return str(path)

    return make


def server_rows(server: ServerDatabase, sql: str, **params: object) -> list[tuple]:
    with server.raw("postgres") as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def lead_named(server: ServerDatabase, name: str) -> int:
    return int(server.owner_scalar("SELECT id FROM leads WHERE name = :n", n=name))  # type: ignore[arg-type]


def pass_as_admin(server: ServerDatabase, lead_id: int, to_user: str) -> None:
    """Meanwhile, on the server: Ada Admin passes the lead (the command line, her login)."""
    command = ["pass", "--db", server.url("ada"), "--lead", str(lead_id), "--to-user", to_user]
    assert main(command) == 0


def owner_on_server(server: ServerDatabase, lead_id: int) -> str | None:
    return server.owner_scalar(  # type: ignore[return-value]
        "SELECT coalesce(u.name, o.name, g.name) FROM leads l"
        " LEFT JOIN users u ON u.id = l.owner_id LEFT JOIN offices o ON o.id = l.bucket_office_id"
        " LEFT JOIN pass_groups g ON g.id = l.bucket_group_id WHERE l.id = :id",
        id=lead_id,
    )


def owner_on_replica(path: str, lead_id: int) -> str | None:
    with sqlite3.connect(path) as connection:
        row = connection.execute(
            "SELECT coalesce(u.name, o.name, g.name) FROM leads l"
            " LEFT JOIN users u ON u.id = l.owner_id"
            " LEFT JOIN offices o ON o.id = l.bucket_office_id"
            " LEFT JOIN pass_groups g ON g.id = l.bucket_group_id WHERE l.id = ?",
            (lead_id,),
        ).fetchone()
    return row[0] if row else None


def replica_scalar(path: str, sql: str, *params: object) -> object:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, params).fetchone()[0]


def back_online(cluster: Cluster, server: ServerDatabase) -> None:
    """Start the server again; connections held from before the stop are dropped."""
    cluster.resume()
    server.dispose()


def server_view(server: ServerDatabase, person: str) -> set[tuple]:
    """The leads a (non-administrator) person sees on the server, as the rules say."""
    rows = server_rows(
        server,
        "WITH me AS (SELECT id FROM users WHERE name = :p)"
        " SELECT l.id, l.owner_id, l.bucket_office_id, l.bucket_group_id, l.version FROM leads l"
        " WHERE l.owner_id = (SELECT id FROM me)"
        " OR l.owner_id IN (SELECT user_id FROM manager_rights"
        "   WHERE manager_id = (SELECT id FROM me))"
        " OR l.bucket_office_id IN (SELECT office_id FROM office_members"
        "   WHERE user_id = (SELECT id FROM me) AND is_office_manager)"
        " OR l.bucket_group_id IN (SELECT group_id FROM pass_group_members"
        "   WHERE user_id = (SELECT id FROM me))",
        p=person,
    )
    return set(rows)


def replica_view(path: str) -> set[tuple]:
    with sqlite3.connect(path) as connection:
        return set(
            connection.execute(
                "SELECT id, owner_id, bucket_office_id, bucket_group_id, version FROM leads"
            )
        )
