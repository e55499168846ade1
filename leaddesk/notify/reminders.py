"""Reminders for overdue leads: one email per bucket per period to the people who see it.

A bucket with a waiting limit (say 4 h) whose leads waited longer gets one reminder row
per watcher (its active office managers, or its pass group's active members: the people the
bucket's "waiting" emails go to) in each *period*. Administrators see every bucket but are
reminded only of a bucket nobody else watches (an office without an active office manager,
a pass group without an active member), so its leads cannot wait unnoticed.

A period is as long as the bucket's limit and counted from 1970-01-01 00:00 UTC, so with a
4 h limit the periods are 00:00-04:00, 04:00-08:00 ... UTC: a bucket that stays overdue is
reminded at most every 4 hours, and one that empties and fills again is reminded again only
in a new period.

Queueing is idempotent: the row's ``reminder_key`` names the bucket and the period's start,
and (reminder_key, recipient) is unique in the database, so any number of runs (the window's
outbox tick on several computers, ``leaddesk remind`` from cron) queue one row each.
Rows go through the outbox like every other email; what they list is rendered at sending.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, String, and_, cast, exists, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from leaddesk.notify.outbox import OUTBOX_COLUMNS
from leaddesk.store.models import (
    BucketRule,
    Lead,
    Office,
    OfficeMember,
    OutboxMessage,
    PassGroup,
    PassGroupMember,
    User,
    utc_now,
)

_EPOCH = datetime(1970, 1, 1)
_COLUMNS = [*OUTBOX_COLUMNS, "reminder_key"]


@dataclass(frozen=True)
class OverdueBucket:
    kind: str  # "office" or "group"
    id: int
    name: str
    limit_minutes: int
    overdue: int


@dataclass(frozen=True)
class ReminderReport:
    overdue_buckets: int  # buckets with overdue leads that this run could see
    queued: int  # reminder rows queued now (0 when this period's are already queued)


def period_start(limit_minutes: int, now: datetime) -> datetime:
    """The start of the period ``now`` falls in (periods as long as the limit, from 1970)."""
    minutes = int((now - _EPOCH).total_seconds() // 60)
    return _EPOCH + timedelta(minutes=minutes - minutes % limit_minutes)


def reminder_key(bucket: OverdueBucket, now: datetime) -> str:
    start = period_start(bucket.limit_minutes, now)
    return f"{bucket.kind}:{bucket.id}:{start:%Y-%m-%dT%H:%M}"


def overdue_buckets(session: Session, now: datetime) -> list[OverdueBucket]:
    """Buckets with a limit and leads that waited longer (as far as the session may read)."""
    found: list[OverdueBucket] = []
    rules = session.execute(
        select(BucketRule.office_id, BucketRule.group_id, BucketRule.waiting_limit_minutes).where(
            BucketRule.waiting_limit_minutes.is_not(None)
        )
    ).all()
    for office_id, group_id, limit in rules:
        place = (
            Lead.bucket_office_id == office_id if office_id else Lead.bucket_group_id == group_id
        )
        count = session.scalar(
            select(func.count(Lead.id)).where(
                place, Lead.updated_at < now - timedelta(minutes=limit)
            )
        )
        if not count:
            continue
        if office_id is not None:
            name = session.scalar(select(Office.name).where(Office.id == office_id))
            found.append(OverdueBucket("office", office_id, name or "", limit, count))
        else:
            name = session.scalar(select(PassGroup.name).where(PassGroup.id == group_id))
            found.append(OverdueBucket("group", group_id, name or "", limit, count))
    return found


def queue_reminders(session: Session, now: datetime | None = None) -> ReminderReport:
    """Queue this period's reminders of every overdue bucket the session may see."""
    now = now or utc_now()
    buckets = overdue_buckets(session, now)
    queued = 0
    for bucket in buckets:
        queued += _queue_for(session, bucket, reminder_key(bucket, now), now)
    return ReminderReport(overdue_buckets=len(buckets), queued=queued)


def bucket_watchers(*, office_id: int | None, group_id: int | None) -> Select[tuple[int]]:
    """Who watches a bucket (active or not): its office managers, or its group's members."""
    if office_id is not None:
        return select(OfficeMember.user_id).where(
            OfficeMember.office_id == office_id, OfficeMember.is_office_manager.is_(True)
        )
    return select(PassGroupMember.user_id).where(PassGroupMember.group_id == group_id)


def _queue_for(session: Session, bucket: OverdueBucket, key: str, now: datetime) -> int:
    watchers = bucket_watchers(
        office_id=bucket.id if bucket.kind == "office" else None,
        group_id=bucket.id if bucket.kind == "group" else None,
    )
    watcher = aliased(User)
    watched = exists().where(watcher.id.in_(watchers), watcher.active.is_(True))
    recipient = or_(User.id.in_(watchers), and_(User.is_admin.is_(True), ~watched))
    rows = select(
        literal(None),
        User.id,
        User.email,
        literal("reminder"),
        literal(bucket.overdue),
        literal(bucket.id if bucket.kind == "office" else None),
        literal(bucket.id if bucket.kind == "group" else None),
        literal("queued"),
        literal(0),
        literal(now),
        literal(now),
        literal(f"{uuid.uuid4().hex}.", String) + cast(User.id, String),
        literal(key),
    ).where(recipient, User.active.is_(True))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A second run in the same period (or a concurrent one) finds the unique
    # (reminder_key, recipient) taken and inserts nothing.
    statement = dialect.insert(OutboxMessage).from_select(_COLUMNS, rows).on_conflict_do_nothing()
    result = session.execute(statement, execution_options={"preserve_rowcount": True})
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
