"""Opening and finishing a pass batch: the steps every way of moving leads shares.

A batch is opened before its leads move (history rows point at it) and finished after: the
note goes onto every moved lead and one notification per recipient is queued, all in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Integer, case, func, insert, literal, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import Insert

from leaddesk.errors import InvalidInputError
from leaddesk.notify.outbox import batch_notifications, queue_batch_notifications
from leaddesk.reassignment.journal import record_offline_pass
from leaddesk.reassignment.moves import close_batch
from leaddesk.reassignment.requests import PassMethod, PassResult, Target
from leaddesk.server.changes import batch_notice
from leaddesk.store.models import (
    NOTE_MAX_LENGTH,
    LeadNote,
    OutboxMessage,
    PassBatch,
    PassHistory,
    User,
)
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
    notes = _batch_notes(actor, [batch], now) if batch.note and add_notes else None
    if session.get_bind().dialect.name == "postgresql":
        notifications = _close_on_server(session, actor, [batch], now, notes)
    else:
        if notes is not None:
            session.execute(notes)
        notifications = _close_on_file(session, actor, batch, moved, target, target_name, now)
    # The row was written by close_batch; keep the ORM from writing it again.
    set_committed_value(batch, "lead_count", moved)
    session.flush()
    return PassResult(
        batch_id=batch.id,
        moved=moved,
        target=target,
        target_name=target_name,
        notifications=notifications,
        method=PassMethod(batch.method),
    )


def finish_batches_on_server(
    session: Session, actor: User, moved: dict[PassBatch, int], now: object
) -> None:
    """Finish many batches of one actor at once, as :func:`finish_batch` finishes one: the
    notes, the counts, the emails (one per recipient per batch) and one change notice, in
    one statement (a replica's sync replays its passes this way; PostgreSQL)."""
    batches = list(moved)
    with_notes = [batch for batch in batches if batch.note]
    notes = _batch_notes(actor, with_notes, now) if with_notes else None
    _close_on_server(session, actor, batches, now, notes)
    for batch, count in moved.items():
        set_committed_value(batch, "lead_count", count)


def _batch_notes(actor: User, batches: Sequence[PassBatch], now: object) -> Insert:
    """Each batch's note onto every lead it moved (one INSERT … SELECT from the history)."""
    if len(batches) == 1:
        note = literal(batches[0].note)
    else:
        note = case({batch.id: batch.note for batch in batches}, value=PassHistory.batch_id)
    return insert(LeadNote).from_select(
        ["lead_id", "author_id", "batch_id", "body", "created_at"],
        select(
            PassHistory.lead_id,
            literal(actor.id),
            PassHistory.batch_id,
            note,
            literal(now),
        ).where(PassHistory.batch_id.in_([batch.id for batch in batches])),
    )


def _close_on_server(
    session: Session,
    actor: User,
    batches: Sequence[PassBatch],
    now: object,
    notes: Insert | None,
) -> int:
    """Notes, batch counts, emails and change notice in one round trip (four before).

    The two INSERTs run as CTEs; they read the history rows written by an earlier
    statement, and nothing here reads what a sibling writes (a statement's parts share
    one snapshot): the emails and the notice come from the history, not from the notes
    or the counts. ``leaddesk_close_batch`` (migration 0003) records a count, since a
    login may not UPDATE batches under the server policies.
    """
    ids = [batch.id for batch in batches]
    queued = (
        batch_notifications(batch_ids=ids, actor_id=actor.id, now=now)  # type: ignore[arg-type]
        .returning(OutboxMessage.id)
        .cte("queued")
    )
    notice = batch_notice(ids).subquery("notice")
    if len(ids) == 1:
        closed = func.leaddesk_close_batch(ids[0])
    else:
        batch_id = func.unnest(array(ids, type_=Integer)).column_valued("batch_id")
        closed = select(func.sum(func.leaddesk_close_batch(batch_id))).scalar_subquery()
    closing = select(
        closed,
        select(func.count()).select_from(queued).scalar_subquery(),
        notice.c.pg_notify,
    ).select_from(notice)
    if notes is not None:
        closing = closing.add_cte(notes.cte("noted"))
    row = session.execute(closing).one()
    return int(row[1])


def _close_on_file(
    session: Session,
    actor: User,
    batch: PassBatch,
    moved: int,
    target: Target,
    target_name: str,
    now: object,
) -> int:
    """Close the batch on a SQLite file; returns how many emails were queued."""
    close_batch(session, batch_id=batch.id, moved=moved, undoes_id=batch.undoes_id)
    if replica_person(session) is not None:
        # An offline copy sends nothing: the server queues the emails when it applies the
        # journal entry, so each goes out once, after the server accepted the pass.
        record_offline_pass(session, batch=batch, target=target, target_label=target_name)
        return 0
    return queue_batch_notifications(
        session,
        batch_id=batch.id,
        actor_id=actor.id,
        now=now,  # type: ignore[arg-type]
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
    [batch] = new_batches(session, actor, [(method, note, client_uuid)], now, undoes_id=undoes_id)
    return batch


def new_batches(
    session: Session,
    actor: User,
    passes: Sequence[tuple[PassMethod, str, str | None]],
    now: object,
    *,
    undoes_id: int | None = None,
) -> list[PassBatch]:
    """Open a batch per (method, note, client UUID), written in one INSERT."""
    # Written once, complete: batches are append-only on a server (see close_batch).
    batches = [
        PassBatch(
            actor_id=actor.id,
            method=method.value,
            note=note,
            lead_count=0,
            created_at=now,
            client_uuid=client_uuid,
            undoes_id=undoes_id,
        )
        for method, note, client_uuid in passes
    ]
    session.add_all(batches)
    session.flush()
    return batches
