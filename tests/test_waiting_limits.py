"""Waiting-time limits: set per bucket, overdue leads listed, one reminder per bucket and
period through the outbox to a real SMTP server on loopback. On SQLite and PostgreSQL.

Demo data: Corner Florist waits in the Downtown Office (office manager Olivia Office);
Evergreen Landscaping and Velvet Salon wait in the Inbound Team (members Pat Group and
Jane Doe).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from leaddesk.admin.bucket_rules import set_waiting_limit
from leaddesk.notify.reminders import period_start, queue_reminders
from leaddesk.notify.sender import send_queued
from leaddesk.store.bucket_rules import BucketKey
from leaddesk.store.models import BucketRule, Lead, OutboxMessage, User, utc_now
from tests.helpers.cli_run import run
from tests.helpers.demo_names import group_id, office_id, user_id
from tests.helpers.engine_checks import set_active
from tests.helpers.smtp_server import running_smtp_server

FLORIST = "Walk-in: Corner Florist website"
EVERGREEN = "Web form: Evergreen Landscaping"
VELVET = "Web form: Velvet Salon booking"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def leaddesk(capsys, db_url):
    """``leaddesk ARGS --db`` the test's database, in process."""

    def call(*args: str) -> Ran:
        return Ran(*run(capsys, *args, "--db", db_url))

    return call


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


def waited(database, name: str, delta: timedelta) -> None:
    """The lead has been waiting in its bucket for ``delta``."""
    with database.write() as session:
        session.execute(update(Lead).where(Lead.name == name).values(updated_at=utc_now() - delta))


def limit(database, minutes: int | None, *, group: bool = False) -> None:
    bucket = (
        BucketKey(group_id=group_id(database))
        if group
        else BucketKey(office_id=office_id(database))
    )
    with database.write() as session:
        set_waiting_limit(session, user_id(database, "Ada Admin"), bucket, minutes)


def reminders(database) -> list[tuple[str, str, int]]:
    with database.read() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)
        )
        return [(row.recipient_email, row.reminder_key or "", row.lead_count) for row in rows]


def test_the_limit_is_set_changed_and_removed_on_the_command_line(leaddesk, database):
    ok = leaddesk("office", "set", "Downtown Office", "--waiting-limit", "4h", "--as", "Ada Admin")
    assert ok.code == 0
    assert ok.out.strip() == "Leads to be Assigned of Downtown Office: waiting limit 4 h."
    ok = leaddesk(
        "group",
        "set",
        "Inbound Team",
        "--assign",
        "round-robin",
        "--waiting-limit",
        "1h30m",
        "--as",
        "Ada Admin",
    )
    assert (
        ok.out.strip()
        == "Leads to be Assigned of Inbound Team: round-robin; waiting limit 1 h 30 min."
    )
    with database.read() as session:
        limits = {
            (r.office_id, r.group_id): (r.rule, r.waiting_limit_minutes)
            for r in session.scalars(select(BucketRule))
        }
    assert limits == {
        (office_id(database), None): ("manual", 240),
        (None, group_id(database)): ("round_robin", 90),
    }
    assert (
        leaddesk(
            "office", "set", "Downtown Office", "--waiting-limit", "none", "--as", "Ada Admin"
        ).code
        == 0
    )
    with database.read() as session:
        assert (
            session.scalar(
                select(BucketRule.waiting_limit_minutes).where(BucketRule.office_id.is_not(None))
            )
            is None
        )


UNKNOWN = "Unknown waiting limit '4x'; write it like 4h, 90m, 1h30m or 2d, or none."
RANGE = "leaddesk: error: A waiting limit is between 1 minute and 90 days; '{}' is not."


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("4x", "leaddesk: error: " + UNKNOWN),
        ("0m", RANGE.format("0m")),
        ("91d", RANGE.format("91d")),
    ],
)
def test_a_bad_limit_is_one_line_and_changes_nothing(leaddesk, database, value, line):
    result = leaddesk(
        "office", "set", "Downtown Office", "--waiting-limit", value, "--as", "Ada Admin"
    )
    assert (result.code, result.err.strip()) == (1, line)
    with database.read() as session:
        assert session.scalar(select(BucketRule)) is None


def test_only_administrators_set_a_limit(leaddesk, database):
    result = leaddesk(
        "office", "set", "Downtown Office", "--waiting-limit", "4h", "--as", "Olivia Office"
    )
    assert result.code != 0
    assert len(result.err.strip().splitlines()) == 1
    with database.read() as session:
        assert session.scalar(select(BucketRule)) is None


