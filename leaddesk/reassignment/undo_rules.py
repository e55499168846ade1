"""Which passes can be undone, and why not.

One set of rules serves the undo itself (``controller.undo_batch`` raises the refusal), the
list of an actor's passes (``leaddesk passes``) and the window's *Edit > Undo pass*, which
names what it would undo or says why it cannot. Pure reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from leaddesk.errors import (
    ConflictError,
    InvalidInputError,
    LeadDeskError,
    PermissionDeniedError,
)
from leaddesk.reassignment import permissions
from leaddesk.reassignment.requests import PassMethod
from leaddesk.store.batch_queries import batch_moves, batch_places
from leaddesk.store.models import Lead, PassBatch, PassHistory, User

# The methods that never have an undo: an undo is passed on instead, an import had no
# earlier owner to return to.
NOT_UNDOABLE_METHODS = (PassMethod.UNDO.value, PassMethod.IMPORT.value)
# How many changed leads a refusal names.
NAMED_LEADS = 5


def undo_refusal(
    session: Session, actor: User, batch: PassBatch, *, lock: bool = False
) -> LeadDeskError | None:
    """Why ``actor`` cannot undo ``batch`` now, as the error the undo would raise; None if
    they can. Cheap checks first; the leads are looked at only when those pass. The undo
    itself passes ``lock`` so that what was checked holds until it commits."""
    if batch.actor_id != actor.id and not actor.is_admin:
        return PermissionDeniedError(f"Only the person who made pass {batch.id} can undo it.")
    if batch.undone_by_id is not None:
        return InvalidInputError(
            f"Pass {batch.id} was already undone by pass {batch.undone_by_id}."
        )
    if batch.method == PassMethod.UNDO:
        return InvalidInputError(
            f"Pass {batch.id} is itself an undo; pass the leads again instead."
        )
    if batch.method == PassMethod.IMPORT:
        return InvalidInputError(
            f"Batch {batch.id} is an import: its leads had no earlier owner to return to. "
            "Pass them on instead."
        )
    changed = list(
        session.scalars(
            select(PassHistory.lead_id)
            .join(Lead, Lead.id == PassHistory.lead_id)
            .where(PassHistory.batch_id == batch.id, Lead.version != PassHistory.to_version)
            .order_by(PassHistory.lead_id)
            .limit(NAMED_LEADS + 1)
        )
    )
    if changed:
        named = ", ".join(str(lead_id) for lead_id in changed[:NAMED_LEADS])
        more = " and more" if len(changed) > NAMED_LEADS else ""
        return ConflictError(
            f"Pass {batch.id} cannot be undone: lead(s) {named}{more} changed since.",
            changed[:NAMED_LEADS],
        )
    return _rights_refusal(session, actor, batch.id, lock=lock)


def _rights_refusal(
    session: Session, actor: User, batch_id: int, *, lock: bool
) -> LeadDeskError | None:
    """An undo the actor could not make as passes today.

    Every user the leads go back to must be active, and every user involved (the leads'
    current and previous owners) must be one the actor manages, the actor themself, or
    (as in a bucket assignment) a member of the bucket on the other side of the move whose
    Leads to be Assigned the actor sees. A few reads, however many leads the batch has.
    ``lock`` (the undo itself) share-locks what it read until the undo commits.
    """
    places = batch_moves(session, batch_id)
    returning_to = {row.from_owner_id for row in places if row.from_owner_id is not None}
    taken_from = {row.to_owner_id for row in places if row.to_owner_id is not None}
    query = select(User).where(User.id.in_(sorted(returning_to | taken_from)))
    if lock:
        # Locked like a pass's target: nobody is deactivated under the undo.
        query = query.with_for_update(read=True).execution_options(populate_existing=True)
    users = {user.id: user for user in session.scalars(query)}
    inactive = sorted(users[i].name for i in returning_to if not users[i].active)
    if inactive:
        return PermissionDeniedError(
            f"Pass {batch_id} cannot be undone: {', '.join(inactive)} is no longer active."
        )
    uncovered = (
        set(users) - {actor.id} - permissions.managed_among(session, actor, users.keys(), lock=lock)
    )
    if uncovered:
        uncovered -= _covered_through_buckets(session, actor, places, uncovered, lock=lock)
    if uncovered:
        names = ", ".join(sorted(users[i].name for i in uncovered))
        return PermissionDeniedError(
            f"Pass {batch_id} cannot be undone: {actor.name} no longer has a manager right "
            f"over {names}."
        )
    return None


def _covered_through_buckets(
    session: Session, actor: User, places: Sequence[Row], user_ids: set[int], *, lock: bool
) -> set[int]:
    """Users a bucket the actor sees lets them move leads for (members of that bucket)."""
    offices = permissions.visible_office_ids(session, actor, lock=lock)
    groups = permissions.visible_group_ids(session, actor, lock=lock)
    members: dict[tuple[int | None, int | None], set[int]] = {}
    covered: set[int] = set()
    for row in places:
        for user_id, office_id, group_id in (
            (row.from_owner_id, row.to_office_id, row.to_group_id),
            (row.to_owner_id, row.from_office_id, row.from_group_id),
        ):
            seen = office_id in offices if office_id is not None else group_id in groups
            if user_id not in user_ids or not seen:
                continue
            bucket = (office_id, group_id)
            if bucket not in members:
                members[bucket] = permissions.bucket_member_ids(
                    session, office_id=office_id, group_id=group_id, lock=lock
                )
            if user_id in members[bucket]:
                covered.add(user_id)
    return covered


def last_undoable_batch(session: Session, *, actor_id: int) -> PassBatch | None:
    """The actor's newest pass that has not been undone (not an undo, not an import).

    Undo goes back in order, like an editor's: when this one cannot be undone (its leads
    changed since), older passes are not undone in its place.
    """
    return session.scalars(
        select(PassBatch)
        .where(
            PassBatch.actor_id == actor_id,
            PassBatch.undone_by_id.is_(None),
            PassBatch.method.not_in(NOT_UNDOABLE_METHODS),
            PassBatch.lead_count > 0,
        )
        .order_by(PassBatch.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class PassSummary:
    """One of an actor's passes: what moved where, and whether it can be undone now."""

    batch_id: int
    when: datetime
    method: str
    lead_count: int
    from_places: list[str] = field(default_factory=list)
    to_places: list[str] = field(default_factory=list)
    note: str = ""
    refusal: str | None = None  # why it cannot be undone; None when it can

    @property
    def undoable(self) -> bool:
        return self.refusal is None

    def description(self) -> str:
        """ "pass of 3 leads to Jane Doe": what an undo would put back."""
        what = "1 lead" if self.lead_count == 1 else f"{self.lead_count:,} leads"
        return f"pass of {what} to {_joined(self.to_places)}"

    def as_json(self) -> dict[str, object]:
        return {
            "batch_id": self.batch_id,
            "when": self.when.isoformat(timespec="seconds"),
            "method": self.method,
            "leads": self.lead_count,
            "from": self.from_places,
            "to": self.to_places,
            "note": self.note,
            "undoable": self.undoable,
            "why_not": self.refusal,
        }


