"""The status list: add, rename, reorder, mark closed (won/lost do not count as open load)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.naming import checked_new_name, rename_named
from leaddesk.admin.validation import STATUS_NAME_MAX
from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.models import Lead, Status


@dataclass(frozen=True)
class StatusRow:
    id: int
    name: str
    position: int  # 1-based, as people count
    is_closed: bool
    lead_count: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "position": self.position,
            "closed": self.is_closed,
            "lead_count": self.lead_count,
        }


def _ordered(session: Session) -> list[Status]:
    return list(session.scalars(select(Status).order_by(Status.position, Status.id)))


def list_statuses(session: Session, actor_id: int) -> list[StatusRow]:
    require_admin(session, actor_id)
    counts = dict(
        session.execute(select(Lead.status_id, func.count(Lead.id)).group_by(Lead.status_id)).all()
    )
    return [
        StatusRow(s.id, s.name, index + 1, s.is_closed, counts.get(s.id, 0))
        for index, s in enumerate(_ordered(session))
    ]


def get_status(session: Session, status_id: int) -> Status:
    status = session.get(Status, status_id)
    if status is None:
        raise NotFoundError(f"There is no status with id {status_id}.")
    return status


def add_status(
    session: Session,
    actor_id: int,
    *,
    name: str,
    closed: bool = False,
    position: int | None = None,
) -> Status:
    """Add a status at ``position`` (1-based; default: last)."""
    actor = require_admin(session, actor_id)
    name = checked_new_name(session, Status, name, "status", STATUS_NAME_MAX)
    ordered = _ordered(session)
    index = _index_for(position, len(ordered) + 1)
    status = Status(name=name, position=len(ordered), is_closed=closed)
    session.add(status)
    ordered.insert(index, status)
    _renumber(session, ordered)
    kind = "closed" if closed else "open"
    record(session, actor, "status.add", f"Added {kind} status {name} at position {index + 1}.")
    return status


def rename_status(session: Session, actor_id: int, status_id: int, *, name: str) -> Status:
    actor = require_admin(session, actor_id)
    status = get_status(session, status_id)
    rename_named(
        session,
        actor,
        status,
        name=name,
        noun="status",
        action="status.rename",
        max_length=STATUS_NAME_MAX,
    )
    return status


def move_status(session: Session, actor_id: int, status_id: int, *, position: int) -> Status:
    """Move a status to ``position`` (1 = first) and renumber the others."""
    actor = require_admin(session, actor_id)
    status = get_status(session, status_id)
    ordered = _ordered(session)
    index = _index_for(position, len(ordered))
    old_index = ordered.index(status)
    if index == old_index:
        raise InvalidInputError(f"{status.name} is already at position {position}.")
    ordered.pop(old_index)
    ordered.insert(index, status)
    _renumber(session, ordered)
    record(
        session,
        actor,
        "status.move",
        f"Moved status {status.name} from position {old_index + 1} to {index + 1}.",
    )
    return status


def set_status_closed(
    session: Session, actor_id: int, status_id: int, *, closed: bool = True
) -> Status:
    actor = require_admin(session, actor_id)
    status = get_status(session, status_id)
    if status.is_closed == closed:
        raise InvalidInputError(f"{status.name} is already {'closed' if closed else 'open'}.")
    status.is_closed = closed
    session.flush()
    verb = "closed (no longer counts as open)" if closed else "open again"
    record(
        session,
        actor,
        "status.close" if closed else "status.reopen",
        f"Status {status.name} is now {verb}.",
    )
    return status


def _index_for(position: int | None, slots: int) -> int:
    if position is None:
        return slots - 1
    if not 1 <= position <= slots:
        raise InvalidInputError(f"Position must be between 1 and {slots}; {position} is not.")
    return position - 1


def _renumber(session: Session, ordered: list[Status]) -> None:
    for index, status in enumerate(ordered):
        status.position = index
    session.flush()
