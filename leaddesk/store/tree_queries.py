"""Read queries behind the window's owner tree: built to stay fast on millions of leads.

The tree loads lazily. Opening it costs one grouped count (owner x status, served by the
``leads(owner_id, status_id)`` index); the leads of a status are read a page at a time when
the status is expanded, by keyset on ``id`` so page N costs the same as page 1 (the index
holds the row id, so no sort of 50,000 rows is needed). Search reads matching leads directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from leaddesk.errors import NotFoundError, PermissionDeniedError
from leaddesk.store.models import Lead, ManagerRight, Office, PassGroup, Status, User
from leaddesk.store.queries import managed_condition

PAGE_SIZE = 200
SEARCH_LIMIT = 1000


@dataclass(frozen=True)
class StatusInfo:
    id: int
    name: str
    position: int
    is_closed: bool


@dataclass(frozen=True)
class OwnerSummary:
    """A user the actor manages, with how many of their leads are in each status."""

    id: int
    name: str
    active: bool
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def open_leads(self, closed_status_ids: set[int]) -> int:
        return sum(n for status_id, n in self.counts.items() if status_id not in closed_status_ids)


@dataclass(frozen=True)
class OwnerTreeData:
    owners: list[OwnerSummary]
    statuses: list[StatusInfo]


@dataclass(frozen=True)
class TreeLead:
    id: int
    name: str
    company: str
    status_id: int
    version: int
    updated_at: datetime


def search_condition(text: str, dialect: str) -> ColumnElement[bool] | None:
    """Leads whose name or company contains ``text`` (any case); None for no filter.

    SQLite's LIKE already ignores ASCII case; its ILIKE would wrap both sides in lower(),
    which is several times slower on a million rows.
    """
    words = text.strip()
    if not words:
        return None
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if dialect == "sqlite":
        return or_(Lead.name.like(pattern, escape="\\"), Lead.company.like(pattern, escape="\\"))
    return or_(
        Lead.name.ilike(pattern, escape="\\"),
        Lead.company.ilike(pattern, escape="\\"),
    )


def _statuses(session: Session) -> list[StatusInfo]:
    return [
        StatusInfo(id=s.id, name=s.name, position=s.position, is_closed=s.is_closed)
        for s in session.scalars(select(Status).order_by(Status.position, Status.id))
    ]


def owner_tree(session: Session, *, actor_id: int) -> OwnerTreeData:
    """Users the actor manages (inactive ones too: their leads still need passing) with
    per-status lead counts: the actor, the users joined to one grouped count, the statuses
    (three statements, each a round trip on a server)."""
    actor = _actor(session, actor_id)
    counts = (
        select(Lead.owner_id, Lead.status_id, func.count().label("number"))
        .where(managed_condition(actor))
        .group_by(Lead.owner_id, Lead.status_id)
        .subquery()
    )
    query = (
        select(User.id, User.name, User.active, counts.c.status_id, counts.c.number)
        .outerjoin(counts, counts.c.owner_id == User.id)
        .order_by(User.name, User.id)
    )
    if not actor.is_admin:
        query = query.where(_managed_by(actor.id))
    owners: dict[int, OwnerSummary] = {}
    for uid, name, active, status_id, number in session.execute(query):
        owner = owners.get(uid)
        if owner is None:
            owner = owners[uid] = OwnerSummary(id=uid, name=name, active=bool(active))
        if status_id is not None:
            owner.counts[status_id] = number
    return OwnerTreeData(owners=list(owners.values()), statuses=_statuses(session))


def _managed_by(actor_id: int) -> ColumnElement[bool]:
    return User.id.in_(select(ManagerRight.user_id).where(ManagerRight.manager_id == actor_id))


@dataclass(frozen=True)
class SearchResult:
    tree: OwnerTreeData
    leads: dict[tuple[int, int], list[TreeLead]]  # (owner id, status id) -> matches
    truncated: bool


def search_owner_tree(
    session: Session, *, actor_id: int, text: str, limit: int = SEARCH_LIMIT
) -> SearchResult:
    """Leads of managed users whose name or company contains ``text``, at most ``limit``.

    One scan that stops at ``limit`` matches. ``owner_id + 0`` keeps the planner from
    walking the owner index (a random row lookup per lead, seconds on a million leads)
    instead of scanning the table once.
    """
    actor = _actor(session, actor_id)
    condition = search_condition(text, session.get_bind().dialect.name)
    statuses = _statuses(session)
    if condition is None:
        return SearchResult(OwnerTreeData([], statuses), {}, truncated=False)
    owner_filter = (Lead.owner_id + 0).is_not(None)
    if not actor.is_admin:
        owner_filter = (Lead.owner_id + 0).in_(
            select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
        )
    # The owners' names come with the matches (a join on the primary key), not from a
    # statement of their own.
    rows = session.execute(
        select(
            User.id,
            User.name,
            User.active,
            Lead.id,
            Lead.name,
            Lead.company,
            Lead.status_id,
            Lead.version,
            Lead.updated_at,
        )
        .join(User, User.id == Lead.owner_id)
        .where(condition, owner_filter)
        .limit(limit + 1)
    ).all()
    truncated = len(rows) > limit
    found: dict[tuple[int, int], list[TreeLead]] = {}
    owners: dict[int, OwnerSummary] = {}
    for owner_id, owner_name, active, *lead in rows[:limit]:
        tree_lead = TreeLead(*lead)
        found.setdefault((owner_id, tree_lead.status_id), []).append(tree_lead)
        if owner_id not in owners:
            owners[owner_id] = OwnerSummary(id=owner_id, name=owner_name, active=bool(active))
    for (owner_id, status_id), leads in found.items():
        leads.sort(key=lambda lead: (lead.name.lower(), lead.id))
        owners[owner_id].counts[status_id] = len(leads)
    ordered = sorted(owners.values(), key=lambda owner: (owner.name, owner.id))
    return SearchResult(OwnerTreeData(ordered, statuses), found, truncated)


def lead_page(
    session: Session,
    *,
    actor_id: int,
    owner_id: int,
    status_id: int,
    after_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[TreeLead]:
    """The next ``limit`` leads of one owner in one status, after lead ``after_id``.

    One statement: the actor's right over the owner is part of its condition. Only an empty
    page looks further, to tell "no right" (an error) from "no more leads".
    """
    allowed = exists(
        select(User.id).where(
            User.id == actor_id,
            or_(
                User.is_admin.is_(True),
                exists(
                    select(ManagerRight.user_id).where(
                        ManagerRight.manager_id == actor_id, ManagerRight.user_id == owner_id
                    )
                ),
            ),
        )
    )
    query = (
        select(Lead.id, Lead.name, Lead.company, Lead.status_id, Lead.version, Lead.updated_at)
        .where(Lead.owner_id == owner_id, Lead.status_id == status_id, allowed)
        .order_by(Lead.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(Lead.id > after_id)
    page = [TreeLead(*row) for row in session.execute(query)]
    if not page:
        actor = _actor(session, actor_id)
        if not actor.is_admin and session.get(ManagerRight, (actor.id, owner_id)) is None:
            raise PermissionDeniedError(f"{actor.name} has no manager right over user {owner_id}.")
    return page


@dataclass(frozen=True)
class BucketPlace:
    id: int
    name: str
    waiting: int


def bucket_places(session: Session) -> tuple[list[BucketPlace], list[BucketPlace]]:
    """Every office and pass group with how many leads wait in its bucket, in one statement
    (the bucket columns are indexed, so this stays cheap next to a million owned leads)."""
    office_waiting = (
        select(Lead.bucket_office_id.label("place_id"), func.count().label("waiting"))
        .where(Lead.bucket_office_id.is_not(None))
        .group_by(Lead.bucket_office_id)
        .subquery()
    )
    group_waiting = (
        select(Lead.bucket_group_id.label("place_id"), func.count().label("waiting"))
        .where(Lead.bucket_group_id.is_not(None))
        .group_by(Lead.bucket_group_id)
        .subquery()
    )
    offices = select(
        literal("office").label("kind"),
        Office.id,
        Office.name,
        func.coalesce(office_waiting.c.waiting, 0),
    ).outerjoin(office_waiting, office_waiting.c.place_id == Office.id)
    groups = select(
        literal("group").label("kind"),
        PassGroup.id,
        PassGroup.name,
        func.coalesce(group_waiting.c.waiting, 0),
    ).outerjoin(group_waiting, group_waiting.c.place_id == PassGroup.id)
    both = union_all(offices, groups)
    places: dict[str, list[BucketPlace]] = {"office": [], "group": []}
    for kind, place_id, name, waiting in session.execute(both.order_by(both.selected_columns.name)):
        places[kind].append(BucketPlace(place_id, name, waiting))
    return places["office"], places["group"]


def active_user_names(session: Session) -> list[str]:
    """Who may sign in: active users, by name."""
    return list(session.scalars(select(User.name).where(User.active.is_(True)).order_by(User.name)))


def _actor(session: Session, actor_id: int) -> User:
    actor = session.get(User, actor_id)
    if actor is None:
        raise NotFoundError(f"There is no user with id {actor_id}.")
    return actor
