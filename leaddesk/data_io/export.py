"""Exporting leads and pass history to CSV files that open cleanly in spreadsheets.

Anyone signed in may export what they may see: administrators everything; others the
leads of the users they manage plus the buckets they watch, and the history of passes
they made or that moved leads from or to users they manage or buckets they watch.
The leads file has the columns the importer reads, so export -> import round-trips: a lead
brought in from another CRM keeps its id there (``external_source``, ``external_id``), and
its ``created_at`` is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session, aliased

from leaddesk.data_io.csv_text import write_csv
from leaddesk.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from leaddesk.reassignment import permissions
from leaddesk.store.models import (
    Lead,
    ManagerRight,
    Office,
    PassBatch,
    PassGroup,
    PassHistory,
    Status,
    User,
)
from leaddesk.store.queries import HistoryPlaces

LEAD_HEADERS = [
    "name",
    "company",
    "email",
    "phone",
    "status",
    "owner",
    "office",
    "pass_group",
    "id",
    "external_source",
    "external_id",
    "created_at",
    "updated_at",
]
HISTORY_HEADERS = [
    "batch",
    "when_utc",
    "by",
    "method",
    "lead_id",
    "lead",
    "company",
    "from",
    "to",
    "note",
    "undone_by_batch",
]
STREAM_CHUNK = 5000


def _actor(session: Session, actor_id: int) -> User:
    return permissions.signed_in_user(session, actor_id)


def _visible_leads(session: Session, actor: User) -> ColumnElement[bool]:
    if actor.is_admin:
        return Lead.id.is_not(None)
    managed = select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
    offices = permissions.visible_office_ids(session, actor)
    groups = permissions.visible_group_ids(session, actor)
    return or_(
        Lead.owner_id.in_(managed),
        Lead.bucket_office_id.in_(offices) if offices else false(),
        Lead.bucket_group_id.in_(groups) if groups else false(),
    )


def export_choices(
    session: Session, *, actor_id: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(owners the actor may filter by, statuses in order) as (id, name) pairs."""
    actor = _actor(session, actor_id)
    managed = permissions.managed_user_ids(session, actor)
    owners = [
        (uid, name)
        for uid, name in session.execute(select(User.id, User.name).order_by(User.name))
        if uid in managed
    ]
    status_rows = [
        (sid, name)
        for sid, name in session.execute(
            select(Status.id, Status.name).order_by(Status.position, Status.id)
        )
    ]
    return owners, status_rows


def export_leads(
    session: Session,
    *,
    actor_id: int,
    path: str | Path,
    owner_id: int | None = None,
    status_id: int | None = None,
) -> int:
    """Write the leads the actor may see (optionally one owner's / one status's); row count."""
    actor = _actor(session, actor_id)
    if owner_id is not None and not permissions.can_manage(session, actor, owner_id):
        owner = session.get(User, owner_id)
        if owner is None:
            raise NotFoundError(f"There is no user with id {owner_id}.")
        raise PermissionDeniedError(permissions.no_right_message(session, actor, owner))
    query = (
        select(
            Lead.name,
            Lead.company,
            Lead.email,
            Lead.phone,
            Status.name,
            User.name,
            Office.name,
            PassGroup.name,
            Lead.id,
            Lead.external_source,
            Lead.external_id,
            Lead.created_at,
            Lead.updated_at,
        )
        .join(Status, Status.id == Lead.status_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .outerjoin(Office, Office.id == Lead.bucket_office_id)
        .outerjoin(PassGroup, PassGroup.id == Lead.bucket_group_id)
        .where(_visible_leads(session, actor))
        .order_by(Lead.id)
    )
    if owner_id is not None:
        query = query.where(Lead.owner_id == owner_id)
    if status_id is not None:
        query = query.where(Lead.status_id == status_id)
    return write_csv(path, LEAD_HEADERS, _stream(session, query, time_indexes=(11, 12)))


def export_history(
    session: Session,
    *,
    actor_id: int,
    path: str | Path,
    since: datetime | None = None,
) -> int:
    """Write one row per lead per pass (newest last), from ``since`` (UTC) on; row count."""
    actor = _actor(session, actor_id)
    by = aliased(User)
    places = HistoryPlaces.aliased()
    query = places.outerjoin(
        select(
            PassBatch.id,
            PassBatch.created_at,
            by.name,
            PassBatch.method,
            Lead.id,
            Lead.name,
            Lead.company,
            places.from_user.name,
            places.from_office.name,
            places.from_group.name,
            places.to_user.name,
            places.to_office.name,
            places.to_group.name,
            PassBatch.note,
            PassBatch.undone_by_id,
        )
        .select_from(PassHistory)
        .join(PassBatch, PassBatch.id == PassHistory.batch_id)
        .join(by, by.id == PassBatch.actor_id)
        .join(Lead, Lead.id == PassHistory.lead_id)
    ).order_by(PassHistory.id)
    if since is not None:
        query = query.where(PassBatch.created_at >= since)
    query = query.where(permissions.history_visible_to(session, actor))

    def rows() -> Iterator[list[object]]:
        for row in session.execute(query.execution_options(yield_per=STREAM_CHUNK)):
            (
                batch,
                when,
                who,
                method,
                lead_id,
                lead,
                company,
                fu,
                fo,
                fg,
                tu,
                to,
                tg,
                note,
                undone,
            ) = row
            yield [
                batch,
                _when(when),
                who,
                method,
                lead_id,
                lead,
                company,
                _place(fu, fo, fg),
                _place(tu, to, tg),
                note,
                undone or "",
            ]

    return write_csv(path, HISTORY_HEADERS, rows())


def parse_since(text: str) -> datetime:
    """``2026-11-01`` or ``2026-11-01T08:30`` (UTC) for ``--since``."""
    try:
        return datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError as exc:
        raise InvalidInputError(
            f"'{text}' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)."
        ) from exc


def _stream(
    session: Session, query: object, *, time_indexes: tuple[int, ...]
) -> Iterator[list[object]]:
    for row in session.execute(query.execution_options(yield_per=STREAM_CHUNK)):  # type: ignore[attr-defined]
        values = list(row)
        for index in time_indexes:
            values[index] = _when(values[index])
        yield ["" if value is None else value for value in values]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _place(user: str | None, office: str | None, group: str | None) -> str:
    if user:
        return user
    if office:
        return f"Leads to be Assigned: {office}"
    if group:
        return f"Leads to be Assigned: {group}"
    return ""
