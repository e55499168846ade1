"""Pass groups and their members (members see the group's bucket)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.naming import add_named, rename_named
from leaddesk.admin.offices import MemberRow
from leaddesk.admin.users import get_user
from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.models import BucketRule, Lead, PassGroup, PassGroupMember, User


@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    waiting_leads: int
    members: list[MemberRow] = field(default_factory=list)
    rule: str = "manual"
    auto: bool = False
    waiting_limit_minutes: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "waiting_leads": self.waiting_leads,
            "assign": self.rule.replace("_", "-"),
            "auto": self.auto,
            "waiting_limit_minutes": self.waiting_limit_minutes,
            "members": [{"name": m.name, "active": m.active} for m in self.members],
        }


def list_groups(session: Session, actor_id: int) -> list[GroupRow]:
    require_admin(session, actor_id)
    waiting = dict(
        session.execute(
            select(Lead.bucket_group_id, func.count(Lead.id))
            .where(Lead.bucket_group_id.is_not(None))
            .group_by(Lead.bucket_group_id)
        ).all()
    )
    members: dict[int, list[MemberRow]] = {}
    for group_id, user_id, name, active in session.execute(
        select(PassGroupMember.group_id, User.id, User.name, User.active)
        .join(User, User.id == PassGroupMember.user_id)
        .order_by(User.name)
    ):
        members.setdefault(group_id, []).append(MemberRow(user_id, name, active))
    rules = {
        rule.group_id: rule
        for rule in session.scalars(select(BucketRule).where(BucketRule.group_id.is_not(None)))
    }
    return [
        GroupRow(
            id=g.id,
            name=g.name,
            waiting_leads=waiting.get(g.id, 0),
            members=members.get(g.id, []),
            rule=rules[g.id].rule if g.id in rules else "manual",
            auto=g.id in rules and rules[g.id].auto,
            waiting_limit_minutes=rules[g.id].waiting_limit_minutes if g.id in rules else None,
        )
        for g in session.scalars(select(PassGroup).order_by(PassGroup.name))
    ]


def get_group(session: Session, group_id: int) -> PassGroup:
    group = session.get(PassGroup, group_id)
    if group is None:
        raise NotFoundError(f"There is no pass group with id {group_id}.")
    return group


def add_group(session: Session, actor_id: int, *, name: str) -> PassGroup:
    actor = require_admin(session, actor_id)
    return add_named(session, actor, PassGroup, name=name, noun="pass group", action="group.add")


def rename_group(session: Session, actor_id: int, group_id: int, *, name: str) -> PassGroup:
    actor = require_admin(session, actor_id)
    group = get_group(session, group_id)
    rename_named(session, actor, group, name=name, noun="pass group", action="group.rename")
    return group


def add_group_member(session: Session, actor_id: int, group_id: int, user_id: int) -> None:
    actor = require_admin(session, actor_id)
    group = get_group(session, group_id)
    user = get_user(session, user_id)
    if not user.active:
        raise InvalidInputError(f"{user.name} is inactive and cannot join {group.name}.")
    if session.get(PassGroupMember, (group.id, user.id)) is not None:
        raise InvalidInputError(f"{user.name} is already a member of {group.name}.")
    session.add(PassGroupMember(group_id=group.id, user_id=user.id))
    session.flush()
    record(session, actor, "group.add_member", f"Added {user.name} to pass group {group.name}.")


def remove_group_member(session: Session, actor_id: int, group_id: int, user_id: int) -> None:
    actor = require_admin(session, actor_id)
    group = get_group(session, group_id)
    user = get_user(session, user_id)
    member = session.get(PassGroupMember, (group.id, user.id))
    if member is None:
        raise InvalidInputError(f"{user.name} is not a member of {group.name}.")
    session.delete(member)
    session.flush()
    record(
        session, actor, "group.remove_member", f"Removed {user.name} from pass group {group.name}."
    )
