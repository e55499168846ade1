"""One bad outbox row never stops the others, claims never linger, Message-IDs are unique
and stable, and an explicit send tries every queued email (issue 8, items 5, 6, 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from leaddesk import cli
from leaddesk.notify import sender
from leaddesk.notify.sender import SendReport, send_queued
from leaddesk.store.database import open_database
from leaddesk.store.models import OutboxMessage, utc_now
from tests.helpers.engine_checks import pass_all_leads
from tests.helpers.smtp_server import free_port, running_smtp_server


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


def _pass(database, source: str, target_group: bool = False) -> int:
    if target_group:
        return pass_all_leads(database, source, to_group="Inbound Team")
    return pass_all_leads(database, source, to_user="Jane Doe")


def _rows(database) -> list[OutboxMessage]:
    with database.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# -- item 5: one bad row ---------------------------------------------------------------------


def test_an_unrenderable_row_is_failed_with_its_reason_and_the_others_are_sent(database, smtp):
    _pass(database, "Sam Field", target_group=True)  # two rows: Pat Group and Jane Doe
    _pass(database, "John Smith")  # a third row, to Jane Doe
    first = _rows(database)[0]
    with database.write() as session:
        # A line break in a stored address cannot become a To: header.
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first.id)
            .values(recipient_email="bad\nBcc: everyone@example.com")
        )

    report = send_queued(database, smtp.settings(), None, sender_id="s1")

    assert (report.sent, report.retried, report.failed) == (2, 0, 1)
    rows = _rows(database)
    assert [r.status for r in rows] == ["failed", "sent", "sent"]
    assert rows[0].last_error.startswith("cannot be written as an email: ")
    assert len(smtp.handler.received) == 2
    # Failed for good: the next run does not claim it first, or at all.
    assert send_queued(database, smtp.settings(), None, sender_id="s1") == SendReport()


def test_a_permanent_smtp_refusal_fails_only_that_row(database, smtp):
    _pass(database, "Sam Field", target_group=True)
    smtp.handler.refuse = {"pat.group@example.com"}
    report = send_queued(database, smtp.settings(), None, sender_id="s1")
    assert (report.sent, report.failed) == (1, 1)
    assert sorted((r.recipient_email, r.status) for r in _rows(database)) == [
        ("jane.doe@example.com", "sent"),
        ("pat.group@example.com", "failed"),
    ]


def test_claimed_rows_are_released_on_any_error(database, smtp, monkeypatch):
    _pass(database, "Sam Field", target_group=True)
    _pass(database, "John Smith")
    real_mark_sent = sender._mark_sent
    calls = []

    def mark_sent_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return real_mark_sent(*args, **kwargs)

    monkeypatch.setattr(sender, "_mark_sent", mark_sent_then_fail)
    with pytest.raises(RuntimeError, match="the disk is full"):
        send_queued(database, smtp.settings(), None, sender_id="s1")

    rows = _rows(database)
    assert "sending" not in [r.status for r in rows]
    assert [r.status for r in rows] == ["sent", "queued", "queued"]
    assert all(r.claimed_by is None for r in rows[1:])
    monkeypatch.setattr(sender, "_mark_sent", real_mark_sent)
    # Due at once, not in 15 minutes.
    assert send_queued(database, smtp.settings(), None, sender_id="s2").sent == 2


# -- item 6: Message-IDs -----------------------------------------------------------------------


def test_message_ids_differ_between_databases_with_the_same_row_numbers(make_db_url, smtp):
    ids = []
    for _ in range(2):
        database = open_database(make_db_url())
        try:
            _pass(database, "John Smith")
            [row] = _rows(database)
            ids.append((row.id, row.batch_id))
            assert send_queued(database, smtp.settings(), None, sender_id="s").sent == 1
        finally:
            database.dispose()
    assert ids[0] == ids[1]  # the same numbers in both databases...
    first, second = (m["Message-ID"] for m in smtp.handler.messages())
    assert first != second  # ...and still two different messages
    assert first.endswith("@sales.example>") and second.endswith("@sales.example>")


def test_a_resent_row_keeps_its_message_id(database, smtp):
    _pass(database, "John Smith")
    assert send_queued(database, smtp.settings(), None, sender_id="s1").sent == 1
    # As if the program died after the server's 250 but before the row was marked sent.
    with database.write() as session:
        session.execute(update(OutboxMessage).values(status="queued", sent_at=None))
    assert send_queued(database, smtp.settings(), None, sender_id="s2").sent == 1
    first, again = (m["Message-ID"] for m in smtp.handler.messages())
    assert first == again


def test_every_outbox_row_has_its_own_message_key_enforced_by_the_database(database):
    _pass(database, "Sam Field", target_group=True)
    first, second = _rows(database)
    assert first.message_key and second.message_key and first.message_key != second.message_key
    with pytest.raises(Exception, match=r"(?i)unique"), database.write() as session:
        session.execute(
            text("UPDATE outbox SET message_key = :key WHERE id = :id"),
            {"key": first.message_key, "id": second.id},
        )


# -- item 11: an explicit send tries everything queued -----------------------------------------


def _flags(port: int) -> list[str]:
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--from", "crm@sales.example"]


def test_an_explicit_send_tries_emails_waiting_for_their_next_try(db_url, database, capsys):
    _pass(database, "John Smith")
    port = free_port()
    assert cli.main(["--db", db_url, "outbox", "send", *_flags(port)]) == 1
    assert capsys.readouterr().out == "0 sent, 1 retried, 0 failed\n"
    [row] = _rows(database)
    assert row.next_attempt_at > utc_now()  # waiting for its next try

    with running_smtp_server(port=port) as server:
        # The background sender keeps its backoff...
        assert send_queued(database, server.settings(), None, sender_id="bg") == SendReport()
        # ...a person asking to send now is obeyed.
        assert cli.main(["--db", db_url, "outbox", "send", *_flags(port)]) == 0
        assert capsys.readouterr() == ("1 sent, 0 retried, 0 failed\n", "")
        assert len(server.handler.received) == 1


def test_an_explicit_send_tries_each_row_once_and_accounts_for_every_queued_row(
    db_url, database, capsys
):
    _pass(database, "Sam Field", target_group=True)
    _pass(database, "John Smith")
    with running_smtp_server() as server:
        server.handler.refuse = {"pat.group@example.com"}
        server.handler.refuse_reply = "451 4.3.0 Try again later"
        code = cli.main(["--db", db_url, "outbox", "send", *_flags(server.port), "--limit", "2"])
        captured = capsys.readouterr()
    assert code == 1
    assert captured.out == "1 sent, 1 retried, 0 failed; 1 more queued (over --limit 2)\n"
    rows = _rows(database)
    retried = [r for r in rows if r.recipient_email == "pat.group@example.com"]
    assert [(r.status, r.attempts) for r in retried] == [("queued", 1)]


def test_rows_another_sender_is_sending_are_counted(db_url, database, capsys, smtp):
    _pass(database, "Sam Field", target_group=True)
    first = _rows(database)[0]
    with database.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first.id)
            .values(status="sending", claimed_by="window", claimed_at=utc_now())
        )
    assert cli.main(["--db", db_url, "outbox", "send", *_flags(smtp.port)]) == 0
    assert (
        capsys.readouterr().out == "1 sent, 0 retried, 0 failed; 1 being sent by another sender\n"
    )


def test_backoff_still_applies_to_the_background_sender(database, smtp):
    _pass(database, "John Smith")
    later = utc_now() + timedelta(minutes=5)
    with database.write() as session:
        session.execute(update(OutboxMessage).values(attempts=1, next_attempt_at=later))
    assert send_queued(database, smtp.settings(), None, sender_id="bg") == SendReport()
