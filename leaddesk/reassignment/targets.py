"""Who and where the actor may pass to: the lists behind the target pane and the combos.

These are the same rules the controller enforces, read ahead so the window offers only
valid targets (the help article: "If you do not see the user on the right, you do not have
manager right of this user").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.reassignment import permissions
from leaddesk.store.lookup import find_lead
from leaddesk.store.models import Lead, Office, PassGroup, Status, User


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
    """Active users the actor manages (with their open-lead load), every office and group."""
    actor = permissions.get_actor(session, actor_id)
    managed = permissions.managed_user_ids(session, actor)
    open_counts = dict(
        session.execute(
            select(Lead.owner_id, func.count(Lead.id))
            .join(Status, Status.id == Lead.status_id)
            .where(Status.is_closed.is_(False), Lead.owner_id.is_not(None))
            .group_by(Lead.owner_id)
        ).all()
    )
    users = [
        TargetUser(id=user_id, name=name, open_leads=open_counts.get(user_id, 0))
        for user_id, name in session.execute(
            select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)
        )
        if user_id in managed
    ]
    office_waiting = dict(
        session.execute(
            select(Lead.bucket_office_id, func.count(Lead.id))
            .where(Lead.bucket_office_id.is_not(None))
            .group_by(Lead.bucket_office_id)
        ).all()
    )
    group_waiting = dict(
        session.execute(
            select(Lead.bucket_group_id, func.count(Lead.id))
            .where(Lead.bucket_group_id.is_not(None))
            .group_by(Lead.bucket_group_id)
        ).all()
    )
    offices = [
        TargetPlace(id=i, name=n, waiting=office_waiting.get(i, 0))
        for i, n in session.execute(select(Office.id, Office.name).order_by(Office.name))
    ]
    groups = [
        TargetPlace(id=i, name=n, waiting=group_waiting.get(i, 0))
        for i, n in session.execute(select(PassGroup.id, PassGroup.name).order_by(PassGroup.name))
    ]
    return PassTargets(users=users, offices=offices, groups=groups)


def bucket_assignees(session: Session, *, actor_id: int, lead_id: int) -> list[TargetUser]:
    """Users a bucket lead may be assigned to: the actor, that office's or group's active
    members, and active users the actor manages."""
    actor = permissions.get_actor(session, actor_id)
    lead = find_lead(session, lead_id)
    if lead.bucket_office_id is None and lead.bucket_group_id is None:
        raise InvalidInputError(f"Lead {lead.id} is not waiting in a Leads to be Assigned bucket.")
    allowed = permissions.bucket_member_ids(
        session, office_id=lead.bucket_office_id, group_id=lead.bucket_group_id
    )
    allowed |= permissions.managed_user_ids(session, actor)
    allowed.add(actor.id)
    rows = session.execute(
        select(User.id, User.name)
        .where(User.active.is_(True), User.id.in_(allowed))
        .order_by(User.name)
    )
    return [TargetUser(id=i, name=n, open_leads=0) for i, n in rows]
