"""What the outbox looks like to a person: counts for the status bar, rows for the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from leaddesk.notify.messages import subject_for
from leaddesk.store.database import Database
from leaddesk.store.models import OutboxMessage

STATUSES = ("queued", "sending", "sent", "failed")


@dataclass(frozen=True)
class OutboxCounts:
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def waiting(self) -> int:
        """Not delivered yet and still being tried."""
        return self.queued + self.sending

    def summary(self) -> str:
        """One line for the status bar."""
        if self.failed:
            noun = "email" if self.failed == 1 else "emails"
            failed = f"{self.failed:,} {noun} failed"
            return f"{failed}, {self.waiting:,} waiting" if self.waiting else failed
        if self.waiting:
            noun = "email" if self.waiting == 1 else "emails"
            return f"{self.waiting:,} {noun} waiting"
        return "All emails sent"


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    batch_id: int | None  # None for a reminder
    recipient: str
    kind: str
    lead_count: int
    subject: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime | None


def outbox_counts(database: Database) -> OutboxCounts:
    with database.read() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        counts = {status: count for status, count in rows if status in STATUSES}
    return OutboxCounts(**counts)


def list_outbox(
    database: Database,
    *,
    status: str | None = None,
    limit: int | None = 1000,
    recipient_id: int | None = None,
) -> list[OutboxEntry]:
    """Newest first for the window; ``limit=None`` lists everything. ``recipient_id`` lists
    only the emails to that user (everyone but an administrator sees only their own)."""
    with database.read() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
        if recipient_id is not None:
            query = query.where(OutboxMessage.recipient_id == recipient_id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        if limit is not None:
            query = query.limit(limit)
        return [
            OutboxEntry(
                id=row.id,
                batch_id=row.batch_id,
                recipient=row.recipient_email,
                kind=row.kind,
                lead_count=row.lead_count,
                subject=subject_for(session, row),
                status=row.status,
                attempts=row.attempts,
                last_error=row.last_error,
                next_attempt_at=row.next_attempt_at,
                sent_at=row.sent_at,
                created_at=row.created_at,
            )
            for row in session.scalars(query)
        ]
