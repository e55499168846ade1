"""Delivery when things go wrong: server down or slow, refusals, retries, crashes, TLS, races."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from leaddesk.notify.sender import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    SendReport,
    backoff,
    message_id,
    retry_failed,
    send_queued,
)
from leaddesk.notify.smtp_settings import Security
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import PassMethod, Selection, Target
from leaddesk.store.database import open_database
from leaddesk.store.demo import create_demo
from leaddesk.store.models import Lead, OutboxMessage, User, utc_now
from tests.helpers.demo_names import group_id, user_id
from tests.helpers.smtp_server import free_port, make_tls, password_checker, running_smtp_server


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


def _pass_johns_leads_to_jane(database, note="see you"):
    with database.write() as session:
        return pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, "John Smith")),
            target=Target.user(user_id(database, "Jane Doe")),
            note=note,
            method=PassMethod.DRAG_USER,
        )


def _rows(database):
    with database.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_server_down_keeps_rows_queued_with_backoff_then_sends_when_it_is_up(database):
    _pass_johns_leads_to_jane(database)
    port = free_port()
    now = utc_now()
    settings = running_settings(port)

    report = send_queued(database, settings, None, sender_id="s1", now=now)

    assert report == SendReport(sent=0, retried=1, failed=0)
    [row] = _rows(database)
    assert row.status == "queued"
    assert row.attempts == 1
    assert "refused the connection" in row.last_error
    assert row.next_attempt_at == now + backoff(1)
    assert row.claimed_by is None
    # Not due yet: a second run right away does not even try.
    assert send_queued(database, settings, None, sender_id="s1", now=now) == SendReport()

    with running_smtp_server(port=port) as server:
        later = now + backoff(1) + timedelta(seconds=1)
        report = send_queued(database, settings, None, sender_id="s1", now=later)
        assert report == SendReport(sent=1)
        assert [m["To"] for m in server.handler.messages()] == ["jane.doe@example.com"]
    [row] = _rows(database)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(30) == timedelta(hours=1)


def test_gives_up_after_the_last_attempt_with_the_error_visible(database):
    _pass_johns_leads_to_jane(database)
    settings = running_settings(free_port())
    now = utc_now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = send_queued(database, settings, None, sender_id="s1", now=now)
        if attempt < MAX_ATTEMPTS:
            assert report == SendReport(retried=1)
        else:
            assert report == SendReport(failed=1)
        now += timedelta(hours=2)
    [row] = _rows(database)
    assert row.status == "failed"
    assert row.attempts == MAX_ATTEMPTS
    assert f"gave up after {MAX_ATTEMPTS} tries" in row.last_error
    assert send_queued(database, settings, None, sender_id="s1", now=now) == SendReport()


def test_slow_server_times_out_instead_of_hanging(database):
    _pass_johns_leads_to_jane(database)
    # A listener that accepts connections but never says hello.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        settings = running_settings(silent.getsockname()[1]).with_overrides(timeout=0.5)
        report = send_queued(database, settings, None, sender_id="s1")
    assert report == SendReport(retried=1)
    [row] = _rows(database)
    assert row.status == "queued"
    assert "did not answer within 0.5 seconds" in row.last_error


def test_refused_recipient_is_failed_with_server_text_and_can_be_retried(database, smtp):
    _pass_johns_leads_to_jane(database)
    smtp.handler.refuse = {"jane.doe@example.com"}

    assert send_queued(database, smtp.settings(), None, sender_id="s1") == SendReport(failed=1)
    [row] = _rows(database)
    assert row.status == "failed"
    assert row.last_error == "550 5.1.1 Recipient address rejected: User unknown"
    assert smtp.handler.received == []

    assert retry_failed(database) == 1
    [row] = _rows(database)
    assert (row.status, row.attempts, row.last_error) == ("queued", 0, None)
    smtp.handler.refuse = set()
    assert send_queued(database, smtp.settings(), None, sender_id="s1") == SendReport(sent=1)
    assert len(smtp.handler.received) == 1


def test_retry_failed_only_touches_the_given_failed_rows(database, smtp):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, "Sam Field")),
            target=Target.group(group_id(database, "Inbound Team")),
        )
    smtp.handler.refuse = {"jane.doe@example.com", "pat.group@example.com"}
    assert send_queued(database, smtp.settings(), None, sender_id="s1") == SendReport(failed=2)
    first, _second = _rows(database)
    assert retry_failed(database, [first.id]) == 1
    assert retry_failed(database, []) == 0
    assert [r.status for r in _rows(database)] == ["queued", "failed"]


def test_temporary_refusal_is_retried_and_other_messages_go_through(database, smtp):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, "Sam Field")),
            target=Target.group(group_id(database, "Inbound Team")),
        )
    smtp.handler.refuse = {"pat.group@example.com"}
    smtp.handler.refuse_reply = "450 4.2.0 Mailbox busy, try later"

    report = send_queued(database, smtp.settings(), None, sender_id="s1")

    assert report == SendReport(sent=1, retried=1)
    by_email = {row.recipient_email: row for row in _rows(database)}
    assert by_email["jane.doe@example.com"].status == "sent"
    busy = by_email["pat.group@example.com"]
    assert (busy.status, busy.attempts) == ("queued", 1)
    assert busy.last_error == "450 4.2.0 Mailbox busy, try later"


def test_one_connection_is_reused_for_all_messages_of_a_run(database, smtp):
    create_demo(database, users=6, leads=6)
    generated = _generated_users(database)
    for giver, taker in zip(generated[::2], generated[1::2], strict=True):
        _pass_all(database, giver, taker)
    assert send_queued(database, smtp.settings(), None, sender_id="s1") == SendReport(sent=3)
    assert len({item.peer for item in smtp.handler.received}) == 1


def test_rows_of_a_sender_killed_mid_send_are_taken_over_after_the_timeout(database, smtp):
    _pass_johns_leads_to_jane(database)
    now = utc_now()
    with database.write() as session:
        session.execute(
            update(OutboxMessage).values(status="sending", claimed_by="dead", claimed_at=now)
        )
    # A fresh claim belongs to a sender that may still be working: leave it alone.
    assert send_queued(database, smtp.settings(), None, sender_id="s2", now=now) == SendReport()
    later = now + STALE_CLAIM + timedelta(seconds=1)
    report = send_queued(database, smtp.settings(), None, sender_id="s2", now=later)
    assert report == SendReport(sent=1)
    [row] = _rows(database)
    assert (row.status, row.claimed_by) == ("sent", "s2")


def test_login_over_starttls_with_a_certificate_the_test_trusts(database, tmp_path):
    tls = make_tls(tmp_path)
    _pass_johns_leads_to_jane(database)
    with running_smtp_server(
        tls_context=tls.server_context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=password_checker("mailer", "s3cret"),
    ) as server:
        untrusted = server.settings(security=Security.STARTTLS, user="mailer")
        report = send_queued(database, untrusted, "s3cret", sender_id="s1")
        assert report == SendReport(retried=1)
        assert "is not trusted" in _rows(database)[0].last_error

        trusted = untrusted.with_overrides(ca_file=str(tls.ca_file))
        later = utc_now() + timedelta(hours=1)
        wrong = send_queued(database, trusted, "wrong", sender_id="s1", now=later)
        assert wrong == SendReport(retried=1)
        assert "refused the login of mailer: 535" in _rows(database)[0].last_error

        later += timedelta(hours=1)
        report = send_queued(database, trusted, "s3cret", sender_id="s1", now=later)
        assert report == SendReport(sent=1)
        [received] = server.handler.received
    assert received.login == "mailer"
    assert received.message["Subject"] == "3 leads passed to you by Maria Manager"
    assert "s3cret" not in (_rows(database)[0].last_error or "")


def test_implicit_tls_with_a_custom_ssl_context(database, tmp_path):
    tls = make_tls(tmp_path)
    _pass_johns_leads_to_jane(database)
    with running_smtp_server(ssl_context=tls.server_context) as server:
        settings = server.settings(security=Security.SSL)
        report = send_queued(
            database, settings, None, sender_id="s1", ssl_context=tls.client_context()
        )
        assert report == SendReport(sent=1)
        assert len(server.handler.received) == 1


def test_two_senders_at_once_deliver_each_email_exactly_once(database, db_url, smtp):
    create_demo(database, users=40, leads=40)
    generated = _generated_users(database)
    for giver, taker in zip(generated[::2], generated[1::2], strict=True):
        _pass_all(database, giver, taker)
    expected = sorted(row.recipient_email for row in _rows(database))
    assert len(expected) == 20
    smtp.handler.data_delay = 0.02
    barrier = threading.Barrier(2)
    reports: dict[str, SendReport] = {}
    errors: list[BaseException] = []

    def sender(name: str) -> None:
        own = open_database(db_url)  # its own engine and connections, like another program
        try:
            barrier.wait(timeout=30)
            reports[name] = send_queued(own, smtp.settings(), None, sender_id=name)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=sender, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    delivered = Counter(r for item in smtp.handler.received for r in item.rcpt_tos)
    assert sorted(delivered) == expected
    assert set(delivered.values()) == {1}
    assert reports["one"].sent + reports["two"].sent == 20
    assert reports["one"].sent > 0 and reports["two"].sent > 0
    rows = _rows(database)
    assert {row.status for row in rows} == {"sent"}
    assert {row.claimed_by for row in rows} == {"one", "two"}


def running_settings(port):
    from leaddesk.notify.smtp_settings import SmtpSettings

    return SmtpSettings(host="127.0.0.1", port=port, from_address="leaddesk@sales.example")


def _generated_users(database):
    with database.read() as session:
        return list(
            session.scalars(
                select(User.id)
                .where(User.email.like("user%@example.com"))
                .where(select(Lead.id).where(Lead.owner_id == User.id).exists())
                .order_by(User.id)
            )
        )


def _pass_all(database, giver, taker):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(giver),
            target=Target.user(taker),
        )


def test_program_killed_mid_send_loses_nothing(database, db_url, smtp, repo_root):
    _pass_johns_leads_to_jane(database)
    smtp.handler.data_delay = 120  # the server sits on the message; the sender waits for 250
    script = (
        "import sys\n"
        "from leaddesk.notify.sender import send_queued\n"
        "from leaddesk.notify.smtp_settings import SmtpSettings\n"
        "from leaddesk.store.database import open_database\n"
        "settings = SmtpSettings(host='127.0.0.1', port=int(sys.argv[2]),\n"
        "                        from_address='leaddesk@sales.example', timeout=300)\n"
        "send_queued(open_database(sys.argv[1]), settings, None, sender_id='doomed')\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, db_url, str(smtp.port)],
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": str(repo_root)},
    )
    try:
        assert smtp.handler.data_started.wait(timeout=60)
    finally:
        child.kill()
        child.wait(timeout=30)
    [row] = _rows(database)
    assert (row.status, row.claimed_by, row.sent_at) == ("sending", "doomed", None)
    assert smtp.handler.received == []

    smtp.handler.data_delay = 0
    later = utc_now() + STALE_CLAIM + timedelta(seconds=1)
    report = send_queued(database, smtp.settings(), None, sender_id="survivor", now=later)
    assert report == SendReport(sent=1)
    [message] = smtp.handler.messages()
    assert message["Message-ID"] == message_id(row.message_key, "sales.example")
    [row] = _rows(database)
    assert (row.status, row.claimed_by) == ("sent", "survivor")


def test_stop_ends_the_run_after_the_current_message_and_releases_the_rest(database, smtp):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, "Sam Field")),
            target=Target.group(group_id(database, "Inbound Team")),
        )
    stop = threading.Event()
    smtp.handler.on_data = stop.set  # the window closes while the first email is on the wire

    report = send_queued(database, smtp.settings(), None, sender_id="s1", stop=stop)

    assert report == SendReport(sent=1)
    waiting = [row for row in _rows(database) if row.status != "sent"]
    assert [(r.status, r.attempts, r.claimed_by) for r in waiting] == [("queued", 0, None)]
    assert send_queued(database, smtp.settings(), None, sender_id="s1", stop=stop) == SendReport()
    smtp.handler.on_data = None
    assert send_queued(database, smtp.settings(), None, sender_id="s1") == SendReport(sent=1)
    assert len(smtp.handler.received) == 2
