"""Pushing a replica's journal: each entry, in order, through the reassignment controller on
the server, as the person, a chunk of entries per server transaction.

Idempotent by the entry's UUID: the server records it on the batch it writes
(``pass_batches.client_uuid``, unique, in the pass's own transaction), so an entry sent again
after a cut (the server committed, the replica never heard) reports the batch it already made
and queues no second email. An entry the server refuses (its leads changed meanwhile, a right
was taken away) becomes a conflict kept whole beside what the server has now.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, aliased

from leaddesk.errors import InvalidInputError
from leaddesk.offline.server_link import server_actor
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.replay import (
    JournaledPass,
    Replayed,
    attempt,
    batches_of,
    replay_passes,
)
from leaddesk.reassignment.requests import (
    LeadRef,
    PassMethod,
    PassResult,
    Selection,
    Target,
    TargetKind,
)
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.store.database import Database
from leaddesk.store.models import (
    JournalEntry,
    Lead,
    Office,
    PassBatch,
    PassGroup,
    ReplicaState,
    SyncConflict,
    User,
    utc_now,
)
from leaddesk.store.queries import place_label
from leaddesk.text_safety import one_line


@dataclass(frozen=True)
class Entry:
    """A journal entry as read from the replica (plain values, no session)."""

    uuid: str
    method: str
    leads: tuple[tuple[int, int | None], ...]
    target_kind: str | None
    target_id: int | None
    note: str
    undoes_batch_id: int | None
    undoes_uuid: str | None

    @classmethod
    def of(cls, row: JournalEntry) -> Entry:
        return cls(
            uuid=row.uuid,
            method=row.method,
            leads=tuple((int(i), int(v)) for i, v in json.loads(row.leads)),
            target_kind=row.target_kind,
            target_id=row.target_id,
            note=row.note,
            undoes_batch_id=row.undoes_batch_id,
            undoes_uuid=row.undoes_uuid,
        )


@dataclass
class PushCounts:
    applied: int = 0
    already_applied: int = 0
    conflicts: int = 0

    def plus(self, other: PushCounts) -> PushCounts:
        return PushCounts(
            self.applied + other.applied,
            self.already_applied + other.already_applied,
            self.conflicts + other.conflicts,
        )


def pending_entries(replica: Database) -> list[Entry]:
    with replica.read() as session:
        rows = session.scalars(
            select(JournalEntry).where(JournalEntry.state == "pending").order_by(JournalEntry.id)
        )
        return [Entry.of(row) for row in rows]


def push_journal(replica: Database, server: Database) -> PushCounts:
    """Send every pending entry, in order, a chunk per server transaction.

    The controller replays a chunk's passes together (``reassignment.replay``: a few
    statements for a run of passes, where one by one took about six per pass); a refused
    entry changes nothing and becomes a conflict, the others stay. The replica settles a
    chunk only after the server committed it, so a cut loses at most one chunk's answers;
    the next sync finds those entries on the server by their UUIDs and reports them.
    """
    with replica.read() as session:
        state = session.execute(select(ReplicaState)).scalar_one()
        actor_name, actor_id = state.actor_name, state.actor_id
    counts = PushCounts()
    entries = pending_entries(replica)
    if not entries:
        return counts
    # The person on the server, checked once; the controller locks and checks them again
    # for every run of entries, and the server's policies hold the login to them.
    with server.read() as session:
        server_actor(session, actor_name, expected_id=actor_id)
    for start in range(0, len(entries), PUSH_CHUNK):
        chunk = entries[start : start + PUSH_CHUNK]
        # A deadlock with someone passing online reruns the whole chunk: nothing of it was
        # committed, and the replica has not heard of it.
        outcomes = write_with_retry(server, partial(_replay_chunk, chunk=chunk, actor_id=actor_id))
        _settle(replica, outcomes)
        for outcome in outcomes:
            if outcome.state == "conflict":
                counts.conflicts += 1
            elif outcome.replayed:
                counts.already_applied += 1
            else:
                counts.applied += 1
    return counts


# Entries per server transaction: one commit (and its flush to disk) per chunk instead of
# per entry; a cut costs at most this many entries to send again (they are then reported
# as already applied, never applied twice).
PUSH_CHUNK = 100


@dataclass
class Outcome:
    """What the server made of one entry; settled on the replica after the commit."""

    entry: Entry
    state: str  # "applied" or "conflict"
    batch_id: int | None = None
    replayed: bool = False
    reason: str = ""
    sides: list[dict] = field(default_factory=list)


def _replay_chunk(session: Session, *, chunk: Sequence[Entry], actor_id: int) -> list[Outcome]:
    """The chunk's entries in order. Runs of plain passes go to the controller together
    (``replay_passes`` writes many in a few statements); an undo or an assignment from a
    bucket goes on its own. Each refusal becomes a conflict beside the server's side."""
    answers: list[Replayed] = []
    run: list[JournaledPass] = []

    def replay_run() -> None:
        if run:
            answers.extend(replay_passes(session, actor_id=actor_id, passes=run))
            run.clear()

    for entry in chunk:
        if PassMethod(entry.method) in (PassMethod.UNDO, PassMethod.BUCKET_ASSIGN):
            replay_run()
            known = batches_of(session, [entry.uuid]).get(entry.uuid)
            if known is not None:
                answers.append(Replayed(entry.uuid, known, already_applied=True))
            else:
                answers.append(
                    attempt(session, entry.uuid, partial(apply_entry, session, actor_id, entry))
                )
            continue
        run.append(_journaled(entry))
    replay_run()
    outcomes = []
    for entry, answer in zip(chunk, answers, strict=True):
        if answer.refusal is not None:
            sides = _server_now(session, entry)
            outcomes.append(
                Outcome(entry, "conflict", reason=one_line(answer.refusal), sides=sides)
            )
        else:
            outcomes.append(
                Outcome(entry, "applied", answer.batch_id, replayed=answer.already_applied)
            )
    return outcomes


