"""Offline passes the server refused: listing them and resolving them.

A conflict keeps the whole offline pass (its journal entry) and what the server had when it
refused (per lead: where it is, who moved it, when). It stays open until the person passes
the leads again (a new pass on the server, as things are there now, the note kept) or drops
it (the server keeps what it has).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import make_url

from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.offline.push import Entry, apply_entry
from leaddesk.offline.replica import aware, open_replica
from leaddesk.offline.server_link import (
    connect_server,
    reaching,
    require_known_schema,
    server_actor,
)
from leaddesk.offline.sync import pull_into
from leaddesk.offline.types import Conflict, ConflictSide
from leaddesk.store.database import Database
from leaddesk.store.models import JournalEntry, ReplicaState, SyncConflict, utc_now

# "Pass again" is idempotent too: its UUID is derived from the entry's, so running it again
# after a cut reports the pass the server already made.
_AGAIN = uuid.UUID("6f1c2d1e-4a55-4c1b-9a0e-0ff1ce0ff1ce")


def list_conflicts(replica_path: str) -> list[Conflict]:
    with open_replica(replica_path) as replica:
        return _open_conflicts(replica)


def _open_conflicts(replica: Database, conflict_id: int | None = None) -> list[Conflict]:
    with replica.read() as session:
        actor_name = session.execute(select(ReplicaState.actor_name)).scalar_one()
        query = (
            select(SyncConflict, JournalEntry)
            .join(JournalEntry, JournalEntry.uuid == SyncConflict.journal_uuid)
            .where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.id)
        )
        if conflict_id is not None:
            query = query.where(SyncConflict.id == conflict_id)
        return [_conflict(c, e, actor_name) for c, e in session.execute(query).all()]


def _conflict(row: SyncConflict, entry: JournalEntry, actor_name: str) -> Conflict:
    sides = tuple(_side(side) for side in json.loads(row.server_now))
    return Conflict(
        id=row.id,
        journal_uuid=entry.uuid,
        passed_at=aware(entry.created_at),
        actor_name=actor_name,
        method=entry.method,
        lead_names=tuple(side.lead_name for side in sides),
        target_label=entry.target_label,
        note=entry.note,
        server_now=sides,
        reason=row.reason,
    )


def _side(data: dict) -> ConflictSide:
    changed_at = data.get("changed_at")
    return ConflictSide(
        lead_id=int(data["lead_id"]),
        lead_name=str(data.get("lead_name", f"lead {data['lead_id']}")),
        place=str(data.get("place", "no longer in your view")),
        changed_by=data.get("changed_by"),
        changed_at=aware(datetime.fromisoformat(changed_at)) if changed_at else None,
        seen_version=data.get("seen_version"),
        server_version=data.get("server_version"),
    )


def resolve_conflict(replica_path: str, conflict_id: int, *, pass_again: bool) -> str:
    """Pass again on the server, or drop; returns one line saying what happened."""
    with open_replica(replica_path) as replica:
        found = _open_conflicts(replica, conflict_id)
        if not found:
            raise NotFoundError(f"There is no open conflict {conflict_id}.")
        conflict = found[0]
        if not pass_again:
            _close(replica, conflict_id, "dropped", None)
            return f"Conflict {conflict_id} dropped; the server keeps what it has."
        return _pass_again(replica, conflict)


def _pass_again(replica: Database, conflict: Conflict) -> str:
    with replica.read() as session:
        entry_row = session.scalars(
            select(JournalEntry).where(JournalEntry.uuid == conflict.journal_uuid)
        ).one()
        entry = Entry.of(entry_row)
        state = session.execute(select(ReplicaState)).scalar_one()
        url, actor_name, actor_id = make_url(state.server_url), state.actor_name, state.actor_id
    # As the server has the leads now: the controller pins each to the version it reads.
    again = Entry(
        uuid=str(uuid.uuid5(_AGAIN, entry.uuid)),
        method=entry.method,
        leads=tuple((lead_id, None) for lead_id, _seen in entry.leads),
        target_kind=entry.target_kind,
        target_id=entry.target_id,
        note=entry.note,
        undoes_batch_id=entry.undoes_batch_id,
        undoes_uuid=entry.undoes_uuid,
    )
    server = connect_server(url)
    try:
        with reaching(url):
            revision = require_known_schema(server)
            with server.write() as session:
                actor = server_actor(session, actor_name, expected_id=actor_id)
                result = apply_entry(session, actor.id, again)
            _close(replica, conflict.id, "passed_again", result.batch_id)
            pull_into(replica, server, revision)
    finally:
        server.dispose()
    leads = f"{result.moved} lead{'s' if result.moved != 1 else ''}"
    return (
        f"Conflict {conflict.id} resolved: passed again as pass {result.batch_id} "
        f"({leads} to {result.target_name})."
    )


def _close(replica: Database, conflict_id: int, resolution: str, batch_id: int | None) -> None:
    with replica.write() as session:
        row = session.get(SyncConflict, conflict_id)
        if row is None or row.resolved_at is not None:
            raise InvalidInputError(f"Conflict {conflict_id} is already resolved.")
        row.resolved_at = utc_now()
        row.resolution = resolution
        row.resolved_batch_id = batch_id
