"""Administrators set how a bucket is assigned, and when a user is away."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.users import get_user
from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.bucket_rules import AssignRule, BucketKey, rule_row
from leaddesk.store.models import BucketRule, Office, PassGroup
from leaddesk.store.waiting import limit_text


def bucket_name(session: Session, bucket: BucketKey) -> str:
    row = (
        session.get(Office, bucket.office_id)
        if bucket.office_id is not None
        else session.get(PassGroup, bucket.group_id)
    )
    if row is None:
        noun = "office" if bucket.office_id is not None else "pass group"
        raise NotFoundError(f"There is no {noun} with id {bucket.office_id or bucket.group_id}.")
    return row.name


def set_bucket_rule(
    session: Session, actor_id: int, bucket: BucketKey, *, rule: AssignRule, auto: bool = False
) -> BucketRule:
    """Set the bucket's rule (and whether it assigns leads automatically on arrival)."""
    actor = require_admin(session, actor_id)
    name = bucket_name(session, bucket)
    if auto and rule is AssignRule.MANUAL:
        raise InvalidInputError(
            "Automatic assignment needs a rule: choose round-robin or least-loaded."
        )
    row = rule_row(session, bucket)
    if row is None:
        row = BucketRule(office_id=bucket.office_id, group_id=bucket.group_id)
        session.add(row)
    row.rule = rule.value
    row.auto = auto
    session.flush()
    how = f"{rule.label}, automatic on arrival" if auto else rule.label
    record(session, actor, "bucket.rule", f"Leads to be Assigned of {name}: {how}.")
    return row


def set_waiting_limit(
    session: Session, actor_id: int, bucket: BucketKey, minutes: int | None
) -> BucketRule | None:
    """How long a lead may wait in the bucket before it is overdue; ``None``: no limit."""
    actor = require_admin(session, actor_id)
    name = bucket_name(session, bucket)
    row = rule_row(session, bucket)
    if row is None and minutes is None:
        return None
    if row is None:
        row = BucketRule(office_id=bucket.office_id, group_id=bucket.group_id, rule="manual")
        session.add(row)
    row.waiting_limit_minutes = minutes
    session.flush()
    record(
        session,
        actor,
        "bucket.waiting_limit",
        f"Leads to be Assigned of {name}: waiting limit {limit_text(minutes)}.",
    )
    return row


def set_away(
    session: Session,
    actor_id: int,
    user_id: int,
    *,
    away_from: datetime | None,
    away_until: datetime | None,
) -> None:
    """Mark a user away (either end may be open); both ``None`` means back, not away."""
    actor = require_admin(session, actor_id)
    user = get_user(session, user_id)
    if away_from is not None and away_until is not None and away_until <= away_from:
        raise InvalidInputError(
            f"The away period of {user.name} must end after it starts "
            f"({away_from:%Y-%m-%d %H:%M} to {away_until:%Y-%m-%d %H:%M})."
        )
    user.away_from = away_from
    user.away_until = away_until
    session.flush()
    if away_from is None and away_until is None:
        detail = f"{user.name} is no longer marked away."
    else:
        start = f"{away_from:%Y-%m-%d %H:%M}" if away_from else "now"
        end = f"{away_until:%Y-%m-%d %H:%M}" if away_until else "further notice"
        detail = f"{user.name} is away from {start} until {end} (UTC)."
    record(session, actor, "user.away", detail)
