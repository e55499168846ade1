"""Bucket rules on a shared server: ordinary logins assign by rule within their rights.

Row-level security hides most leads from a manager, yet least loaded must count every open
lead of the bucket's members; automatic assignment must work for a passer who does not see
the bucket; the round-robin cursor moves, the rule itself does not. Demo people: Olivia
manages the Downtown Office (members Olivia, Maria, Sam) and sees only her own and Sam's
leads; Maria is a member but does not see the bucket. Reminders of overdue leads are queued
and sent by those who see the bucket.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from leaddesk.cli import main
from leaddesk.notify.sender import send_queued
from leaddesk.store.database import open_database
from tests.helpers.server import ServerDatabase, ensure_login, set_up_server
from tests.helpers.smtp_server import running_smtp_server

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]

MEMBERS = ("Olivia Office", "Maria Manager", "Sam Field")


@pytest.fixture
def server(make_db_url, postgres_factory) -> Iterator[ServerDatabase]:
    for login in ("maria", "olivia", "victor", "ada"):
        ensure_login(postgres_factory.admin, login)
    server = set_up_server(make_db_url())
    yield server
    server.dispose()


def set_rule(server: ServerDatabase, *options: str) -> None:
    assert main(["office", "set", "Downtown Office", *options, "--db", server.url("ada")]) == 0


def owner_of(server: ServerDatabase, lead: str) -> str | None:
    return server.owner_scalar(  # type: ignore[return-value]
        "SELECT u.name FROM leads l LEFT JOIN users u ON u.id = l.owner_id WHERE l.name = :n",
        n=lead,
    )


def open_leads(server: ServerDatabase, person: str) -> int:
    return int(
        server.owner_scalar(  # type: ignore[arg-type]
            "SELECT count(*) FROM leads l JOIN statuses s ON s.id = l.status_id"
            " JOIN users u ON u.id = l.owner_id WHERE u.name = :n AND NOT s.is_closed",
            n=person,
        )
    )


def test_least_loaded_counts_the_leads_the_manager_cannot_read(server):
    loads = {person: open_leads(server, person) for person in MEMBERS}
    lightest = min(loads, key=loads.__getitem__)
    assert sorted(loads.values())[0] < sorted(loads.values())[1], loads  # one clear answer
    # Olivia reads only her own and Sam's leads: counted through her eyes, Maria would
    # look empty. The rule must see past that.
    with server.raw("olivia") as olivia:
        seen = olivia.execute(
            text(
                "SELECT count(*) FROM leads l JOIN users u ON u.id = l.owner_id"
                " WHERE u.name = 'Maria Manager'"
            )
        ).scalar()
    assert seen == 0 < loads["Maria Manager"]
    set_rule(server, "--assign", "least-loaded")

    assert (
        main(["assign", "--bucket", "Downtown Office", "--auto", "--db", server.url("olivia")]) == 0
    )

    assert owner_of(server, "Walk-in: Corner Florist website") == lightest
    batch = server.owner_scalar(
        "SELECT b.method || ' ' || u.name FROM pass_batches b JOIN users u ON u.id = b.actor_id"
        " ORDER BY b.id DESC LIMIT 1"
    )
    assert batch == "rule_assign Olivia Office"


def test_a_passer_who_does_not_see_the_bucket_triggers_automatic_assignment(server):
    set_rule(server, "--assign", "round-robin", "--auto")
    leads = ["Atlas Insurance office move", "Lakeside Realty signage"]
    ids = [server.owner_scalar("SELECT id FROM leads WHERE name = :n", n=name) for name in leads]
    args = ["pass", "--to-office", "Downtown Office", "--db", server.url("maria")]
    for lead in ids:
        args += ["--lead", str(lead)]

    assert main(args) == 0

    # Round robin from the start: the members in id order (Maria, then Sam).
    owners = sorted(owner_of(server, name) for name in leads)
    assert owners == ["Maria Manager", "Sam Field"]
    methods = server.owner_scalar(
        "SELECT string_agg(DISTINCT b.method || ':' || u.name, ',') FROM pass_history h"
        " JOIN pass_batches b ON b.id = h.batch_id JOIN users u ON u.id = b.actor_id"
        " JOIN leads l ON l.id = h.lead_id WHERE l.name = 'Lakeside Realty signage'"
    )
    assert methods == "auto_assign:Maria Manager,command_line:Maria Manager"
    cursor = server.owner_scalar(
        "SELECT u.name FROM bucket_rules r JOIN users u ON u.id = r.last_assigned_user_id"
    )
    assert cursor == "Sam Field"
    # Sam is told once; Olivia is not told of leads that never waited.
    emails = server.owner_scalar(
        "SELECT string_agg(o.kind || ':' || u.name, ',' ORDER BY o.id) FROM outbox o"
        " JOIN users u ON u.id = o.recipient_id"
    )
    assert emails == "owner:Sam Field"


def test_the_rule_itself_stays_the_administrators(server):
    set_rule(server, "--assign", "round-robin")
    before = server.owner_scalar("SELECT rule || ' ' || auto::text FROM bucket_rules")
    for login, sql in (
        ("maria", "UPDATE bucket_rules SET rule = 'manual'"),
        ("olivia", "UPDATE bucket_rules SET auto = true"),
        ("maria", "INSERT INTO bucket_rules (group_id, rule, auto) VALUES (1, 'manual', false)"),
        ("olivia", "DELETE FROM bucket_rules"),
    ):
        with server.raw(login) as connection, pytest.raises(DBAPIError) as refused:
            connection.execute(text(sql))
        assert "permission denied" in str(refused.value.orig).lower(), sql
    # The cursor of a bucket not assigning on arrival moves only for those who see it.
    cursor = "UPDATE bucket_rules SET last_assigned_user_id = 2"
    for login in ("maria", "victor"):
        with server.raw(login) as connection, pytest.raises(DBAPIError) as refused:
            connection.execute(text(cursor))
        assert "row-level security" in str(refused.value.orig), login
    with server.raw("olivia") as connection:
        assert connection.execute(text(cursor)).rowcount == 1
        connection.commit()
    assert server.owner_scalar("SELECT last_assigned_user_id FROM bucket_rules") == 2
    assert server.owner_scalar("SELECT rule || ' ' || auto::text FROM bucket_rules") == before


def test_reminders_are_queued_and_sent_by_those_who_see_the_bucket(server, capsys):
    assert (
        main(
            ["office", "set", "Downtown Office", "--waiting-limit", "1h", "--db", server.url("ada")]
        )
        == 0
    )
    with server.raw("postgres") as owner:
        owner.execute(
            text(
                "UPDATE leads SET updated_at = (now() AT TIME ZONE 'UTC') - interval '2 hours'"
                " WHERE name = 'Walk-in: Corner Florist website'"
            )
        )
        owner.commit()
    capsys.readouterr()
    # Maria and Victor do not see the Downtown bucket: nothing overdue for them.
    for login in ("maria", "victor"):
        assert main(["remind", "--db", server.url(login)]) == 0
        assert capsys.readouterr().out.startswith("No bucket has leads waiting longer")
    for expected in (1, 0):  # Olivia's second run in the same period queues nothing
        assert main(["remind", "--json", "--db", server.url("olivia")]) == 0
        assert json.loads(capsys.readouterr().out) == {"overdue_buckets": 1, "queued": expected}
    assert (
        server.owner_scalar("SELECT string_agg(kind || ' ' || recipient_email, ',') FROM outbox")
        == "reminder olivia.office@example.com"
    )
    # Nobody can queue a reminder for a bucket they do not see.
    with server.raw("victor") as victor, pytest.raises(DBAPIError) as refused:
        victor.execute(
            text(
                "INSERT INTO outbox (reminder_key, recipient_id, recipient_email, kind, lead_count,"
                " office_id, status, attempts, next_attempt_at, created_at, message_key)"
                " SELECT 'office:1:forged', id, email, 'reminder', 1, 1, 'queued', 0, now(),"
                " now(), 'forged' FROM users WHERE name = 'Victor Outside'"
            )
        )
    assert "row-level security" in str(refused.value.orig)

    with running_smtp_server() as smtp:
        olivia = open_database(server.url("olivia"))
        try:
            report = send_queued(olivia, smtp.settings(), None, sender_id="olivia")
        finally:
            olivia.dispose()
        assert report.sent == 1
        (received,) = smtp.handler.received
        body = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "Walk-in: Corner Florist website (Corner Florist), waited 2 h" in body


def test_a_bucket_nobody_watches_is_reminded_to_the_administrators_by_their_runs(server, capsys):
    set_rule(server, "--waiting-limit", "1h")
    with server.raw("postgres") as owner:
        owner.execute(
            text(
                "UPDATE leads SET updated_at = (now() AT TIME ZONE 'UTC') - interval '2 hours'"
                " WHERE name = 'Walk-in: Corner Florist website'"
            )
        )
        # Olivia stops managing the office: nobody but the administrators sees its bucket.
        owner.execute(text("UPDATE office_members SET is_office_manager = false"))
        owner.commit()
    capsys.readouterr()
    assert main(["remind", "--db", server.url("olivia")]) == 0
    assert capsys.readouterr().out.startswith("No bucket has leads waiting longer")
    assert main(["remind", "--json", "--db", server.url("ada")]) == 0
    assert json.loads(capsys.readouterr().out) == {"overdue_buckets": 1, "queued": 1}
    assert (
        server.owner_scalar("SELECT string_agg(kind || ' ' || recipient_email, ',') FROM outbox")
        == "reminder ada.admin@example.com"
    )
    with running_smtp_server() as smtp:
        ada = open_database(server.url("ada"))
        try:
            assert send_queued(ada, smtp.settings(), None, sender_id="ada").sent == 1
        finally:
            ada.dispose()
        (received,) = smtp.handler.received
        body = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "Walk-in: Corner Florist website (Corner Florist), waited 2 h" in body
    assert "You get this as an administrator: Downtown Office has no active office manager" in body
