"""What a notification says: subject and body rendered from its outbox row and the batch.

Rendering happens when the message is listed or sent, not in the pass transaction, so a
pass of 100,000 leads queues one small row instead of a 100,000-line text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from leaddesk.notify.reminders import bucket_watchers
from leaddesk.store.models import (
    BucketRule,
    Lead,
    Office,
    OutboxMessage,
    PassBatch,
    PassGroup,
    PassHistory,
    Status,
    User,
    utc_now,
)
from leaddesk.store.waiting import duration_text, limit_text
from leaddesk.text_safety import clean_multiline, one_line

# Very large batches list this many leads and then say how many more there are.
MAX_LISTED_LEADS = 2000


@dataclass(frozen=True)
class ListedLead:
    id: int
    name: str
    company: str
    status: str
    previous: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def subject_for(session: Session, message: OutboxMessage) -> str:
    if message.kind == "reminder":
        place = _bucket_name(session, message)
        limit = limit_text(_waiting_limit(session, message))
        verb = "has" if message.lead_count == 1 else "have"
        return (
            f"Reminder: {_plural(message.lead_count, 'lead')} {verb} waited longer than "
            f"{limit} in {place}"
        )
    batch = session.get(PassBatch, message.batch_id) if message.batch_id is not None else None
    actor = session.get(User, batch.actor_id) if batch else None
    actor_name = one_line(actor.name) if actor else "someone"
    if message.kind == "bucket":
        place = _bucket_name(session, message)
        verb = "is" if message.lead_count == 1 else "are"
        return f"{_plural(message.lead_count, 'lead')} {verb} waiting to be assigned in {place}"
    if batch is not None and batch.method == "undo":
        return (
            f"{_plural(message.lead_count, 'lead')} returned to you by {actor_name} (pass undone)"
        )
    return f"{_plural(message.lead_count, 'lead')} passed to you by {actor_name}"


def _bucket_name(session: Session, message: OutboxMessage) -> str:
    if message.office_id is not None:
        office = session.get(Office, message.office_id)
        return one_line(office.name) if office else "an office"
    group = session.get(PassGroup, message.group_id) if message.group_id is not None else None
    return one_line(group.name) if group else "a pass group"


def listed_leads(session: Session, message: OutboxMessage) -> list[ListedLead]:
    """The leads of the batch that concern this recipient, with where each came from."""
    previous_user = aliased(User)
    previous_office = aliased(Office)
    previous_group = aliased(PassGroup)
    query = (
        select(
            Lead.id,
            Lead.name,
            Lead.company,
            Status.name,
            func.coalesce(previous_user.name, previous_office.name, previous_group.name, "-"),
        )
        .select_from(PassHistory)
        .join(Lead, Lead.id == PassHistory.lead_id)
        .join(Status, Status.id == Lead.status_id)
        .outerjoin(previous_user, previous_user.id == PassHistory.from_owner_id)
        .outerjoin(previous_office, previous_office.id == PassHistory.from_office_id)
        .outerjoin(previous_group, previous_group.id == PassHistory.from_group_id)
        .where(PassHistory.batch_id == message.batch_id)
        .order_by(Lead.name, Lead.id)
        .limit(MAX_LISTED_LEADS)
    )
    if message.kind == "owner":
        query = query.where(PassHistory.to_owner_id == message.recipient_id)
    elif message.office_id is not None:
        query = query.where(PassHistory.to_office_id == message.office_id)
    else:
        query = query.where(PassHistory.to_group_id == message.group_id)
    # Stored text may hold anything (older versions, raw SQL): never a line break in a field.
    return [
        ListedLead(lead_id, *(one_line(value) for value in values))
        for lead_id, *values in session.execute(query)
    ]


def _waiting_limit(session: Session, message: OutboxMessage) -> int | None:
    rule = BucketRule.office_id == message.office_id
    if message.office_id is None:
        rule = BucketRule.group_id == message.group_id
    return session.scalar(select(BucketRule.waiting_limit_minutes).where(rule))


def overdue_now(session: Session, message: OutboxMessage) -> list[tuple[str, str, timedelta]]:
    """The reminder's bucket's leads that are overdue at sending: (name, company, waited)."""
    limit = _waiting_limit(session, message)
    if limit is None:
        return []
    now = utc_now()
    place = (
        Lead.bucket_office_id == message.office_id
        if message.office_id is not None
        else Lead.bucket_group_id == message.group_id
    )
    rows = session.execute(
        select(Lead.name, Lead.company, Lead.updated_at)
        .where(place, Lead.updated_at < now - timedelta(minutes=limit))
        .order_by(Lead.updated_at, Lead.id)
        .limit(MAX_LISTED_LEADS)
    )
    return [(one_line(name), one_line(company), now - since) for name, company, since in rows]


def _why_an_administrator(session: Session, message: OutboxMessage, place: str) -> str:
    """For an administrator reminded of a bucket nobody watches (notify.reminders): why."""
    watchers = bucket_watchers(office_id=message.office_id, group_id=message.group_id)
    if message.recipient_id in set(session.scalars(watchers)):
        return ""
    nobody = "no active office manager" if message.office_id is not None else "no active member"
    return (
        f"You get this as an administrator: {place} has {nobody} to watch its Leads to be Assigned."
    )


def _render_reminder(session: Session, message: OutboxMessage, greeting: str) -> RenderedMessage:
    subject = subject_for(session, message)
    leads = overdue_now(session, message)
    place = _bucket_name(session, message)
    if leads:
        intro = (
            f"These leads are still waiting in {place}, longer than its limit. Open LeadDesk, "
            "tab Leads to be Assigned, to give them an owner."
        )
    else:
        intro = f"Every lead of this reminder has an owner now; {place} has none overdue."
    unwatched = _why_an_administrator(session, message, place)
    if unwatched:
        intro = f"{intro} {unwatched}"
    lines = [greeting, "", intro, ""]
    lines += [
        f"  - {name} ({company}), waited {duration_text(waited)}" for name, company, waited in leads
    ]
    lines += ["", f"LeadDesk reminder for {place}; one per period of the waiting limit."]
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(name)}</td><td>{esc(company)}</td><td>{esc(duration_text(waited))}</td></tr>"
        for name, company, waited in leads
    )
    table = (
        "<table border='1' cellpadding='4' cellspacing='0'>"
        f"<tr><th>Lead</th><th>Company</th><th>Waited</th></tr>{rows}</table>"
        if leads
        else ""
    )
    html_body = (
        f"<html><body><p>{esc(greeting)}</p><p>{esc(intro)}</p>{table}"
        f"<p style='color:#666'>LeadDesk reminder for {esc(place)}</p></body></html>"
    )
    return RenderedMessage(subject=subject, text="\n".join(lines) + "\n", html=html_body)


def render(session: Session, message: OutboxMessage) -> RenderedMessage:
    recipient = session.get(User, message.recipient_id)
    greeting = f"Hello {one_line(recipient.name)}," if recipient else "Hello,"
    if message.kind == "reminder":
        return _render_reminder(session, message, greeting)
    batch = session.get(PassBatch, message.batch_id)
    note = clean_multiline(batch.note) if batch else ""
    subject = subject_for(session, message)
    leads = listed_leads(session, message)
    more = max(message.lead_count - len(leads), 0)

    if message.kind == "bucket":
        intro = (
            f"{subject}. Open LeadDesk, tab Leads to be Assigned, to give "
            f"{'it' if message.lead_count == 1 else 'them'} an owner."
        )
    else:
        intro = f"{subject}."
    lines = [greeting, "", intro, ""]
    if note:
        lines += ["Note:", *("  " + line for line in note.splitlines()), ""]
    else:
        lines += ["(No note was added.)", ""]
    lines.append("Leads:")
    for lead in leads:
        lines.append(f"  - {lead.name} ({lead.company}), {lead.status}, previously {lead.previous}")
    if more:
        lines.append(f"  ... and {more:,} more.")
    lines += ["", f"LeadDesk pass {message.batch_id}"]
    text = "\n".join(lines) + "\n"

    esc = html.escape
    note_html = (
        "<p><strong>Note:</strong></p><blockquote>"
        + "<br>".join(esc(line) for line in note.splitlines())
        + "</blockquote>"
        if note
        else "<p><em>No note was added.</em></p>"
    )
    rows = "".join(
        f"<tr><td>{esc(lead.name)}</td><td>{esc(lead.company)}</td>"
        f"<td>{esc(lead.status)}</td><td>{esc(lead.previous)}</td></tr>"
        for lead in leads
    )
    more_html = f"<p>... and {more:,} more.</p>" if more else ""
    html_body = (
        "<html><body>"
        f"<p>{esc(greeting)}</p><p>{esc(intro)}</p>{note_html}"
        "<table border='1' cellpadding='4' cellspacing='0'>"
        "<tr><th>Lead</th><th>Company</th><th>Status</th><th>Previously</th></tr>"
        f"{rows}</table>{more_html}"
        f"<p style='color:#666'>LeadDesk pass {message.batch_id}</p>"
        "</body></html>"
    )
    return RenderedMessage(subject=subject, text=text, html=html_body)
