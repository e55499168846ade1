"""Offices, their members, and which members are office managers (they see its bucket)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.naming import add_named, rename_named
from leaddesk.admin.users import get_user
from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.models import BucketRule, Lead, Office, OfficeMember, User


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    active: bool
    is_office_manager: bool = False


@dataclass(frozen=True)
class OfficeRow:
    id: int
    name: str
    waiting_leads: int
    members: list[MemberRow] = field(default_factory=list)
    # How the bucket is assigned (an AssignRule value) and whether automatically on arrival.
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
            "members": [
                {"name": m.name, "office_manager": m.is_office_manager, "active": m.active}
                for m in self.members
            ],
        }


def list_offices(session: Session, actor_id: int) -> list[OfficeRow]:
    require_admin(session, actor_id)
    waiting = dict(
        session.execute(
            select(Lead.bucket_office_id, func.count(Lead.id))
            .where(Lead.bucket_office_id.is_not(None))
            .group_by(Lead.bucket_office_id)
        ).all()
    )
    members: dict[int, list[MemberRow]] = {}
    for office_id, user_id, name, active, flag in session.execute(
        select(
            OfficeMember.office_id, User.id, User.name, User.active, OfficeMember.is_office_manager
        )
        .join(User, User.id == OfficeMember.user_id)
        .order_by(User.name)
    ):
        members.setdefault(office_id, []).append(MemberRow(user_id, name, active, flag))
    rules = {
        rule.office_id: rule
        for rule in session.scalars(select(BucketRule).where(BucketRule.office_id.is_not(None)))
    }
    return [
        OfficeRow(
            id=o.id,
            name=o.name,
            waiting_leads=waiting.get(o.id, 0),
            members=members.get(o.id, []),
            rule=rules[o.id].rule if o.id in rules else "manual",
            auto=o.id in rules and rules[o.id].auto,
            waiting_limit_minutes=rules[o.id].waiting_limit_minutes if o.id in rules else None,
        )
        for o in session.scalars(select(Office).order_by(Office.name))
    ]


def get_office(session: Session, office_id: int) -> Office:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFoundError(f"There is no office with id {office_id}.")
    return office


def add_office(session: Session, actor_id: int, *, name: str) -> Office:
    actor = require_admin(session, actor_id)
    return add_named(session, actor, Office, name=name, noun="office", action="office.add")


def rename_office(session: Session, actor_id: int, office_id: int, *, name: str) -> Office:
    actor = require_admin(session, actor_id)
    office = get_office(session, office_id)
    rename_named(session, actor, office, name=name, noun="office", action="office.rename")
    return office


def add_office_member(
    session: Session, actor_id: int, office_id: int, user_id: int, *, office_manager: bool = False
) -> None:
    actor = require_admin(session, actor_id)
    office = get_office(session, office_id)
    user = get_user(session, user_id)
    if not user.active:
        raise InvalidInputError(f"{user.name} is inactive and cannot join {office.name}.")
    if session.get(OfficeMember, (office.id, user.id)) is not None:
        raise InvalidInputError(f"{user.name} is already a member of {office.name}.")
    session.add(
        OfficeMember(office_id=office.id, user_id=user.id, is_office_manager=office_manager)
    )
    session.flush()
    role = " as office manager" if office_manager else ""
    record(session, actor, "office.add_member", f"Added {user.name} to {office.name}{role}.")


def remove_office_member(session: Session, actor_id: int, office_id: int, user_id: int) -> None:
    actor = require_admin(session, actor_id)
    office = get_office(session, office_id)
    user = get_user(session, user_id)
    member = session.get(OfficeMember, (office.id, user.id))
    if member is None:
        raise InvalidInputError(f"{user.name} is not a member of {office.name}.")
    session.delete(member)
    session.flush()
    record(session, actor, "office.remove_member", f"Removed {user.name} from {office.name}.")


def set_office_manager(
    session: Session, actor_id: int, office_id: int, user_id: int, *, office_manager: bool = True
) -> None:
    """Flag (or unflag) a member as office manager; they see the office's bucket."""
    actor = require_admin(session, actor_id)
    office = get_office(session, office_id)
    user = get_user(session, user_id)
    member = session.get(OfficeMember, (office.id, user.id))
    if member is None:
        raise InvalidInputError(
            f"{user.name} is not a member of {office.name}; add them to the office first."
        )
    if member.is_office_manager == office_manager:
        state = "already" if office_manager else "not"
        raise InvalidInputError(f"{user.name} is {state} an office manager of {office.name}.")
    member.is_office_manager = office_manager
    session.flush()
    detail = (
        f"{user.name} is now an office manager of {office.name}."
        if office_manager
        else f"{user.name} is no longer an office manager of {office.name}."
    )
    record(session, actor, "office.set_manager", detail)
