"""Opening and finishing a pass batch: the steps every way of moving leads shares.

A batch is opened before its leads move (history rows point at it) and finished after: the
note goes onto every moved lead and one notification per recipient is queued, all in the
caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import insert, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leaddesk.errors import InvalidInputError
from leaddesk.notify.outbox import queue_batch_notifications
from leaddesk.reassignment.journal import record_offline_pass
from leaddesk.reassignment.moves import close_batch
from leaddesk.reassignment.requests import PassMethod, PassResult, Target
from leaddesk.server.changes import announce_batch
from leaddesk.store.models import NOTE_MAX_LENGTH, LeadNote, PassBatch, PassHistory, User
from leaddesk.store.replica_marker import replica_person
from leaddesk.text_safety import clean_multiline


def clean_note(note: str | None) -> str:
    text = clean_multiline(note).strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidInputError(
            f"The note has {len(text):,} characters; at most {NOTE_MAX_LENGTH:,} are allowed."
        )
    return text


def finish_batch(
    session: Session,
    actor: User,
    batch: PassBatch,
    moved: int,
    target: Target,
    target_name: str,
    now: object,
    *,
    add_notes: bool = True,
) -> PassResult:
    # An automatic assignment right after a pass carries that pass's note for the email,
    # but the note is on the leads once already.
    if batch.note and add_notes:
        session.execute(
            insert(LeadNote).from_select(
                ["lead_id", "author_id", "batch_id", "body", "created_at"],
                select(
                    PassHistory.lead_id,
                    literal(actor.id),
                    literal(batch.id),
                    literal(batch.note),
                    literal(now),
                ).where(PassHistory.batch_id == batch.id),
            )
        )
    close_batch(session, batch_id=batch.id, moved=moved, undoes_id=batch.undoes_id)
    # The row was written by close_batch; keep the ORM from writing it again.
    set_committed_value(batch, "lead_count", moved)
    if replica_person(session) is None:
        notifications = queue_batch_notifications(
            session,
            batch_id=batch.id,
            actor_id=actor.id,
            now=now,  # type: ignore[arg-type]
        )
    else:
        # An offline copy sends nothing: the server queues the emails when it applies the
        # journal entry, so each goes out once, after the server accepted the pass.
        record_offline_pass(session, batch=batch, target=target, target_label=target_name)
        notifications = 0
    announce_batch(session, batch.id)
    session.flush()
    return PassResult(
        batch_id=batch.id,
        moved=moved,
        target=target,
        target_name=target_name,
        notifications=notifications,
        method=PassMethod(batch.method),
    )


def new_batch(
    session: Session,
    actor: User,
    method: PassMethod,
    note: str,
    client_uuid: str | None,
    now: object,
    *,
    undoes_id: int | None = None,
) -> PassBatch:
    # Written once, complete: batches are append-only on a server (see close_batch).
    batch = PassBatch(
        actor_id=actor.id,
        method=method.value,
        note=note,
        lead_count=0,
        created_at=now,
        client_uuid=client_uuid,
        undoes_id=undoes_id,
    )
    session.add(batch)
    session.flush()
    return batch
