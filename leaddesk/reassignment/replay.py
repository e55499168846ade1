"""Replaying a replica's journaled passes on the server: many passes of one person, in
order, each applied or refused exactly as :func:`controller.pass_leads` would.

One by one, a pass costs about six statements and the Python that builds them; a sync of a
thousand passes took half a minute that way. Here consecutive passes whose leads do not
overlap form a *wave*, checked together and written together: the person and the targets
(one statement), the leads as they are now (one), every right they rest on (one), the
batches (one), the moves with their history (one), and notes, counts, emails and the change
notice (one). Within a wave no pass can see another's effect (their leads are disjoint, and
rights and targets do not change during a replay), so checking them against the state at
the wave's start is checking each against the state after the passes before it. A pass
refused by the checks is left out; the others are written.

If a lead changes between a wave's checks and its move (someone passing online that very
moment), the wave rolls back to its savepoint and its passes are replayed one by one
through ``pass_leads``, which refuses only the pass that lost. Passes into buckets (whose
automatic assignment runs per pass), and everything on a SQLite file, go one by one too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leaddesk.errors import LeadDeskError
from leaddesk.reassignment import lead_refs, permissions
from leaddesk.reassignment.batches import clean_note, finish_batches_on_server, new_batches
from leaddesk.reassignment.controller import check_pass_target, pass_leads, pinned_refs
from leaddesk.reassignment.moves import move_pinned_to_owners
from leaddesk.reassignment.requests import (
    LeadRef,
    PassMethod,
    PassResult,
    Selection,
    Target,
    TargetKind,
)
from leaddesk.store.models import PassBatch, User, utc_now
from leaddesk.store.replica_marker import replica_person


@dataclass(frozen=True)
class JournaledPass:
    """A pass made offline, as the replica's journal keeps it."""

    client_uuid: str
    leads: tuple[LeadRef, ...]
    target: Target
    note: str
    method: PassMethod


@dataclass(frozen=True)
class Replayed:
    """What the server made of one journaled pass: its batch, or the refusal."""

    client_uuid: str
    batch_id: int | None
    refusal: LeadDeskError | None = None
    already_applied: bool = False


def replay_passes(
    session: Session, *, actor_id: int, passes: Sequence[JournaledPass]
) -> list[Replayed]:
    """Apply these passes of one person in order, in the caller's transaction; one answer
    per pass. Passes already applied (by their UUID) report their batch."""
    known = batches_of(session, [journaled.client_uuid for journaled in passes])
    answers: dict[int, Replayed] = {}
    wave: list[int] = []  # indexes into passes
    wave_leads: set[int] = set()
    together = session.get_bind().dialect.name == "postgresql" and replica_person(session) is None

    def flush_wave() -> None:
        if wave:
            answers.update(_replay_wave(session, actor_id, [(i, passes[i]) for i in wave]))
            wave.clear()
            wave_leads.clear()

    for index, journaled in enumerate(passes):
        existing = known.get(journaled.client_uuid)
        if existing is not None:
            answers[index] = Replayed(journaled.client_uuid, existing, already_applied=True)
            continue
        leads = {ref.id for ref in journaled.leads}
        if not (together and _fits_a_wave(journaled)):
            flush_wave()
            answers[index] = _one_by_one(session, actor_id, journaled)
            continue
        if leads & wave_leads:
            flush_wave()
        wave.append(index)
        wave_leads.update(leads)
    flush_wave()
    return [answers[index] for index in range(len(passes))]


def attempt(session: Session, client_uuid: str, apply: Callable[[], PassResult]) -> Replayed:
    """One pass under a savepoint of its own: a refusal rolls back only this pass."""
    savepoint = session.begin_nested()
    try:
        result = apply()
    except LeadDeskError as refusal:
        savepoint.rollback()
        return Replayed(client_uuid, None, refusal)
    except IntegrityError:
        # Another sync of the same replica applied it after our look (its UUID is unique on
        # the server): that one counts.
        savepoint.rollback()
        existing = batches_of(session, [client_uuid]).get(client_uuid)
        if existing is None:
            raise
        return Replayed(client_uuid, existing, already_applied=True)
    savepoint.commit()
    return Replayed(client_uuid, result.batch_id)


def batches_of(session: Session, client_uuids: Sequence[str]) -> dict[str, int]:
    """The server's batches of these journaled passes, for those applied already."""
    if not client_uuids:
        return {}
    return {
        client_uuid: batch_id
        for client_uuid, batch_id in session.execute(
            select(PassBatch.client_uuid, PassBatch.id).where(
                PassBatch.client_uuid.in_(client_uuids)
            )
        )
    }


