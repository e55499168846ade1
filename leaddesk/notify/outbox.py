"""Queueing notifications: one outbox row per recipient per batch, set-based.

Called by the reassignment controller inside the pass transaction, so a pass and its
emails commit or roll back together. Sending is ``leaddesk.notify.sender``'s job.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.dml import Insert

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
    """Queue the emails for one batch in one statement; returns how many rows were queued."""
    # SQLAlchemy keeps an INSERT's rowcount only when asked (psycopg drops it on close).
    result = session.execute(
        batch_notifications(batch_ids=[batch_id], actor_id=actor_id, now=now),
        execution_options={"preserve_rowcount": True},
    )
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]


def batch_notifications(*, batch_ids: Sequence[int], actor_id: int, now: datetime) -> Insert:
    """The one INSERT that queues the emails of these batches of one actor (a pass on a
    server sends it as a CTE of the statement that closes its batch; a replica's sync, for
    the many batches it replays at once).

    New owners get one "leads passed to you" row each; office managers of an office bucket
    and members of a pass-group bucket get one "waiting to be assigned" row each, counting
    the leads still waiting there (automatic assignment may already have given them owners).
    A person reached more than one way within a batch (an undo sends leads to owners and
    buckets) gets one row, the first that applies: owner, then office bucket, then pass-group
    bucket. The actor is never emailed about their own pass.
    """
    # One random token per statement plus the batch and the recipient (unique within a
    # batch): a unique message key per row, made set-based on both backends.
    message_key = (
        literal(f"{uuid.uuid4().hex}.", String)
        + cast(PassHistory.batch_id, String)
        + literal(".", String)
        + cast(User.id, String)
    )
    recipient = (User.id != actor_id, User.active.is_(True))
    ids = sorted(set(batch_ids))

    def row(kind: str, office_id: object, group_id: object) -> tuple[object, ...]:
        return (
            PassHistory.batch_id,
            User.id,
            User.email,
            literal(kind),
            func.count(PassHistory.id),
            office_id,
            group_id,
            literal("queued"),
            literal(0),
            literal(now),
            literal(now),
            message_key,
        )

    owner_rows = (
        select(*row("owner", literal(None, Integer), literal(None, Integer)))
        .join(User, User.id == PassHistory.to_owner_id)
        .where(PassHistory.batch_id.in_(ids), *recipient)
        .group_by(PassHistory.batch_id, User.id, User.email)
    )
    # The arms of one INSERT cannot see each other's rows, so each later arm leaves out who
    # an earlier one reaches (and anyone already queued for this batch). The sets are
    # uncorrelated, so the database builds each once per statement (a hashed subplan).
    owner_history = aliased(PassHistory)
    gets_owner_row = tuple_(PassHistory.batch_id, User.id).in_(
        select(owner_history.batch_id, owner_history.to_owner_id).where(
            owner_history.batch_id.in_(ids), owner_history.to_owner_id.is_not(None)
        )
    )
    already_queued = exists().where(
        and_(
            OutboxMessage.batch_id == PassHistory.batch_id,
            OutboxMessage.recipient_id == User.id,
        )
    )
    office_rows = (
        select(*row("bucket", func.min(PassHistory.to_office_id), literal(None, Integer)))
        .join(
            Lead,
            and_(Lead.id == PassHistory.lead_id, Lead.bucket_office_id == PassHistory.to_office_id),
        )
        .join(OfficeMember, OfficeMember.office_id == PassHistory.to_office_id)
        .join(User, User.id == OfficeMember.user_id)
        .where(
            PassHistory.batch_id.in_(ids),
            OfficeMember.is_office_manager.is_(True),
            *recipient,
            ~gets_owner_row,
            ~already_queued,
        )
        .group_by(PassHistory.batch_id, User.id, User.email)
    )
    office_history = aliased(PassHistory)
    waiting = aliased(Lead)
    manager = aliased(OfficeMember)
    gets_office_row = tuple_(PassHistory.batch_id, User.id).in_(
        select(office_history.batch_id, manager.user_id).where(
            office_history.batch_id.in_(ids),
            waiting.id == office_history.lead_id,
            waiting.bucket_office_id == office_history.to_office_id,
            manager.office_id == office_history.to_office_id,
            manager.is_office_manager.is_(True),
        )
    )
    group_rows = (
        select(*row("bucket", literal(None, Integer), func.min(PassHistory.to_group_id)))
        .join(
            Lead,
            and_(Lead.id == PassHistory.lead_id, Lead.bucket_group_id == PassHistory.to_group_id),
        )
        .join(PassGroupMember, PassGroupMember.group_id == PassHistory.to_group_id)
        .join(User, User.id == PassGroupMember.user_id)
        .where(
            PassHistory.batch_id.in_(ids),
            *recipient,
            ~gets_owner_row,
            ~gets_office_row,
            ~already_queued,
        )
        .group_by(PassHistory.batch_id, User.id, User.email)
    )
    return insert(OutboxMessage).from_select(
        OUTBOX_COLUMNS, union_all(owner_rows, office_rows, group_rows)
    )
