"""Where the leads of pass batches came from and went to, for lists of passes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.store.models import PassHistory
from leaddesk.store.queries import HistoryPlaces, place_label


def batch_places(
    session: Session, batch_ids: Sequence[int]
) -> dict[int, tuple[list[str], list[str]]]:
    """For each batch, the places its leads came from and went to (sorted names; a bucket
    as "Leads to be Assigned: NAME"), from one grouped query."""
    if not batch_ids:
        return {}
    places = HistoryPlaces.aliased()
    query = places.outerjoin(
        select(
            PassHistory.batch_id,
            func.coalesce(places.from_user.name, places.from_office.name, places.from_group.name),
            places.from_office.id,
            places.from_group.id,
            func.coalesce(places.to_user.name, places.to_office.name, places.to_group.name),
            places.to_office.id,
            places.to_group.id,
        ).select_from(PassHistory)
    )
    query = query.where(PassHistory.batch_id.in_(list(batch_ids))).distinct()
    found: dict[int, tuple[set[str], set[str]]] = {}
    for batch_id, source, f_office, f_group, target, t_office, t_group in session.execute(query):
        sources, targets = found.setdefault(batch_id, (set(), set()))
        sources.add(place_label(source, f_office, f_group))
        targets.add(place_label(target, t_office, t_group))
    return {
        batch_id: (sorted(sources), sorted(targets))
        for batch_id, (sources, targets) in found.items()
    }