def test_the_database_refuses_a_zero_limit_and_malformed_reminders(database):
    limit(database, 60)
    olivia = user_id(database, "Olivia Office")
    for sql in (
        "UPDATE bucket_rules SET waiting_limit_minutes = 0",
        # A reminder has no batch but a key; a batch's email has no key.
        "INSERT INTO outbox (batch_id, recipient_id, recipient_email, kind, lead_count, status,"
        " attempts, next_attempt_at, created_at, message_key)"
        f" VALUES (NULL, {olivia}, 'o@example.com', 'reminder', 1, 'queued', 0,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'k1')",
        "INSERT INTO outbox (batch_id, reminder_key, recipient_id, recipient_email, kind,"
        " lead_count, status, attempts, next_attempt_at, created_at, message_key)"
        f" VALUES (NULL, 'office:1:x', {olivia}, 'o@example.com', 'owner', 1, 'queued', 0,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'k2')",
    ):
        with pytest.raises(IntegrityError), database.write() as session:
            session.execute(text(sql))
    # The same bucket, period and recipient twice: the second is refused.
    row = (
        "INSERT INTO outbox (batch_id, reminder_key, recipient_id, recipient_email, kind,"
        " lead_count, status, attempts, next_attempt_at, created_at, message_key)"
        f" VALUES (NULL, 'office:1:2026-11-28T16:00', {olivia}, 'o@example.com', 'reminder', 1,"
        " 'queued', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :key)"
    )
    with database.write() as session:
        session.execute(text(row), {"key": "k3"})
    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(text(row), {"key": "k4"})
    with database.read() as session:
        assert session.scalar(select(BucketRule.waiting_limit_minutes)) == 60


def test_buckets_overdue_lists_only_leads_over_their_limit(leaddesk, database):
    limit(database, 240)
    limit(database, 120, group=True)
    waited(database, FLORIST, timedelta(hours=5, minutes=3))
    waited(database, VELVET, timedelta(hours=1))

    result = leaddesk("buckets", "--overdue", "--as", "Ada Admin")

    lines = result.out.strip().splitlines()
    assert lines[0] == "Office: Downtown Office — 1 lead(s) overdue; 1 over the 4 h limit"
    assert FLORIST in lines[1] and lines[1].endswith("waited 5 h 3 min  OVERDUE")
    assert len(lines) == 2  # the Inbound Team has nothing over its 2 h
    data = json.loads(leaddesk("buckets", "--overdue", "--json", "--as", "Ada Admin").out)
    assert [(b["name"], b["waiting_limit_minutes"]) for b in data] == [("Downtown Office", 240)]
    assert [
        (lead["name"], lead["overdue"], lead["waited_minutes"]) for lead in data[0]["leads"]
    ] == [(FLORIST, True, 303)]
    # Olivia sees only her office; Pat sees the Inbound Team, where nothing is overdue.
    assert FLORIST in leaddesk("buckets", "--overdue", "--as", "Olivia Office").out
    pat = leaddesk("buckets", "--overdue", "--as", "Pat Group").out.strip()
    assert pat == "No lead waits longer than its bucket's limit in the buckets Pat Group sees."


def test_one_reminder_per_bucket_per_period_reaches_smtp_once(database, smtp):
    limit(database, 240)
    limit(database, 120, group=True)
    waited(database, FLORIST, timedelta(hours=9))
    waited(database, EVERGREEN, timedelta(hours=7))
    waited(database, VELVET, timedelta(days=1, hours=2))
    # The start of the current 4 h period (also a 2 h period's start); queueing and sending
    # run on this clock, travelling forward within the period and then to the next one.
    now = period_start(240, utc_now())

    with database.write() as session:
        first = queue_reminders(session, now)
    with database.write() as session:
        again = queue_reminders(session, now + timedelta(minutes=30))

    assert (first.overdue_buckets, first.queued) == (2, 3)  # Olivia; Pat and Jane
    assert (again.overdue_buckets, again.queued) == (2, 0)
    report = send_queued(database, smtp.settings(), None, sender_id="reminders", now=now)
    assert report.sent == 3
    by_recipient = {r.rcpt_tos[0]: r.message for r in smtp.handler.received}
    assert sorted(by_recipient) == [
        "jane.doe@example.com",
        "olivia.office@example.com",
        "pat.group@example.com",
    ]
    olivia = by_recipient["olivia.office@example.com"]
    assert olivia["Subject"] == ("Reminder: 1 lead has waited longer than 4 h in Downtown Office")
    body = olivia.get_body(preferencelist=("plain",)).get_content()
    assert f"  - {FLORIST} (Corner Florist), waited 9 h" in body
    pat = by_recipient["pat.group@example.com"]
    assert pat["Subject"] == "Reminder: 2 leads have waited longer than 2 h in Inbound Team"
    pat_body = pat.get_body(preferencelist=("plain",)).get_content()
    assert EVERGREEN in pat_body and VELVET in pat_body
    # Sending again in the same period sends nothing new.
    with database.write() as session:
        assert queue_reminders(session, now + timedelta(minutes=60)).queued == 0
    assert send_queued(database, smtp.settings(), None, sender_id="r", now=now).sent == 0
    assert len(smtp.handler.received) == 3

    # The next period of the office's 4 h limit: one more for Olivia (and the group's 2 h
    # periods moved on twice, one more each for Pat and Jane).
    with database.write() as session:
        later = queue_reminders(session, now + timedelta(minutes=240))
    assert later.queued == 3
    next_period = now + timedelta(minutes=240)
    assert send_queued(database, smtp.settings(), None, sender_id="r", now=next_period).sent == 3
    assert [r[0] for r in reminders(database)].count("olivia.office@example.com") == 2


