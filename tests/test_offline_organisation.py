"""What a sync brings besides leads: the organisation (re-read only when it changed, with the
buckets' rules and waiting limits), and leads deleted on the server (tombstones)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import ProgrammingError

from leaddesk.offline import sync_replica
from leaddesk.store.database import open_database
from leaddesk.store.models import User
from leaddesk.store.queries import visible_buckets
from tests.helpers.offline import (
    lead_named,
    owner_on_replica,
    pass_as_admin,
    replica_scalar,
    server_rows,
)

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]

HARBOR = "Harbor Logistics renewal"  # John Smith's; Maria manages John
ORGANISATION_READS = tuple(
    f"SELECT {table}."
    for table in (
        "users",
        "offices",
        "pass_groups",
        "statuses",
        "manager_rights",
        "office_members",
        "pass_group_members",
        "bucket_rules",
    )
)


@contextmanager
def server_statements() -> Iterator[list[str]]:
    """Every statement sent to PostgreSQL inside the block (the sync's own engine)."""
    seen: list[str] = []

    def record(conn, _cursor, statement: str, *_args: object) -> None:
        if conn.dialect.name == "postgresql":
            seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def organisation_reads(statements: list[str]) -> list[str]:
    """Whole-table reads of the organisation (the view's own look-ups name a person)."""
    return [s for s in statements if s.startswith(ORGANISATION_READS) and " WHERE " not in s]


def owner_sql(server, sql: str, **params: object) -> None:
    with server.raw("postgres") as connection:
        connection.execute(text(sql), params)
        connection.commit()


def test_a_sync_of_one_changed_lead_does_not_read_the_organisation_again(
    field_server, make_replica
) -> None:
    replica = make_replica("maria")
    harbor = lead_named(field_server, HARBOR)
    pass_as_admin(field_server, harbor, "Sam Field")
    with server_statements() as statements:
        report = sync_replica(replica)
    assert (report.leads_changed, report.full_refresh) == (1, False)
    assert organisation_reads(statements) == []
    assert owner_on_replica(replica, harbor) == "Sam Field"
    # An office renamed on the server: the next sync reads the organisation, and only then.
    owner_sql(
        field_server, "UPDATE offices SET name = 'Harbour Office' WHERE name = 'Downtown Office'"
    )
    with server_statements() as statements:
        sync_replica(replica)
    assert len(organisation_reads(statements)) == len(ORGANISATION_READS)
    assert (
        replica_scalar(replica, "SELECT count(*) FROM offices WHERE name = 'Harbour Office'") == 1
    )
    with server_statements() as statements:
        sync_replica(replica)
    assert organisation_reads(statements) == []


def test_waiting_limits_are_copied_and_shown_in_the_buckets_offline(
    field_server, make_replica
) -> None:
    owner_sql(
        field_server,
        "INSERT INTO bucket_rules (office_id, rule, auto, waiting_limit_minutes)"
        " SELECT id, 'manual', false, 90 FROM offices WHERE name = 'Downtown Office'",
    )
    replica = make_replica("olivia")

    def limits() -> dict[str, int | None]:
        database = open_database(replica)
        try:
            with database.read() as session:
                olivia = session.query(User).filter_by(name="Olivia Office").one()
                return {b.name: b.waiting_limit_minutes for b in visible_buckets(session, olivia)}
        finally:
            database.dispose()

    assert limits()["Downtown Office"] == 90
    # Changed on the server: the next sync brings it.
    owner_sql(field_server, "UPDATE bucket_rules SET waiting_limit_minutes = 30")
    sync_replica(replica)
    assert limits()["Downtown Office"] == 30
    owner_sql(field_server, "DELETE FROM bucket_rules")
    sync_replica(replica)
    assert limits()["Downtown Office"] is None


def test_a_lead_deleted_on_the_server_leaves_the_replica_on_an_incremental_pull(
    field_server, make_replica
) -> None:
    replica = make_replica("maria")
    harbor = lead_named(field_server, HARBOR)
    assert owner_on_replica(replica, harbor) == "John Smith"
    owner_sql(field_server, "DELETE FROM leads WHERE id = :id", id=harbor)
    report = sync_replica(replica)
    assert report.full_refresh is False and report.leads_changed == 1
    assert owner_on_replica(replica, harbor) is None
    assert (
        replica_scalar(replica, "SELECT count(*) FROM pass_history WHERE lead_id = ?", harbor) == 0
    )


def test_tombstones_are_written_by_the_database_and_hidden_from_logins(field_server) -> None:
    harbor = lead_named(field_server, HARBOR)
    owner_sql(field_server, "DELETE FROM leads WHERE id = :id", id=harbor)
    # The trigger, not LeadDesk's code, left the tombstone, stamped with the deleting
    # transaction (the same stamp a written lead gets).
    [(lead_id, stamp)] = server_rows(
        field_server, "SELECT lead_id, change_seq FROM lead_tombstones"
    )
    assert lead_id == harbor and stamp > 0
    # An ordinary login can neither read nor write tombstones with raw SQL.
    for sql in (
        "SELECT * FROM lead_tombstones",
        "INSERT INTO lead_tombstones (lead_id, change_seq) VALUES (999999, 1)",
        "DELETE FROM lead_tombstones",
    ):
        with field_server.raw("maria") as connection, pytest.raises(ProgrammingError):
            connection.execute(text(sql))
    assert server_rows(field_server, "SELECT lead_id FROM lead_tombstones") == [(harbor,)]
