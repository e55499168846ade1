"""Read queries shared by the command line and the window. Functions take a Session."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from leaddesk.store.models import (
    BucketRule,
    Lead,
    LeadNote,
    ManagerRight,
    Office,
    OfficeMember,
    PassBatch,
    PassGroup,
    PassGroupMember,
    PassHistory,
    Status,
    User,
)


@dataclass(frozen=True)
class LeadRow:
    id: int
    name: str
    company: str
    status: str
    owner: str | None
    bucket: str | None
    version: int
    updated_at: datetime

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat(timespec="seconds")
        return data


def _lead_row_select():
    return (
        select(
            Lead.id,
            Lead.name,
            Lead.company,
            Status.name,
            User.name,
            func.coalesce(Office.name, PassGroup.name),
            Lead.version,
            Lead.updated_at,
        )
        .join(Status, Status.id == Lead.status_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .outerjoin(Office, Office.id == Lead.bucket_office_id)
        .outerjoin(PassGroup, PassGroup.id == Lead.bucket_group_id)
    )


def managed_condition(actor: User):  # noqa: ANN201
    """SQL condition: the lead's owner is managed by the actor (always true for admins)."""
    if actor.is_admin:
        return Lead.owner_id.is_not(None)
    return Lead.owner_id.in_(
        select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
    )


