"""``import leads --on-duplicate update --update-owner``: leads already in LeadDesk that the
file gives another owner (or bucket) are moved here, by the controller's own move, inside
the import's batch, so each move has its history row and its notification like any pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from leaddesk.errors import ConflictError, InvalidInputError, PermissionDeniedError
from leaddesk.reassignment import permissions
from leaddesk.reassignment.controller import _target_name
from leaddesk.reassignment.lead_refs import explicit_condition
from leaddesk.reassignment.moves import move_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Target, TargetKind
from leaddesk.store.models import PassBatch, utc_now


def move_imported_leads(
    session: Session,
    *,
    actor_id: int,
    batch_id: int,
    moves: Mapping[Target, Sequence[LeadRef]],
) -> int:
    """Move each target's leads (at the versions the import saw) within import batch
    ``batch_id``; returns how many moved. One set-based move per distinct target."""
    actor = permissions.get_actor(session, actor_id)
    if not actor.is_admin:
        raise PermissionDeniedError("Only administrators can change owners by import.")
    batch = session.get(PassBatch, batch_id)
    if batch is None or batch.method != PassMethod.IMPORT or batch.actor_id != actor.id:
        raise InvalidInputError(f"Batch {batch_id} is not an import by {actor.name}.")
    now = utc_now()
    total = 0
    for target, refs in moves.items():
        if not refs:
            continue
        if target.kind is TargetKind.USER:
            permissions.require_active_target(session, target.id)
        else:
            _target_name(session, target)
        condition, expected = explicit_condition(session, refs)
        moved = move_leads(session, condition=condition, target=target, batch_id=batch.id, now=now)
        if moved != expected:
            raise ConflictError(
                f"{expected - moved} of the leads to give a new owner were changed by someone "
                "else during the import; nothing was imported. Try again."
            )
        total += moved
    return total