def recent_passes(session: Session, *, actor_id: int, limit: int = 20) -> list[PassSummary]:
    """The actor's newest passes, newest first, each with whether it can be undone now."""
    actor = permissions.get_actor(session, actor_id)
    batches = list(
        session.scalars(
            select(PassBatch)
            .where(PassBatch.actor_id == actor.id)
            .order_by(PassBatch.id.desc())
            .limit(limit)
        )
    )
    return _summaries(session, actor, batches)


def undo_offer(session: Session, *, actor_id: int) -> PassSummary | None:
    """What *Edit > Undo pass* would undo for the actor (with why not, when it cannot)."""
    actor = permissions.get_actor(session, actor_id)
    batch = last_undoable_batch(session, actor_id=actor.id)
    return None if batch is None else _summaries(session, actor, [batch])[0]


def _summaries(session: Session, actor: User, batches: Sequence[PassBatch]) -> list[PassSummary]:
    places = batch_places(session, [batch.id for batch in batches])
    summaries = []
    for batch in batches:
        refusal = undo_refusal(session, actor, batch)
        sources, targets = places.get(batch.id, ([], []))
        summaries.append(
            PassSummary(
                batch_id=batch.id,
                when=batch.created_at,
                method=batch.method,
                lead_count=batch.lead_count,
                from_places=sources,
                to_places=targets,
                note=batch.note,
                refusal=None if refusal is None else str(refusal),
            )
        )
    return summaries


def _joined(names: list[str]) -> str:
    if not names:
        return "?"
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"
