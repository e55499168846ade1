"""The journal of passes made on a replica: written by the controller in the pass's own
transaction, replayed on the server by ``leaddesk.offline``.

An entry keeps what the person saw and meant: the explicit leads with the versions they had
(so the server applies it only to leads nobody changed meanwhile), the target, the note and
the method (the same rules apply on the server). A pass of "all of a user's leads" is
journaled as the leads it moved: what the person saw, not what the server holds later.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.reassignment.requests import PassMethod, Target
from leaddesk.store.models import JournalEntry, PassBatch, PassHistory

# Offboarding, imports and rule assignment change people and leads wholesale, by rules the
# server holds: they belong on the server.
REPLAYABLE = frozenset(
    {
        PassMethod.DRAG_LEAD,
        PassMethod.DRAG_USER,
        PassMethod.DRAG_STATUS,
        PassMethod.LEAD_TAB,
        PassMethod.COMMAND_LINE,
        PassMethod.BUCKET_ASSIGN,
        PassMethod.UNDO,
    }
)


def record_offline_pass(
    session: Session, *, batch: PassBatch, target: Target, target_label: str
) -> JournalEntry:
    """Append the batch just written on a replica to its journal (same transaction)."""
    method = PassMethod(batch.method)
    if method not in REPLAYABLE:
        raise InvalidInputError(
            "This is an offline copy: deactivating people, importing leads and assigning a "
            "bucket by its rule are done on the server; passes, assignments and undo work here."
        )
    # The history row holds the version after the move; the pass saw the one before it.
    seen = session.execute(
        select(PassHistory.lead_id, PassHistory.to_version - 1)
        .where(PassHistory.batch_id == batch.id)
        .order_by(PassHistory.lead_id)
    ).all()
    undoes_uuid = undoes_batch_id = None
    if batch.undoes_id is not None:
        # Undoing a pass still waiting in the journal names it by its uuid (the server gives
        # it a batch number only when it applies it).
        undoes_uuid = session.scalar(
            select(JournalEntry.uuid).where(JournalEntry.local_batch_id == batch.undoes_id)
        )
        undoes_batch_id = None if undoes_uuid is not None else batch.undoes_id
    entry = JournalEntry(
        uuid=str(uuid.uuid4()),
        actor_id=batch.actor_id,
        method=method.value,
        leads=json.dumps([[lead_id, version] for lead_id, version in seen]),
        target_kind=None if method is PassMethod.UNDO else target.kind.value,
        target_id=None if method is PassMethod.UNDO else target.id,
        target_label=target_label,
        note=batch.note,
        undoes_batch_id=undoes_batch_id,
        undoes_uuid=undoes_uuid,
        local_batch_id=batch.id,
        created_at=batch.created_at,
        state="pending",
    )
    session.add(entry)
    return entry
