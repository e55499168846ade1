"""Where the leads of pass batches came from and went to, for lists of passes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, aliased

from leaddesk.store.models import Office, PassGroup, PassHistory, User
from leaddesk.store.queries import place_label


def batch_moves(session: Session, batch_id: int) -> Sequence[Row]:
    """The distinct moves of one batch: (from_owner_id, from_office_id, from_group_id,
    to_owner_id, to_office_id, to_group_id), one query whatever the batch's size."""
    h = PassHistory
    return session.execute(
        select(
            h.from_owner_id,
            h.from_office_id,
            h.from_group_id,
            h.to_owner_id,
            h.to_office_id,
            h.to_group_id,
        )
        .where(h.batch_id == batch_id)
        .distinct()
    ).all()


def batch_places(
    session: Session, batch_ids: Sequence[int]
) -> dict[int, tuple[list[str], list[str]]]:
    """For each batch, the places its leads came from and went to (sorted names; a bucket
    as "Leads to be Assigned: NAME"), from one query.

    The distinct places are found first and only those few rows are joined to their names:
    joining every history row of a 100,000-lead batch would cost a tenth of a second more.
    """
    if not batch_ids:
        return {}
    h = PassHistory
    moves = (
        select(
            h.batch_id,
            h.from_owner_id,
            h.from_office_id,
            h.from_group_id,
            h.to_owner_id,
            h.to_office_id,
            h.to_group_id,
        )
        .where(h.batch_id.in_(list(batch_ids)))
        .distinct()
        .subquery()
    )
    from_user, from_office, from_group = aliased(User), aliased(Office), aliased(PassGroup)
    to_user, to_office, to_group = aliased(User), aliased(Office), aliased(PassGroup)
    query = (
        select(
            moves.c.batch_id,
            func.coalesce(from_user.name, from_office.name, from_group.name),
            moves.c.from_office_id,
            moves.c.from_group_id,
            func.coalesce(to_user.name, to_office.name, to_group.name),
            moves.c.to_office_id,
            moves.c.to_group_id,
        )
        .outerjoin(from_user, from_user.id == moves.c.from_owner_id)
        .outerjoin(from_office, from_office.id == moves.c.from_office_id)
        .outerjoin(from_group, from_group.id == moves.c.from_group_id)
        .outerjoin(to_user, to_user.id == moves.c.to_owner_id)
        .outerjoin(to_office, to_office.id == moves.c.to_office_id)
        .outerjoin(to_group, to_group.id == moves.c.to_group_id)
    )
    found: dict[int, tuple[set[str], set[str]]] = {}
    for batch_id, source, f_office, f_group, target, t_office, t_group in session.execute(query):
        sources, targets = found.setdefault(batch_id, (set(), set()))
        sources.add(place_label(source, f_office, f_group))
        targets.add(place_label(target, t_office, t_group))
    return {
        batch_id: (sorted(sources), sorted(targets))
        for batch_id, (sources, targets) in found.items()
    }
