"""Queueing notifications: one outbox row per recipient per batch, set-based.

Called by the reassignment controller inside the pass transaction, so a pass and its
emails commit or roll back together. Sending is ``leaddesk.notify.sender``'s job.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, and_, cast, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from leaddesk.store.models import (
    Lead,
    OfficeMember,
    OutboxMessage,
    PassGroupMember,
    PassHistory,
    User,
)

# The columns every queued row fills (reminders add their key: notify.reminders).
OUTBOX_COLUMNS = [
    "batch_id",
    "recipient_id",
    "recipient_email",
    "kind",
    "lead_count",
    "office_id",
    "group_id",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "message_key",
]


def queue_batch_notifications(
    session: Session, *, batch_id: int, actor_id: int, now: datetime
) -> int:
    """Queue the emails for one batch; returns how many rows were queued.

    New owners get one "leads passed to you" row each; office managers of an office bucket
    and members of a pass-group bucket get one "waiting to be assigned" row each, counting
    the leads still waiting there (automatic assignment may already have given them owners).
    The actor is never emailed about their own pass.
    """
    queued = 0
    # One random token per batch plus the recipient (unique within a batch): a unique
    # message key per row, made set-based on both backends.
    message_key = literal(f"{uuid.uuid4().hex}.", String) + cast(User.id, String)
    owner_rows = (
        select(
            literal(batch_id),
            User.id,
            User.email,
            literal("owner"),
            func.count(PassHistory.id),
            literal(None),
            literal(None),
            literal("queued"),
            literal(0),
            literal(now),
            literal(now),
            message_key,
        )
        .join(User, User.id == PassHistory.to_owner_id)
        .where(PassHistory.batch_id == batch_id, User.id != actor_id, User.active.is_(True))
        .group_by(User.id, User.email)
    )
    queued += _insert_rows(session, owner_rows)

    already_queued = exists().where(
        and_(OutboxMessage.batch_id == batch_id, OutboxMessage.recipient_id == User.id)
    )
    office_rows = (
        select(
            literal(batch_id),
            User.id,
            User.email,
            literal("bucket"),
            func.count(PassHistory.id),
            func.min(PassHistory.to_office_id),
            literal(None),
            literal("queued"),
            literal(0),
            literal(now),
            literal(now),
            message_key,
        )
        .join(
            Lead,
            and_(Lead.id == PassHistory.lead_id, Lead.bucket_office_id == PassHistory.to_office_id),
        )
        .join(OfficeMember, OfficeMember.office_id == PassHistory.to_office_id)
        .join(User, User.id == OfficeMember.user_id)
        .where(
            PassHistory.batch_id == batch_id,
            OfficeMember.is_office_manager.is_(True),
            User.id != actor_id,
            User.active.is_(True),
            ~already_queued,
        )
        .group_by(User.id, User.email)
    )
    queued += _insert_rows(session, office_rows)

    group_rows = (
        select(
            literal(batch_id),
            User.id,
            User.email,
            literal("bucket"),
            func.count(PassHistory.id),
            literal(None),
            func.min(PassHistory.to_group_id),
            literal("queued"),
            literal(0),
            literal(now),
            literal(now),
            message_key,
        )
        .join(
            Lead,
            and_(Lead.id == PassHistory.lead_id, Lead.bucket_group_id == PassHistory.to_group_id),
        )
        .join(PassGroupMember, PassGroupMember.group_id == PassHistory.to_group_id)
        .join(User, User.id == PassGroupMember.user_id)
        .where(
            PassHistory.batch_id == batch_id,
            User.id != actor_id,
            User.active.is_(True),
            ~already_queued,
        )
        .group_by(User.id, User.email)
    )
    queued += _insert_rows(session, group_rows)
    return queued


def _insert_rows(session: Session, rows: object) -> int:
    # SQLAlchemy keeps an INSERT's rowcount only when asked (psycopg drops it on close).
    result = session.execute(
        insert(OutboxMessage).from_select(OUTBOX_COLUMNS, rows),  # type: ignore[arg-type]
        execution_options={"preserve_rowcount": True},
    )
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
