"""Planning "assign all waiting leads by the bucket's rule": who gets which lead.

Pure reads and arithmetic, no Qt and no writes: the preview shows exactly this plan, and
:func:`leaddesk.reassignment.rule_assign.assign_by_plan` applies exactly this plan (pinned
to the lead versions and the round-robin cursor it was made from), or refuses.

- Round robin: the bucket's available members in id order, starting after the member who
  got the bucket's last lead (the cursor stored on the rule), wrapping around; so no one
  gets a second lead before everyone available got one, across runs and restarts.
- Least loaded: each lead goes to the member with the fewest open leads at that moment
  (counting the leads this plan gave them), ties to the one who received a lead longest ago
  (never before counts as longest), then by id.

Available means active and not away; a plan without anyone available is refused.
"""

from __future__ import annotations

import contextlib
import heapq
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from leaddesk.reassignment import permissions
from leaddesk.store.bucket_rules import (
    AssignRule,
    BucketKey,
    away_condition,
    in_bucket,
    rule_row,
)
from leaddesk.store.lookup import find_group, find_office
from leaddesk.store.models import (
    Lead,
    Office,
    OfficeMember,
    PassBatch,
    PassGroup,
    PassGroupMember,
    PassHistory,
    Status,
    User,
    utc_now,
)


@dataclass(frozen=True)
class PlannedLead:
    lead_id: int
    lead_name: str
    version: int
    user_id: int


@dataclass(frozen=True)
class AssignmentPlan:
    bucket: BucketKey
    bucket_name: str
    rule: AssignRule
    leads: tuple[PlannedLead, ...]
    # The available members, in the rule's order, by id.
    members: dict[int, str] = field(default_factory=dict)
    # The round-robin cursor the plan started from; applying checks it is unchanged.
    cursor_before: int | None = None

    @property
    def cursor_after(self) -> int | None:
        return self.leads[-1].user_id if self.leads else self.cursor_before

    def counts(self) -> list[tuple[str, int]]:
        """Leads per member, in the members' order, members who get none left out."""
        per_user: dict[int, int] = {}
        for lead in self.leads:
            per_user[lead.user_id] = per_user.get(lead.user_id, 0) + 1
        return [(name, per_user[uid]) for uid, name in self.members.items() if uid in per_user]


def bucket_of_place(session: Session, name_or_id: str) -> BucketKey:
    """An office or pass group by what people type; refused if both have that name."""
    office = group = None
    with contextlib.suppress(NotFoundError):
        office = find_office(session, name_or_id)
    with contextlib.suppress(NotFoundError):
        group = find_group(session, name_or_id)
    if office is not None and group is not None:
        raise InvalidInputError(
            f"'{name_or_id}' is both an office and a pass group; use its id instead."
        )
    if office is not None:
        return BucketKey(office_id=office.id)
    if group is not None:
        return BucketKey(group_id=group.id)
    raise NotFoundError(f"There is no office or pass group called '{name_or_id}'.")


def plan_by_rule(
    session: Session,
    *,
    actor_id: int,
    bucket: BucketKey,
    now: datetime | None = None,
    arrived_in_batch: int | None = None,
) -> AssignmentPlan:
    """Who gets which waiting lead (or only those that arrived with ``arrived_in_batch``:
    then the bucket's automatic rule acts, so the actor need not see the bucket)."""
    now = now or utc_now()
    actor = permissions.get_actor(session, actor_id)
    if arrived_in_batch is None:
        name = _require_visible(session, actor, bucket)
    else:
        name = _place_name(session, bucket)
    rule = rule_row(session, bucket)
    if rule is None or rule.rule == AssignRule.MANUAL.value:
        raise InvalidInputError(
            f"The leads waiting in {name} are assigned by hand; an administrator can give "
            "the bucket a rule (round robin or least loaded) first."
        )
    waiting_query = (
        select(Lead.id, Lead.name, Lead.version)
        .where(in_bucket(bucket))
        .order_by(Lead.updated_at, Lead.id)
    )
    if arrived_in_batch is not None:
        waiting_query = waiting_query.where(Lead.last_batch_id == arrived_in_batch)
    waiting = session.execute(waiting_query).all()
    if not waiting:
        raise InvalidInputError(f"No lead is waiting in {name}; nothing to assign.")
    members = available_members(session, bucket, now)
    if not members:
        raise InvalidInputError(
            f"No member of {name} can take leads now (all are away or inactive); "
            "nothing was assigned."
        )
    assign_rule = AssignRule(rule.rule)
    if assign_rule is AssignRule.ROUND_ROBIN:
        order = _round_robin(list(members), rule.last_assigned_user_id, len(waiting))
    else:
        order = _least_loaded(session, bucket, list(members), len(waiting))
    leads = tuple(
        PlannedLead(lead_id, lead_name, version, user_id)
        for (lead_id, lead_name, version), user_id in zip(waiting, order, strict=True)
    )
    return AssignmentPlan(
        bucket=bucket,
        bucket_name=name,
        rule=assign_rule,
        leads=leads,
        members=members,
        cursor_before=rule.last_assigned_user_id,
    )


