"""The database itself refuses what the rules refuse: raw SQL as ordinary logins.

Each attempt is what a person could type at psql connected as their own login. It must fail
(an error) or touch nothing (zero rows), and every table must be exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from leaddesk.cli import main
from tests.helpers.server import ServerDatabase, ensure_login, set_up_server

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]

LOGINS = ["maria", "olivia", "victor"]

# Who each demo login may see: their own leads, the leads of users they manage, and the
# buckets they see (Olivia manages the Downtown Office; Maria is only a member of it).
VISIBLE_OWNERS = {
    "maria": {"Maria Manager", "John Smith", "Jane Doe", "Sam Field"},
    "olivia": {"Olivia Office", "Sam Field"},
    "victor": {"Victor Outside"},
}
VISIBLE_OFFICE_BUCKETS = {"maria": set(), "olivia": {"Downtown Office"}, "victor": set()}


@pytest.fixture
def server(make_db_url, postgres_factory) -> Iterator[ServerDatabase]:
    for login in ("maria", "olivia", "victor", "ada"):
        ensure_login(postgres_factory.admin, login)
    server = set_up_server(make_db_url())
    # Someone else's activity for the logins to try to reach: Ada passes Pat's lead into
    # the Inbound Team bucket (seen only by its members) with a note, and an audit entry.
    assert (
        main(
            [
                "pass",
                "--db",
                server.url("ada"),
                "--lead",
                str(lead_id(server, "Inbound: Starlight Cinema ads")),
                "--to-group",
                "Inbound Team",
                "--note",
                "private to the Inbound Team",
            ]
        )
        == 0
    )
    assert main(["office", "add", "Uptown Office", "--db", server.url("ada")]) == 0
    yield server
    server.dispose()


def lead_id(server: ServerDatabase, name: str) -> int:
    return int(server.owner_scalar("SELECT id FROM leads WHERE name = :n", n=name))  # type: ignore[arg-type]


def user_id(server: ServerDatabase, name: str) -> int:
    return int(server.owner_scalar("SELECT id FROM users WHERE name = :n", n=name))  # type: ignore[arg-type]


def refused(server: ServerDatabase, login: str, sql: str, **params: object) -> None:
    """``sql`` as ``login`` fails or changes no row, and no table changed."""
    before = server.snapshot()
    with server.raw(login) as connection:
        try:
            result = connection.execute(text(sql), params)
        except DBAPIError as exc:
            message = str(exc.orig).lower()
            assert "permission denied" in message or "row-level security" in message, message
        else:
            assert result.rowcount == 0, f"{login}: {sql} changed {result.rowcount} row(s)"
            connection.commit()
    assert server.snapshot() == before, f"{login}: {sql} changed something"


@pytest.mark.parametrize("login", LOGINS)
def test_a_login_reads_only_the_leads_it_may_see(server, login):
    expected = set()
    with server.raw("postgres") as owner:
        for row in owner.execute(
            text(
                "SELECT l.id, u.name, o.name FROM leads l LEFT JOIN users u ON u.id = l.owner_id"
                " LEFT JOIN offices o ON o.id = l.bucket_office_id"
            )
        ):
            if row[1] in VISIBLE_OWNERS[login] or row[2] in VISIBLE_OFFICE_BUCKETS[login]:
                expected.add(row[0])
        total = owner.execute(text("SELECT count(*) FROM leads")).scalar()
    with server.raw(login) as connection:
        seen = set(connection.execute(text("SELECT id FROM leads")).scalars())
    assert seen == expected
    assert 0 < len(seen) < total


@pytest.mark.parametrize("login", LOGINS)
def test_notes_history_batches_and_emails_of_unseen_leads_stay_hidden(server, login):
    starlight = lead_id(server, "Inbound: Starlight Cinema ads")
    assert server.owner_scalar("SELECT count(*) FROM lead_notes WHERE lead_id = :i", i=starlight)
    with server.raw(login) as connection:
        for sql in (
            "SELECT count(*) FROM leads WHERE id = :i",
            "SELECT count(*) FROM lead_notes WHERE lead_id = :i",
            "SELECT count(*) FROM pass_history WHERE lead_id = :i",
            "SELECT count(*) FROM lead_notes WHERE body LIKE 'private%' AND :i > 0",
            "SELECT count(*) FROM pass_batches WHERE note LIKE 'private%' AND :i > 0",
            "SELECT count(*) FROM outbox WHERE :i > 0",
            "SELECT count(*) FROM audit_log WHERE :i > 0",
        ):
            assert connection.execute(text(sql), {"i": starlight}).scalar() == 0, sql


@pytest.mark.parametrize(
    ("login", "me", "stranger"),
    [
        ("maria", "Maria Manager", "Victor Outside"),
        ("olivia", "Olivia Office", "John Smith"),
        ("victor", "Victor Outside", "Jane Doe"),
    ],
)
def test_leads_out_of_reach_cannot_be_moved(server, login, me, stranger):
    unseen = lead_id(server, "Inbound: Starlight Cinema ads")
    refused(
        server,
        login,
        "UPDATE leads SET owner_id = :me, bucket_group_id = NULL WHERE id = :i",
        me=user_id(server, me),
        i=unseen,
    )
    refused(
        server,
        login,
        "UPDATE leads SET owner_id = :me, version = version + 1 WHERE owner_id = :other",
        me=user_id(server, me),
        other=user_id(server, stranger),
    )


@pytest.mark.parametrize(
    ("login", "lead", "target"),
    [
        ("maria", "Harbor Logistics renewal", "Victor Outside"),  # no right over Victor
        ("olivia", "Oakridge School tablets", "Maria Manager"),  # Maria: office member only
        ("victor", "Copperfield Mining safety kits", "Maria Manager"),
    ],
)
def test_a_lead_cannot_go_to_someone_the_login_may_not_pass_to(server, login, lead, target):
    refused(
        server,
        login,
        "UPDATE leads SET owner_id = :t, version = version + 1 WHERE id = :i",
        t=user_id(server, target),
        i=lead_id(server, lead),
    )


def test_inactive_users_are_never_targets(server):
    with server.raw("postgres") as owner:
        owner.execute(text("UPDATE users SET active = false WHERE name = 'Jane Doe'"))
        owner.commit()
    refused(
        server,
        "maria",
        "UPDATE leads SET owner_id = :t WHERE id = :i",
        t=user_id(server, "Jane Doe"),
        i=lead_id(server, "Harbor Logistics renewal"),
    )


def test_a_bucket_lead_goes_only_to_its_members_or_managed_users(server):
    florist = lead_id(server, "Walk-in: Corner Florist website")
    refused(
        server,
        "olivia",
        "UPDATE leads SET owner_id = :t, bucket_office_id = NULL WHERE id = :i",
        t=user_id(server, "Victor Outside"),
        i=florist,
    )
    # Maria is a member of the office but no office manager: she does not see its bucket.
    refused(
        server,
        "maria",
        "UPDATE leads SET owner_id = :t, bucket_office_id = NULL WHERE id = :i",
        t=user_id(server, "Maria Manager"),
        i=florist,
    )


@pytest.mark.parametrize("login", LOGINS)
def test_nothing_is_written_in_someone_elses_name(server, login):
    ada = user_id(server, "Ada Admin")
    ada_batch = int(server.owner_scalar("SELECT max(id) FROM pass_batches"))  # type: ignore[arg-type]
    own_lead = lead_id(
        server,
        {"maria": "Atlas Insurance office move", "olivia": "Downtown Deli catering"}.get(
            login, "Redwood Winery labels"
        ),
    )
    me = int(server.owner_scalar("SELECT id FROM users WHERE db_login = :l", l=login))  # type: ignore[arg-type]
    refused(
        server,
        login,
        "INSERT INTO pass_batches (actor_id, method, note, lead_count, created_at)"
        " VALUES (:a, 'command_line', 'forged', 0, now())",
        a=ada,
    )
    refused(
        server,
        login,
        "INSERT INTO pass_batches (actor_id, method, note, lead_count, created_at, db_login)"
        " VALUES (:a, 'command_line', 'forged', 0, now(), 'ada')",
        a=me,
    )
    refused(
        server,
        login,
        "INSERT INTO lead_notes (lead_id, author_id, body, created_at)"
        " VALUES (:l, :a, 'forged', now())",
        l=own_lead,
        a=ada,
    )
    refused(
        server,
        login,
        "INSERT INTO pass_history (batch_id, lead_id, to_owner_id, to_version)"
        " VALUES (:b, :l, :a, 9)",
        b=ada_batch,
        l=own_lead,
        a=ada,
    )
    refused(
        server,
        login,
        "INSERT INTO outbox (batch_id, recipient_id, recipient_email, kind, lead_count, status,"
        " attempts, next_attempt_at, created_at)"
        " VALUES (:b, :a, 'x@example.com', 'owner', 1, 'queued', 0, now(), now())",
        b=ada_batch,
        a=ada,
    )
    refused(
        server,
        login,
        "INSERT INTO audit_log (actor_id, action, detail, created_at)"
        " VALUES (:a, 'user.add', 'forged', now())",
        a=me,
    )


@pytest.mark.parametrize("login", LOGINS)
def test_an_undo_names_only_ones_own_batch(server, login):
    ada_batch = int(server.owner_scalar("SELECT max(id) FROM pass_batches"))  # type: ignore[arg-type]
    me = int(server.owner_scalar("SELECT id FROM users WHERE db_login = :l", l=login))  # type: ignore[arg-type]
    refused(
        server,
        login,
        "INSERT INTO pass_batches (actor_id, method, note, lead_count, created_at, db_login,"
        " undoes_id) VALUES (:a, 'undo', 'forged', 0, now(), :l, :b)",
        a=me,
        l=login,
        b=ada_batch,
    )


@pytest.mark.parametrize("login", LOGINS)
def test_a_login_writes_the_rows_of_its_own_batch(server, login):
    """The other side of the refusals above: each check lets the rightful row through."""
    own_lead = lead_id(
        server,
        {"maria": "Atlas Insurance office move", "olivia": "Downtown Deli catering"}.get(
            login, "Redwood Winery labels"
        ),
    )
    me = int(server.owner_scalar("SELECT id FROM users WHERE db_login = :l", l=login))  # type: ignore[arg-type]
    batch = "INSERT INTO pass_batches (actor_id, method, note, lead_count, created_at, db_login"
    with server.raw(login) as connection:
        mine = connection.execute(
            text(f"{batch}) VALUES (:a, 'command_line', 'mine', 1, now(), :l) RETURNING id"),
            {"a": me, "l": login},
        ).scalar_one()
        rows = [
            connection.execute(text(sql), {"a": me, "l": login, "b": mine, "lead": own_lead})
            for sql in (
                f"{batch}, undoes_id) VALUES (:a, 'undo', 'mine', 0, now(), :l, :b)",
                "INSERT INTO pass_history (batch_id, lead_id, to_owner_id, to_version)"
                " VALUES (:b, :lead, :a, 9)",
                "INSERT INTO outbox (batch_id, recipient_id, recipient_email, kind, lead_count,"
                " status, attempts, next_attempt_at, created_at, message_key) VALUES"
                " (:b, :a, 'x@example.com', 'owner', 1, 'queued', 0, now(), now(), 'mine')",
            )
        ]
        assert [row.rowcount for row in rows] == [1, 1, 1]
        connection.rollback()


APPEND_ONLY_ATTEMPTS = [
    "UPDATE pass_history SET to_owner_id = from_owner_id",
    "DELETE FROM pass_history",
    "UPDATE pass_batches SET note = 'rewritten'",
    "DELETE FROM pass_batches WHERE id > 0",
    "UPDATE audit_log SET detail = 'rewritten'",
    "DELETE FROM audit_log",
    "DELETE FROM leads",
    "DELETE FROM lead_notes",
    "UPDATE lead_notes SET body = 'rewritten'",
    "DELETE FROM outbox",
]

ADMINISTRATION_ATTEMPTS = [
    "UPDATE users SET is_admin = true WHERE db_login = current_user",
    "UPDATE users SET db_login = 'ada2' WHERE name = 'Ada Admin'",
    "UPDATE users SET active = false WHERE name = 'John Smith'",
    "INSERT INTO users (name, email, active, is_admin, created_at)"
    " VALUES ('Mallory', 'm@example.com', true, true, now())",
    "INSERT INTO manager_rights (manager_id, user_id)"
    " SELECT me.id, u.id FROM users me, users u"
    " WHERE me.db_login = current_user AND u.name = 'Pat Group'",
    "DELETE FROM manager_rights",
    "INSERT INTO offices (name) VALUES ('Shadow Office')",
    "UPDATE offices SET name = 'Renamed'",
    "INSERT INTO office_members (office_id, user_id, is_office_manager)"
    " SELECT o.id, me.id, true FROM offices o, users me"
    " WHERE me.db_login = current_user AND o.name = 'Uptown Office'",
    "UPDATE office_members SET is_office_manager = true",
    "INSERT INTO pass_group_members (group_id, user_id)"
    " SELECT g.id, me.id FROM pass_groups g, users me WHERE me.db_login = current_user",
    "DELETE FROM pass_group_members",
    "UPDATE pass_groups SET name = 'Renamed'",
    "INSERT INTO statuses (name, position, is_closed) VALUES ('SHADOW', 9, false)",
    "UPDATE statuses SET name = lower(name)",
    # The key columns ordinary logins may lock rows by (FOR SHARE) are still not writable.
    "UPDATE users SET id = id",
    "UPDATE manager_rights SET manager_id = manager_id",
    "UPDATE office_members SET office_id = office_id",
    # Lead details change only through an administrator's import.
    "UPDATE leads SET name = 'renamed', status_id = status_id",
    "SELECT leaddesk_sync_login('victor')",
    "SELECT leaddesk_create_login('mallory', 'secret')",
    "ALTER ROLE current_user CREATEROLE",
]


@pytest.mark.parametrize("login", [*LOGINS, "ada"])
def test_history_batches_audit_and_leads_are_append_only_even_for_administrators(server, login):
    for sql in APPEND_ONLY_ATTEMPTS:
        refused(server, login, sql)


@pytest.mark.parametrize("login", LOGINS)
def test_the_organisation_changes_only_through_administrators(server, login):
    for sql in ADMINISTRATION_ATTEMPTS:
        refused(server, login, sql)
