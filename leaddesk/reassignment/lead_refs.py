"""Leads named one by one, at the versions the person saw: reading them, refusing missing
or changed ones, and the condition that matches exactly them (for the controller)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Integer, or_, select, text, tuple_
from sqlalchemy.orm import Session

from leaddesk.errors import ConflictError, InvalidInputError, NotFoundError
from leaddesk.reassignment.requests import LeadRef
from leaddesk.store.models import Lead

# Large explicit selections are moved in slices so the statement stays under the drivers'
# bound-parameter limits (SQLite: 32766); a slice is still one set-based statement.
LEAD_SLICE = 5000


def dedupe(refs: Sequence[LeadRef]) -> list[LeadRef]:
    seen: dict[int, LeadRef] = {}
    for ref in refs:
        earlier = seen.get(ref.id)
        if earlier is not None and earlier.version != ref.version:
            raise InvalidInputError(f"Lead {ref.id} was selected twice with different versions.")
        seen[ref.id] = ref
    return list(seen.values())


def load_leads(session: Session, refs: Sequence[LeadRef]) -> list[Lead]:
    rows = read_leads(session, refs)
    refuse_missing(refs, rows)
    return rows


def read_leads(session: Session, refs: Sequence[LeadRef], *, refresh: bool = False) -> list[Lead]:
    """The leads named, those that exist. ``refresh`` re-reads them over what the session
    still holds (a replay's earlier passes moved some of them with set-based statements)."""
    ids = sorted({ref.id for ref in refs})
    rows: list[Lead] = []
    for start in range(0, len(ids), LEAD_SLICE):
        query = select(Lead).where(Lead.id.in_(ids[start : start + LEAD_SLICE]))
        if refresh:
            query = query.execution_options(populate_existing=True)
        rows.extend(session.scalars(query))
    return rows


def refuse_missing(refs: Sequence[LeadRef], rows: Sequence[Lead]) -> None:
    missing = sorted({ref.id for ref in refs} - {row.id for row in rows})
    if missing:
        raise NotFoundError(f"There is no lead with id {id_list(missing)}.")


def check_versions(rows: Sequence[Lead], refs: Sequence[LeadRef]) -> None:
    seen = {ref.id: ref.version for ref in refs}
    stale = [row.id for row in rows if seen.get(row.id) not in (None, row.version)]
    if stale:
        raise ConflictError(
            f"Lead(s) {id_list(stale)} changed since you looked (someone else passed or "
            "edited them); nothing was passed. Refresh and try again.",
            stale,
        )


def explicit_condition(
    session: Session, refs: Sequence[LeadRef]
) -> tuple[ColumnElement[bool], int]:
    """Match exactly these leads at exactly the versions the actor saw."""
    pinned = [(ref.id, ref.version) for ref in refs if ref.version is not None]
    loose = [ref.id for ref in refs if ref.version is None]
    clauses: list[ColumnElement[bool]] = []
    if pinned and session.get_bind().dialect.name == "postgresql":
        # Two array parameters, joined as a set: PostgreSQL compares a row with a list of
        # (id, version) pairs one pair at a time, which made 10,000 pinned leads take
        # seconds per statement (minutes on a busy server); as a set it is an index lookup
        # per pair.
        pairs = (
            text(
                "SELECT pinned.id, pinned.version FROM unnest("
                "CAST(:pinned_ids AS integer[]), CAST(:pinned_versions AS integer[]))"
                " AS pinned(id, version)"
            )
            .bindparams(
                pinned_ids=[lead_id for lead_id, _version in pinned],
                pinned_versions=[version for _lead_id, version in pinned],
            )
            .columns(id=Integer, version=Integer)
        )
        clauses.append(tuple_(Lead.id, Lead.version).in_(pairs))
        pinned = []
    for start in range(0, len(pinned), LEAD_SLICE):
        clauses.append(tuple_(Lead.id, Lead.version).in_(pinned[start : start + LEAD_SLICE]))
    for start in range(0, len(loose), LEAD_SLICE):
        clauses.append(Lead.id.in_(loose[start : start + LEAD_SLICE]))
    return or_(*clauses), len(refs)


def id_list(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in sorted(ids)[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