def _fits_a_wave(journaled: JournaledPass) -> bool:
    # A pass into a bucket may be assigned on by the bucket's rule at once, which depends on
    # the passes before it; an undo or an assignment from a bucket has rules of its own.
    return (
        journaled.target.kind is TargetKind.USER
        and journaled.method not in (PassMethod.UNDO, PassMethod.BUCKET_ASSIGN)
        and bool(journaled.leads)
    )


def _one_by_one(session: Session, actor_id: int, journaled: JournaledPass) -> Replayed:
    return attempt(
        session,
        journaled.client_uuid,
        lambda: pass_leads(
            session,
            actor_id=actor_id,
            selection=Selection.of_leads(list(journaled.leads)),
            target=journaled.target,
            note=journaled.note,
            method=journaled.method,
            client_uuid=journaled.client_uuid,
        ),
    )


def _replay_wave(
    session: Session, actor_id: int, wave: Sequence[tuple[int, JournaledPass]]
) -> dict[int, Replayed]:
    savepoint = session.begin_nested()
    try:
        answers = _checked_and_written(session, actor_id, wave)
    except IntegrityError:
        answers = None  # a pass's UUID was recorded meanwhile by another sync of this copy
    if answers is None:
        # The actor was refused (every pass then refuses on its own, in its own words), a
        # lead changed between the checks and the move, or a pass was applied meanwhile:
        # one by one, only that pass refuses or reports its batch.
        savepoint.rollback()
        return {index: _one_by_one(session, actor_id, journaled) for index, journaled in wave}
    savepoint.commit()
    return answers


def _checked_and_written(
    session: Session, actor_id: int, wave: Sequence[tuple[int, JournaledPass]]
) -> dict[int, Replayed] | None:
    try:
        actor = permissions.get_actor(
            session, actor_id, lock=True, also=[journaled.target.id for _i, journaled in wave]
        )
    except LeadDeskError:
        return None
    rows = {
        row.id: row
        for row in lead_refs.read_leads(
            session, [ref for _i, journaled in wave for ref in journaled.leads], refresh=True
        )
    }
    # Everything the checks rest on, in one read, locked until commit as a pass locks it.
    rights = permissions.rights_of(
        session,
        actor,
        users={row.owner_id for row in rows.values() if row.owner_id is not None}
        | {journaled.target.id for _i, journaled in wave},
        offices=any(row.bucket_office_id is not None for row in rows.values()),
        groups=any(row.bucket_group_id is not None for row in rows.values()),
        lock=True,
    )
    answers: dict[int, Replayed] = {}
    accepted: list[_Accepted] = []
    # The checks of pass_leads, in its order, each pass against the wave's rows and rights.
    for index, journaled in wave:
        try:
            note = clean_note(journaled.note)
            check_pass_target(session, actor, journaled.target, journaled.method, rights)
            mine = [rows[ref.id] for ref in journaled.leads if ref.id in rows]
            pinned = pinned_refs(session, actor, journaled.leads, journaled.target, mine, rights)
        except LeadDeskError as refusal:
            answers[index] = Replayed(journaled.client_uuid, None, refusal)
            continue
        accepted.append(_Accepted(index, journaled, note, pinned))
    if accepted:
        batch_ids = _write(session, actor, accepted)
        if batch_ids is None:
            return None
        for passed, batch_id in zip(accepted, batch_ids, strict=True):
            answers[passed.index] = Replayed(passed.journaled.client_uuid, batch_id)
    return answers


@dataclass(frozen=True)
class _Accepted:
    """A pass of the wave that passed the checks: its note cleaned, its leads pinned."""

    index: int
    journaled: JournaledPass
    note: str
    pinned: list[LeadRef]


def _write(session: Session, actor: User, accepted: Sequence[_Accepted]) -> list[int] | None:
    """The batches, moves, history, notes, emails and notice of the accepted passes; their
    batch ids, or None when a lead changed after the checks (the caller rolls back)."""
    now = utc_now()
    opened = [
        (passed.journaled.method, passed.note, passed.journaled.client_uuid) for passed in accepted
    ]
    batches = new_batches(session, actor, opened, now)
    moves = [
        (ref.id, ref.version, batch.id, passed.journaled.target.id)
        for batch, passed in zip(batches, accepted, strict=True)
        for ref in passed.pinned
    ]
    moved = move_pinned_to_owners(session, moves, now)
    if any(
        moved.get(batch.id, 0) != len(passed.pinned)
        for batch, passed in zip(batches, accepted, strict=True)
    ):
        return None
    finish_batches_on_server(session, actor, {batch: moved[batch.id] for batch in batches}, now)
    return [batch.id for batch in batches]