def _journaled(entry: Entry) -> JournaledPass:
    assert entry.target_kind is not None and entry.target_id is not None
    return JournaledPass(
        client_uuid=entry.uuid,
        leads=tuple(LeadRef(lead_id, version) for lead_id, version in entry.leads),
        target=Target(TargetKind(entry.target_kind), entry.target_id),
        note=entry.note,
        method=PassMethod(entry.method),
    )


def _batch_of(session: Session, client_uuid: str) -> int | None:
    return batches_of(session, [client_uuid]).get(client_uuid)


def apply_entry(session: Session, actor_id: int, entry: Entry) -> PassResult:
    """One journal entry through the controller, pinned to the versions the replica saw."""
    refs = [LeadRef(lead_id, version) for lead_id, version in entry.leads]
    method = PassMethod(entry.method)
    if method is PassMethod.UNDO:
        batch_id = entry.undoes_batch_id
        if entry.undoes_uuid is not None:
            batch_id = _batch_of(session, entry.undoes_uuid)
        if batch_id is None:
            raise InvalidInputError(
                "The pass this undoes was not applied on the server; there is nothing to undo."
            )
        return undo_batch(session, actor_id=actor_id, batch_id=batch_id, client_uuid=entry.uuid)
    assert entry.target_kind is not None and entry.target_id is not None
    if method is PassMethod.BUCKET_ASSIGN:
        return assign_from_bucket(
            session,
            actor_id=actor_id,
            leads=refs,
            user_id=entry.target_id,
            note=entry.note,
            client_uuid=entry.uuid,
        )
    return pass_leads(
        session,
        actor_id=actor_id,
        selection=Selection.of_leads(refs),
        target=Target(TargetKind(entry.target_kind), entry.target_id),
        note=entry.note,
        method=method,
        client_uuid=entry.uuid,
    )


def _server_now(session: Session, entry: Entry) -> list[dict]:
    """Per lead of the entry: where it is on the server now, who moved it last, and when."""
    seen = dict(entry.leads)
    mover = aliased(User)
    rows = session.execute(
        select(
            Lead.id,
            Lead.name,
            Lead.version,
            User.name,
            Office.name,
            PassGroup.name,
            Lead.bucket_office_id,
            Lead.bucket_group_id,
            mover.name,
            PassBatch.created_at,
        )
        .outerjoin(User, User.id == Lead.owner_id)
        .outerjoin(Office, Office.id == Lead.bucket_office_id)
        .outerjoin(PassGroup, PassGroup.id == Lead.bucket_group_id)
        .outerjoin(PassBatch, PassBatch.id == Lead.last_batch_id)
        .outerjoin(mover, mover.id == PassBatch.actor_id)
        .where(Lead.id.in_(sorted(seen)))
    ).all()
    found = {row[0]: row for row in rows}
    sides = []
    for lead_id in sorted(seen):
        row = found.get(lead_id)
        if row is None:
            sides.append({"lead_id": lead_id, "seen_version": seen[lead_id]})
            continue
        _id, name, version, owner, office, group, office_id, group_id, by, when = row
        sides.append(
            {
                "lead_id": lead_id,
                "lead_name": name,
                "place": place_label(owner or office or group, office_id, group_id),
                "changed_by": by,
                "changed_at": when.isoformat() if when else None,
                "seen_version": seen[lead_id],
                "server_version": version,
            }
        )
    return sides


def _settle(replica: Database, outcomes: Sequence[Outcome]) -> None:
    """Note a committed chunk's answers on the replica, in one transaction."""
    journal = JournalEntry.__table__
    with replica.write() as session:
        # One statement run for every answer (executemany), not one per entry.
        session.execute(
            update(journal)
            .where(journal.c.uuid == bindparam("answered_uuid"))
            .values(state=bindparam("answered_state"), server_batch_id=bindparam("answered_batch")),
            [
                {
                    "answered_uuid": outcome.entry.uuid,
                    "answered_state": outcome.state,
                    "answered_batch": outcome.batch_id,
                }
                for outcome in outcomes
            ],
        )
        conflicts = [outcome for outcome in outcomes if outcome.state == "conflict"]
        if not conflicts:
            return
        lead_ids = {lead_id for outcome in conflicts for lead_id, _v in outcome.entry.leads}
        names = dict(session.execute(select(Lead.id, Lead.name).where(Lead.id.in_(lead_ids))).all())
        for outcome in conflicts:
            for side in outcome.sides:
                side.setdefault("lead_name", names.get(side["lead_id"], f"lead {side['lead_id']}"))
            session.add(
                SyncConflict(
                    journal_uuid=outcome.entry.uuid,
                    reason=outcome.reason,
                    server_now=json.dumps(outcome.sides),
                    created_at=utc_now(),
                )
            )


def settled_local_work(replica: Database) -> tuple[list[int], set[int]]:
    """The replica's own batches of settled entries, and the leads they moved: the pull
    puts the server's truth in their place."""
    with replica.read() as session:
        rows = session.execute(
            select(JournalEntry.local_batch_id, JournalEntry.leads).where(
                JournalEntry.state != "pending", JournalEntry.local_batch_id.is_not(None)
            )
        ).all()
    batches = [batch for batch, _leads in rows if batch is not None]
    leads = {int(lead_id) for _batch, text in rows for lead_id, _v in json.loads(text)}
    return batches, leads


def forget_local_batches(session: Session, batch_ids: list[int]) -> None:
    session.execute(
        update(JournalEntry)
        .where(JournalEntry.local_batch_id.in_(batch_ids))
        .values(local_batch_id=None)
    )