def visible_leads(
    session: Session,
    actor: User,
    *,
    owner_id: int | None = None,
    status_id: int | None = None,
    limit: int | None = None,
) -> list[LeadRow]:
    """Owned leads the actor may see (owners they manage), ordered by owner, status, name."""
    query = _lead_row_select().where(managed_condition(actor))
    if owner_id is not None:
        query = query.where(Lead.owner_id == owner_id)
    if status_id is not None:
        query = query.where(Lead.status_id == status_id)
    query = query.order_by(User.name, Status.position, Lead.name, Lead.id)
    if limit is not None:
        query = query.limit(limit)
    return [LeadRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class BucketLeads:
    kind: str  # "office" or "group"
    id: int
    name: str
    leads: list[LeadRow]
    # Leads waiting longer than this are overdue (see leaddesk.store.waiting); None: no limit.
    waiting_limit_minutes: int | None = None


def visible_buckets(session: Session, actor: User) -> list[BucketLeads]:
    """The Leads to be Assigned buckets the actor sees, each with its waiting leads.

    Three statements whatever the number of buckets (each is a round trip on a slow link):
    the offices and the pass groups, each with its waiting limit joined in, then every
    visible bucket's leads at once."""
    office_query = (
        select(Office.id, Office.name, BucketRule.waiting_limit_minutes)
        .outerjoin(BucketRule, BucketRule.office_id == Office.id)
        .order_by(Office.name)
    )
    group_query = (
        select(PassGroup.id, PassGroup.name, BucketRule.waiting_limit_minutes)
        .outerjoin(BucketRule, BucketRule.group_id == PassGroup.id)
        .order_by(PassGroup.name)
    )
    if not actor.is_admin:
        office_query = office_query.join(OfficeMember, OfficeMember.office_id == Office.id).where(
            OfficeMember.user_id == actor.id, OfficeMember.is_office_manager.is_(True)
        )
        group_query = group_query.join(
            PassGroupMember, PassGroupMember.group_id == PassGroup.id
        ).where(PassGroupMember.user_id == actor.id)
    offices = list(session.execute(office_query))
    groups = list(session.execute(group_query))
    if actor.is_admin:
        in_a_bucket = or_(Lead.bucket_office_id.is_not(None), Lead.bucket_group_id.is_not(None))
    else:
        in_a_bucket = or_(
            Lead.bucket_office_id.in_([office_id for office_id, _name, _limit in offices]),
            Lead.bucket_group_id.in_([group_id for group_id, _name, _limit in groups]),
        )
    waiting: dict[tuple[str, int], list[LeadRow]] = {}
    if offices or groups:
        rows = session.execute(
            _lead_row_select()
            .add_columns(Lead.bucket_office_id, Lead.bucket_group_id)
            .where(in_a_bucket)
            .order_by(Lead.created_at, Lead.id)
        )
        for *fields, office_id, group_id in rows:
            key = ("office", office_id) if office_id is not None else ("group", group_id)
            waiting.setdefault(key, []).append(LeadRow(*fields))
    return [
        BucketLeads(
            kind=kind,
            id=bucket_id,
            name=name,
            leads=waiting.get((kind, bucket_id), []),
            waiting_limit_minutes=limit,
        )
        for kind, places in (("office", offices), ("group", groups))
        for bucket_id, name, limit in places
    ]


@dataclass(frozen=True)
class HistoryRow:
    batch_id: int
    when: datetime
    actor: str
    method: str
    from_place: str
    to_place: str
    note: str
    undone_by: int | None
    # The database login that made the pass when it is not the actor's own (the owner login
    # acting for someone on a server); None otherwise.
    login: str | None = None

    @property
    def actor_label(self) -> str:
        return login_label(self.actor, self.login)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["when"] = self.when.isoformat(timespec="seconds")
        return data


@dataclass(frozen=True)
class HistoryPlaces:
    """Aliases for where a pass-history row's lead came from and went to (a user, an office
    bucket or a pass-group bucket), and the six outer joins that fetch their names."""

    from_user: Any
    from_office: Any
    from_group: Any
    to_user: Any
    to_office: Any
    to_group: Any

    @classmethod
    def aliased(cls) -> HistoryPlaces:
        return cls(
            aliased(User),
            aliased(Office),
            aliased(PassGroup),
            aliased(User),
            aliased(Office),
            aliased(PassGroup),
        )

    def outerjoin(self, query: Select[Any]) -> Select[Any]:
        return (
            query.outerjoin(self.from_user, self.from_user.id == PassHistory.from_owner_id)
            .outerjoin(self.to_user, self.to_user.id == PassHistory.to_owner_id)
            .outerjoin(self.from_office, self.from_office.id == PassHistory.from_office_id)
            .outerjoin(self.to_office, self.to_office.id == PassHistory.to_office_id)
            .outerjoin(self.from_group, self.from_group.id == PassHistory.from_group_id)
            .outerjoin(self.to_group, self.to_group.id == PassHistory.to_group_id)
        )


def lead_history(session: Session, lead_id: int) -> list[HistoryRow]:
    """Every pass of one lead, newest first."""
    actor = aliased(User)
    places = HistoryPlaces.aliased()
    query = places.outerjoin(
        select(
            PassBatch.id,
            PassBatch.created_at,
            actor.name,
            PassBatch.method,
            func.coalesce(places.from_user.name, places.from_office.name, places.from_group.name),
            func.coalesce(places.to_user.name, places.to_office.name, places.to_group.name),
            PassBatch.note,
            PassBatch.undone_by_id,
            PassBatch.db_login,
            actor.db_login,
            places.from_office.id,
            places.from_group.id,
            places.to_office.id,
            places.to_group.id,
        )
        .select_from(PassHistory)
        .join(PassBatch, PassBatch.id == PassHistory.batch_id)
        .join(actor, actor.id == PassBatch.actor_id)
    )
    query = query.where(PassHistory.lead_id == lead_id).order_by(PassHistory.id.desc())
    rows = []
    for (
        batch_id,
        when,
        who,
        method,
        src,
        dst,
        note,
        undone,
        login,
        actor_login,
        f_off,
        f_grp,
        t_off,
        t_grp,
    ) in session.execute(query):
        rows.append(
            HistoryRow(
                batch_id=batch_id,
                when=when,
                actor=who,
                method=method,
                from_place=place_label(src, f_off, f_grp),
                to_place=place_label(dst, t_off, t_grp),
                note=note,
                undone_by=undone,
                login=other_login(login, actor_login),
            )
        )
    return rows


def other_login(login: str | None, person_login: str | None) -> str | None:
    """The login that acted, when it is not the person's own (else None)."""
    return login if login is not None and login != person_login else None


def login_label(person: str, login: str | None) -> str:
    """``Ada Admin`` or, when another login acted for her, ``Ada Admin (login postgres)``."""
    return f"{person} (login {login})" if login else person


def place_label(name: str | None, office_id: int | None, group_id: int | None) -> str:
    if name is None:
        return "-"
    if office_id is not None or group_id is not None:
        return f"Leads to be Assigned: {name}"
    return name


@dataclass(frozen=True)
class NoteRow:
    when: datetime
    author: str
    body: str
    batch_id: int | None


def lead_notes(session: Session, lead_id: int) -> list[NoteRow]:
    query = (
        select(LeadNote.created_at, User.name, LeadNote.body, LeadNote.batch_id)
        .join(User, User.id == LeadNote.author_id)
        .where(LeadNote.lead_id == lead_id)
        .order_by(LeadNote.id.desc())
    )
    return [NoteRow(*row) for row in session.execute(query)]


def lead_row(session: Session, lead_id: int) -> LeadRow | None:
    row = session.execute(_lead_row_select().where(Lead.id == lead_id)).first()
    return LeadRow(*row) if row else None


def statuses(session: Session) -> list[Status]:
    return list(session.scalars(select(Status).order_by(Status.position, Status.id)))
