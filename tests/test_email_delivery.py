"""Passes produce the right emails at a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from leaddesk.notify.sender import SendReport, message_id, send_queued
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.demo import create_demo
from leaddesk.store.models import Lead, OutboxMessage, User
from tests.helpers.demo_names import group_id, lead_by_name, leads_of, office_id, user_id
from tests.helpers.smtp_server import running_smtp_server


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


def _pass(database, actor, selection, target, note="", method=PassMethod.COMMAND_LINE):
    with database.write() as session:
        return pass_leads(
            session,
            actor_id=user_id(database, actor),
            selection=selection,
            target=target,
            note=note,
            method=method,
        )


def _send(database, smtp, **kwargs):
    return send_queued(database, smtp.settings(), None, sender_id="test-sender", **kwargs)


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def _outbox(database, batch_id):
    with database.read() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.batch_id == batch_id)
                .order_by(OutboxMessage.id)
            )
        )


def test_single_pass_sends_one_email_with_subject_note_and_leads(database, smtp):
    john = user_id(database, "John Smith")
    result = _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(john),
        Target.user(user_id(database, "Jane Doe")),
        note="John left the company.\nCall Harbor first.",
        method=PassMethod.DRAG_USER,
    )

    report = _send(database, smtp)

    assert report == SendReport(sent=1, retried=0, failed=0)
    [received] = smtp.handler.received
    assert received.rcpt_tos == ["jane.doe@example.com"]
    assert received.mail_from == "leaddesk@sales.example"
    message = received.message
    assert message["Subject"] == "3 leads passed to you by Maria Manager"
    assert message["To"] == "jane.doe@example.com"
    assert "leaddesk@sales.example" in message["From"]
    [row] = _outbox(database, result.batch_id)
    assert message["Message-ID"] == message_id(row.message_key, "sales.example")
    # A random token, the batch, the recipient.
    pattern = rf"<leaddesk\.[0-9a-f]{{32}}\.{result.batch_id}\.\d+@sales\.example>"
    assert re.fullmatch(pattern, message["Message-ID"])
    text, html = _parts(message)
    assert "John left the company." in text and "Call Harbor first." in text
    assert "John left the company." in html and "Call Harbor first." in html
    for lead in ("Harbor Logistics renewal", "Crescent Bakery POS upgrade", "Northwind fleet"):
        assert lead in text
        assert lead in html
    assert "previously John Smith" in text
    assert row.status == "sent"
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.claimed_by == "test-sender"


def test_nothing_queued_sends_nothing_and_second_run_does_not_repeat(database, smtp):
    assert _send(database, smtp) == SendReport()
    lead = leads_of(database, "Sam Field")[0]
    _pass(
        database,
        "Maria Manager",
        Selection.of_leads([LeadRef(lead.id, lead.version)]),
        Target.user(user_id(database, "John Smith")),
    )
    assert _send(database, smtp).sent == 1
    assert _send(database, smtp) == SendReport()
    assert len(smtp.handler.received) == 1
    assert smtp.handler.messages()[0]["Subject"] == "1 lead passed to you by Maria Manager"


def test_bulk_pass_of_1000_leads_sends_exactly_one_email_listing_them_all(database, smtp):
    create_demo(database, users=1, leads=1000)
    with database.read() as session:
        bulk_owner = session.scalars(select(User).order_by(User.id.desc()).limit(1)).one()
        names = list(session.scalars(select(Lead.name).where(Lead.owner_id == bulk_owner.id)))
    assert len(names) == 1000

    result = _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(bulk_owner.id),
        Target.user(user_id(database, "Jane Doe")),
        note="Territory change",
        method=PassMethod.DRAG_USER,
    )
    assert result.moved == 1000

    assert _send(database, smtp) == SendReport(sent=1)
    [message] = smtp.handler.messages()
    assert message["Subject"] == "1,000 leads passed to you by Maria Manager"
    text, html = _parts(message)
    listed = [line for line in text.splitlines() if line.startswith("  - ")]
    assert len(listed) == 1000
    assert all(f"  - {name} (" in text for name in names)
    assert html.count("<tr><td>") == 1000
    assert "Territory change" in text


def test_pass_into_office_bucket_notifies_only_its_office_managers(database, smtp):
    lead = leads_of(database, "John Smith")[0]
    _pass(
        database,
        "Maria Manager",
        Selection.of_leads([LeadRef(lead.id, lead.version)]),
        Target.office(office_id(database, "Downtown Office")),
        note="Walk-in area",
    )

    assert _send(database, smtp) == SendReport(sent=1)
    [received] = smtp.handler.received
    # Olivia is the office manager; Maria and Sam are plain members and get nothing.
    assert received.rcpt_tos == ["olivia.office@example.com"]
    message = received.message
    assert message["Subject"] == "1 lead is waiting to be assigned in Downtown Office"
    text, html = _parts(message)
    assert "Leads to be Assigned" in text
    assert lead.name in text and lead.name in html
    assert "Walk-in area" in text


def test_pass_into_group_bucket_notifies_each_member_once(database, smtp):
    _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(user_id(database, "Sam Field")),
        Target.group(group_id(database, "Inbound Team")),
        method=PassMethod.DRAG_USER,
    )

    assert _send(database, smtp) == SendReport(sent=2)
    recipients = sorted(r for item in smtp.handler.received for r in item.rcpt_tos)
    assert recipients == ["jane.doe@example.com", "pat.group@example.com"]
    for message in smtp.handler.messages():
        assert message["Subject"] == "3 leads are waiting to be assigned in Inbound Team"


def test_pass_without_note_says_so(database, smtp):
    _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(user_id(database, "John Smith")),
        Target.user(user_id(database, "Sam Field")),
    )
    _send(database, smtp)
    text, html = _parts(smtp.handler.messages()[0])
    assert "No note was added." in text
    assert "No note was added." in html
    assert "Note:" not in text


def test_non_ascii_note_and_html_characters_are_kept_and_escaped(database, smtp):
    note = 'Größe & <b>Préférence</b> "VIP" — 東京 <script>alert(1)</script>'
    _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(user_id(database, "John Smith")),
        Target.user(user_id(database, "Jane Doe")),
        note=note,
    )
    _send(database, smtp)
    text, html = _parts(smtp.handler.messages()[0])
    assert note in text
    assert "<script>" not in html
    assert "<b>Préférence</b>" not in html
    assert "Größe &amp; &lt;b&gt;Préférence&lt;/b&gt; &quot;VIP&quot; — 東京" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_actor_passing_to_self_gets_no_email_and_others_do(database, smtp):
    # Maria passes Jane's leads to herself: the actor is never emailed about her own pass.
    _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(user_id(database, "Jane Doe")),
        Target.user(user_id(database, "Maria Manager")),
    )
    assert _send(database, smtp) == SendReport()
    assert smtp.handler.received == []


def test_limit_bounds_one_run(database, smtp):
    for owner, target in (("John Smith", "Jane Doe"), ("Sam Field", "John Smith")):
        _pass(
            database,
            "Maria Manager",
            Selection.all_of_user(user_id(database, owner)),
            Target.user(user_id(database, target)),
        )
    assert _send(database, smtp, limit=1) == SendReport(sent=1)
    assert _send(database, smtp, limit=5) == SendReport(sent=1)
    assert len(smtp.handler.received) == 2


def test_undo_emails_the_previous_owner_once(database, smtp):
    john = user_id(database, "John Smith")
    result = _pass(
        database,
        "Maria Manager",
        Selection.all_of_user(john),
        Target.user(user_id(database, "Jane Doe")),
    )
    with database.write() as session:
        undo_batch(session, actor_id=user_id(database, "Maria Manager"), batch_id=result.batch_id)

    assert _send(database, smtp) == SendReport(sent=2)
    by_recipient = {m["To"]: m for m in smtp.handler.messages()}
    assert set(by_recipient) == {"jane.doe@example.com", "john.smith@example.com"}
    undo_message = by_recipient["john.smith@example.com"]
    assert undo_message["Subject"] == "3 leads returned to you by Maria Manager (pass undone)"
    text, _html = _parts(undo_message)
    assert "previously Jane Doe" in text


def test_assignment_from_a_bucket_emails_the_new_owner(database, smtp):
    lead = lead_by_name(database, "Walk-in: Corner Florist website")
    with database.write() as session:
        assign_from_bucket(
            session,
            actor_id=user_id(database, "Olivia Office"),
            leads=[LeadRef(lead.id, lead.version)],
            user_id=user_id(database, "Sam Field"),
            note="Yours, Sam",
        )
    assert _send(database, smtp) == SendReport(sent=1)
    [message] = smtp.handler.messages()
    assert message["To"] == "sam.field@example.com"
    assert message["Subject"] == "1 lead passed to you by Olivia Office"
    text, _html = _parts(message)
    assert "Yours, Sam" in text
    assert "previously Downtown Office" in text