def test_a_bucket_within_its_limit_or_without_one_gets_no_reminder(database):
    waited(database, FLORIST, timedelta(days=3))  # no limit on the office
    limit(database, 240, group=True)
    waited(database, EVERGREEN, timedelta(hours=3))  # within 4 h
    with database.write() as session:
        report = queue_reminders(session)
    assert (report.overdue_buckets, report.queued) == (0, 0)
    assert reminders(database) == []


def test_leaddesk_remind_queues_once_and_says_so(leaddesk, database):
    limit(database, 60)
    waited(database, FLORIST, timedelta(hours=2))
    first = leaddesk("remind")
    second = leaddesk("remind")
    assert first.out.strip().startswith(
        "1 bucket(s) with overdue leads; 1 reminder email(s) queued"
    )
    assert second.out.strip().startswith(
        "1 bucket(s) with overdue leads; 0 reminder email(s) queued"
    )
    assert [row[0] for row in reminders(database)] == ["olivia.office@example.com"]
    listing = leaddesk("outbox", "--as", "Ada Admin", "--wide").out
    assert "Reminder: 1 lead has waited longer than 1 h in Downtown Office" in listing


def test_a_bucket_nobody_watches_reminds_the_administrators(database, smtp):
    """Administrators see every bucket; they hear of one only when nobody else would: an
    office without an active office manager, a pass group without an active member."""
    limit(database, 240)
    limit(database, 240, group=True)
    waited(database, FLORIST, timedelta(hours=9))
    waited(database, EVERGREEN, timedelta(hours=9))
    set_active(database, "Olivia Office", False)  # the Downtown Office's only manager
    with database.write() as session:
        session.add(User(name="Bea Boss", email="bea.boss@example.com", is_admin=True, active=True))
        session.add(User(name="Ian Inactive", email="ian@example.com", is_admin=True, active=False))
    now = period_start(240, utc_now())

    with database.write() as session:
        report = queue_reminders(session, now)

    # Downtown: the two active administrators; Inbound Team: still its members only.
    assert (report.overdue_buckets, report.queued) == (2, 4)
    assert sorted((email, key.split(":")[0]) for email, key, _n in reminders(database)) == [
        ("ada.admin@example.com", "office"),
        ("bea.boss@example.com", "office"),
        ("jane.doe@example.com", "group"),
        ("pat.group@example.com", "group"),
    ]
    assert send_queued(database, smtp.settings(), None, sender_id="r", now=now).sent == 4
    by_recipient = {r.rcpt_tos[0]: r.message for r in smtp.handler.received}
    ada = by_recipient["ada.admin@example.com"]
    assert ada["Subject"] == "Reminder: 1 lead has waited longer than 4 h in Downtown Office"
    body = ada.get_body(preferencelist=("plain",)).get_content()
    assert f"  - {FLORIST} (Corner Florist), waited 9 h" in body
    assert (
        "You get this as an administrator: Downtown Office has no active office manager to "
        "watch its Leads to be Assigned." in body
    )
    # A member of the group is told nothing about administrators.
    pat_body = by_recipient["pat.group@example.com"].get_body(preferencelist=("plain",))
    assert "administrator" not in pat_body.get_content()

    # The group loses its last active members: its next period goes to the administrators.
    set_active(database, "Pat Group", False)
    set_active(database, "Jane Doe", False)
    with database.write() as session:
        later = queue_reminders(session, now + timedelta(minutes=240))
    assert later.queued == 4
    next_keys = {(email, key.split(":")[0]) for email, key, _n in reminders(database)[4:]}
    assert next_keys == {
        ("ada.admin@example.com", "office"),
        ("bea.boss@example.com", "office"),
        ("ada.admin@example.com", "group"),
        ("bea.boss@example.com", "group"),
    }
    send_queued(database, smtp.settings(), None, sender_id="r", now=now + timedelta(hours=4))
    group_mail = [
        r.message
        for r in smtp.handler.received[4:]
        if r.rcpt_tos[0] == "ada.admin@example.com" and "Inbound Team" in r.message["Subject"]
    ]
    assert len(group_mail) == 1
    assert (
        "You get this as an administrator: Inbound Team has no active member to watch its "
        "Leads to be Assigned." in group_mail[0].get_body(preferencelist=("plain",)).get_content()
    )
