"""Who and where the actor may pass to: the lists behind the target pane and the combos.

These are the same rules the controller enforces, read ahead so the window offers only
valid targets (the help article: "If you do not see the user on the right, you do not have
manager right of this user").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.reassignment import permissions
from leaddesk.reassignment.requests import Target, TargetKind
from leaddesk.store.models import (
    BucketRule,
    Lead,
    ManagerRight,
    Office,
    OfficeMember,
    PassGroup,
    PassGroupMember,
    Status,
    User,
)


@dataclass(frozen=True)
class TargetUser:
    id: int
    name: str
    open_leads: int


@dataclass(frozen=True)
class TargetPlace:
    id: int
    name: str
    waiting: int


@dataclass(frozen=True)
class PassTargets:
    users: list[TargetUser]
    offices: list[TargetPlace]
    groups: list[TargetPlace]


def pass_targets(session: Session, *, actor_id: int) -> PassTargets:
    """Active users the actor manages (with their open-lead load), every office and group.

    Four statements whatever the size (the actor, then users, offices and groups each with
    its count joined in): every one is a round trip on a slow link.
    """
    actor = permissions.get_actor(session, actor_id)
    open_leads = (
        select(Lead.owner_id.label("owner_id"), func.count(Lead.id).label("leads"))
        .join(Status, Status.id == Lead.status_id)
        .where(Status.is_closed.is_(False), Lead.owner_id.is_not(None))
        .group_by(Lead.owner_id)
        .subquery()
    )
    user_query = (
        select(User.id, User.name, func.coalesce(open_leads.c.leads, 0))
        .outerjoin(open_leads, open_leads.c.owner_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.name)
    )
    if not actor.is_admin:  # an administrator manages everyone
        user_query = user_query.where(
            User.id.in_(select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id))
        )
    users = [
        TargetUser(id=user_id, name=name, open_leads=count)
        for user_id, name, count in session.execute(user_query)
    ]
    return PassTargets(
        users=users,
        offices=_places_with_waiting(session, Office, Lead.bucket_office_id),
        groups=_places_with_waiting(session, PassGroup, Lead.bucket_group_id),
    )


def _places_with_waiting(
    session: Session, place: type[Office] | type[PassGroup], bucket_column: Any
) -> list[TargetPlace]:
    """Every office (or pass group) by name, with how many leads wait in its bucket."""
    waiting = (
        select(bucket_column.label("place_id"), func.count(Lead.id).label("leads"))
        .where(bucket_column.is_not(None))
        .group_by(bucket_column)
        .subquery()
    )
    rows = session.execute(
        select(place.id, place.name, func.coalesce(waiting.c.leads, 0))
        .outerjoin(waiting, waiting.c.place_id == place.id)
        .order_by(place.name)
    )
    return [TargetPlace(id=i, name=n, waiting=count) for i, n, count in rows]


def bucket_assignees(
    session: Session, *, actor_id: int, lead_ids: Sequence[int]
) -> list[TargetUser]:
    """Users every one of the bucket leads may be assigned to: the actor, active users the
    actor manages, and the active members of every bucket the leads wait in (a selection
    can span buckets). Four statements for any number of leads."""
    actor = permissions.get_actor(session, actor_id)
    wanted = sorted(set(lead_ids))
    places = session.execute(
        select(Lead.id, Lead.bucket_office_id, Lead.bucket_group_id).where(Lead.id.in_(wanted))
    ).all()
    found = {lead_id for lead_id, _office, _group in places}
    missing = [lead_id for lead_id in wanted if lead_id not in found]
    if missing:
        raise NotFoundError(f"There is no lead with id {missing[0]}.")
    for lead_id, office_id, group_id in places:
        if office_id is None and group_id is None:
            raise InvalidInputError(
                f"Lead {lead_id} is not waiting in a Leads to be Assigned bucket."
            )
    buckets = {(office, group) for _lead, office, group in places}
    # Members of every bucket involved, in one statement; a user must be in all of them.
    office_ids = sorted({office for office, _group in buckets if office is not None})
    group_ids = sorted({group for _office, group in buckets if group is not None})
    members = session.execute(
        union_all(
            select(literal("office"), OfficeMember.office_id, OfficeMember.user_id).where(
                OfficeMember.office_id.in_(office_ids)
            ),
            select(literal("group"), PassGroupMember.group_id, PassGroupMember.user_id).where(
                PassGroupMember.group_id.in_(group_ids)
            ),
        )
    ).all()
    in_bucket: dict[tuple[str, int], set[int]] = {}
    for kind, place_id, user_id in members:
        in_bucket.setdefault((kind, place_id), set()).add(user_id)
    keys = [("office", o) if o is not None else ("group", g) for o, g in buckets]
    in_every_bucket = set.intersection(*(in_bucket.get(key, set()) for key in keys))
    managed = select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
    allowed = (
        true()  # an administrator manages everyone
        if actor.is_admin
        else or_(User.id.in_(sorted(in_every_bucket | {actor.id})), User.id.in_(managed))
    )
    rows = session.execute(
        select(User.id, User.name).where(User.active.is_(True), allowed).order_by(User.name)
    )
    return [TargetUser(id=i, name=n, open_leads=0) for i, n in rows]


def bucket_unwatched(session: Session, target: Target) -> bool:
    """Whether leads passed into this bucket would wait unseen: it has no active office
    manager (an office) or member (a pass group) to be emailed and to see it in their tab,
    and no rule assigns its arrivals by itself. One statement."""
    if target.kind is TargetKind.OFFICE:
        watcher = (
            select(OfficeMember.user_id)
            .join(User, User.id == OfficeMember.user_id)
            .where(
                OfficeMember.office_id == target.id,
                OfficeMember.is_office_manager.is_(True),
                User.active.is_(True),
            )
        )
        assigning = BucketRule.office_id == target.id
    elif target.kind is TargetKind.GROUP:
        watcher = (
            select(PassGroupMember.user_id)
            .join(User, User.id == PassGroupMember.user_id)
            .where(PassGroupMember.group_id == target.id, User.active.is_(True))
        )
        assigning = BucketRule.group_id == target.id
    else:
        return False
    rule = select(BucketRule.id).where(assigning, BucketRule.auto.is_(True))
    return not session.scalar(select(or_(watcher.exists(), rule.exists())))