def available_members(session: Session, bucket: BucketKey, now: datetime) -> dict[int, str]:
    """The bucket's active members who are not away, by id: {id: name}."""
    if bucket.office_id is not None:
        membership = select(OfficeMember.user_id).where(OfficeMember.office_id == bucket.office_id)
    else:
        membership = select(PassGroupMember.user_id).where(
            PassGroupMember.group_id == bucket.group_id
        )
    rows = session.execute(
        select(User.id, User.name)
        .where(User.id.in_(membership), User.active.is_(True), ~away_condition(now))
        .order_by(User.id)
    ).all()
    return {user_id: name for user_id, name in rows}


def _round_robin(members: list[int], cursor: int | None, count: int) -> list[int]:
    start = next((i for i, uid in enumerate(members) if cursor is not None and uid > cursor), 0)
    return [members[(start + k) % len(members)] for k in range(count)]


def member_load(
    session: Session, bucket: BucketKey, members: list[int]
) -> tuple[dict[int, int], dict[int, datetime]]:
    """Open leads per member, and when each last received a lead (never: left out).

    On PostgreSQL through ``leaddesk_bucket_load`` (migration 0005), which counts past
    row-level security: a manager on a shared server reads only some of the members' leads,
    and a count of those would be wrong.
    """
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT user_id, open_leads, last_received FROM leaddesk_bucket_load(:o, :g)"),
            {"o": bucket.office_id, "g": bucket.group_id},
        ).all()
        wanted = set(members)
        loads = {uid: count for uid, count, _ in rows if uid in wanted}
        return loads, {uid: when for uid, _, when in rows if uid in wanted and when}
    loads = dict(
        session.execute(
            select(Lead.owner_id, func.count(Lead.id))
            .join(Status, Status.id == Lead.status_id)
            .where(Lead.owner_id.in_(members), Status.is_closed.is_(False))
            .group_by(Lead.owner_id)
        ).all()
    )
    last_received = dict(
        session.execute(
            select(PassHistory.to_owner_id, func.max(PassBatch.created_at))
            .join(PassBatch, PassBatch.id == PassHistory.batch_id)
            .where(PassHistory.to_owner_id.in_(members))
            .group_by(PassHistory.to_owner_id)
        ).all()
    )
    return loads, last_received  # type: ignore[return-value]


def _least_loaded(session: Session, bucket: BucketKey, members: list[int], count: int) -> list[int]:
    loads, last_received = member_load(session, bucket, members)
    # (open leads, phase, when last received, tie): never received sorts first among equals;
    # a lead this plan gives makes its receiver the most recent (phase 1, in plan order).
    heap = [
        (loads.get(uid, 0), 0, last_received.get(uid) or datetime.min, uid, uid) for uid in members
    ]
    heapq.heapify(heap)
    order: list[int] = []
    for step in range(count):
        load, _phase, _when, _tie, uid = heapq.heappop(heap)
        order.append(uid)
        heapq.heappush(heap, (load + 1, 1, datetime.min, step, uid))
    return order


def _place_name(session: Session, bucket: BucketKey) -> str:
    place = (
        session.get(Office, bucket.office_id)
        if bucket.office_id is not None
        else session.get(PassGroup, bucket.group_id)
    )
    assert place is not None, "a bucket with leads has its office or pass group"
    return place.name


def _require_visible(session: Session, actor: User, bucket: BucketKey) -> str:
    if bucket.office_id is not None:
        office = session.get(Office, bucket.office_id)
        if office is None or office.id not in permissions.visible_office_ids(session, actor):
            raise PermissionDeniedError(
                f"Only office managers of {office.name if office else 'that office'} can "
                "assign its waiting leads."
            )
        return office.name
    group = session.get(PassGroup, bucket.group_id)
    if group is None or group.id not in permissions.visible_group_ids(session, actor):
        raise PermissionDeniedError(
            f"Only members of {group.name if group else 'that pass group'} can assign its "
            "waiting leads."
        )
    return group.name
