"""Pulling from the server into a replica: everything in the person's view (a full pull), or
only what was written since the last pull's snapshot (cost grows with what changed).

The server is read in one REPEATABLE READ transaction whose snapshot becomes the next
pull's mark; the replica is written in one transaction, so an interrupted pull changes
nothing and the next one starts from the same mark.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Table,
    delete,
    false,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from leaddesk.offline.scope import lead_scope, view_digest, written_since
from leaddesk.store.models import (
    BucketRule,
    Lead,
    LeadNote,
    ManagerRight,
    Office,
    OfficeMember,
    OutboxMessage,
    PassBatch,
    PassGroup,
    PassGroupMember,
    PassHistory,
    ReplicaState,
    Status,
    User,
    utc_now,
)

# What a full pull writes; a replica with an older format is pulled whole on its next sync.
REPLICA_FORMAT = 1
# Ids per IN list (well under SQLite's and psycopg's parameter limits).
ID_SLICE = 5000


@dataclass
class Rows:
    """Rows of one table as plain tuples in the table's column order: a full pull moves
    hundreds of thousands, and dicts or ORM objects would cost more than the copying."""

    table: Table
    values: list[tuple[Any, ...]] = field(default_factory=list)

    def index(self, name: str) -> int:
        return list(self.table.columns.keys()).index(name)

    def column(self, name: str) -> list[Any]:
        at = self.index(name)
        return [row[at] for row in self.values]


_UPSERTED = (User, Office, PassGroup, Status)  # kept by id (history points at them)
# Small; replaced whole. Bucket rules give the Leads to be Assigned tab its waiting limits.
_REPLACED = (ManagerRight, OfficeMember, PassGroupMember, BucketRule)


@dataclass
class ServerPicture:
    """What one pull read from the server, all in one snapshot."""

    snapshot: str
    xmin: int
    revision: str
    digest: str
    full: bool
    organisation_digest: str = ""
    # Empty when the organisation did not change since the last pull (not read then).
    organisation: dict[str, Rows] = field(default_factory=dict)
    leads: Rows = field(default_factory=lambda: Rows(Lead.__table__))
    history: Rows = field(default_factory=lambda: Rows(PassHistory.__table__))
    notes: Rows = field(default_factory=lambda: Rows(LeadNote.__table__))
    batches: Rows = field(default_factory=lambda: Rows(PassBatch.__table__))
    touched: set[int] = field(default_factory=set)  # leads whose rows are replaced
    gone: set[int] = field(default_factory=set)  # written since, now out of the view


def begin_snapshot(server: Session) -> tuple[str, int]:
    """Call first in a REPEATABLE READ transaction: its snapshot is what this pull sees."""
    snapshot = str(server.scalar(text("SELECT pg_current_snapshot()::text")))
    return snapshot, int(snapshot.split(":", 1)[0])


def read_server(
    server: Session,
    *,
    actor: User,
    snapshot: tuple[str, int],
    revision: str,
    state: ReplicaState | None,
    refetch: Collection[int] = (),
    force_full: bool = False,
) -> ServerPicture:
    """Read what the replica needs; ``refetch``: leads the journal moved on the replica."""
    digest = view_digest(server, actor)
    full = (
        force_full
        or state is None
        or not state.pull_snapshot
        or state.replica_format < REPLICA_FORMAT
        or state.server_revision != revision
        or state.view_digest != digest
    )
    picture = ServerPicture(
        snapshot=snapshot[0], xmin=snapshot[1], revision=revision, digest=digest, full=full
    )
    picture.organisation_digest = organisation_digest(server)
    if full or state is None or state.organisation_digest != picture.organisation_digest:
        for model in (*_UPSERTED, *_REPLACED):
            picture.organisation[model.__tablename__] = _rows(server, model.__table__)
    scope = lead_scope(actor)
    if full:
        wanted: ColumnElement[bool] = scope
    else:
        assert state is not None
        since = written_since(state.pull_xmin, state.pull_snapshot)
        wanted = scope & or_(since, _in(Lead.id, refetch))
        picture.gone = set(_changed_ids(server, state)) | set(refetch)
    picture.leads = _rows(server, Lead.__table__, wanted)
    visible = set(picture.leads.column("id"))
    picture.gone -= visible
    picture.touched = visible | picture.gone
    lead_ids = select(Lead.id).where(wanted)
    picture.history = _rows(server, PassHistory.__table__, PassHistory.lead_id.in_(lead_ids))
    picture.notes = _rows(server, LeadNote.__table__, LeadNote.lead_id.in_(lead_ids))
    picture.batches = _batches(server, picture)
    return picture


def organisation_digest(server: Session) -> str:
    """A fingerprint of every organisation table the replica copies, computed by the server
    in one statement: a sync reads and rewrites those tables only when it changed."""
    parts = " UNION ALL ".join(
        f"SELECT '{name}' AS name, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
        f" AS digest FROM {name} AS t"
        for name in sorted(model.__tablename__ for model in (*_UPSERTED, *_REPLACED))
    )
    combined = f"SELECT md5(string_agg(digest, '|' ORDER BY name)) FROM ({parts}) AS d"
    return str(server.scalar(text(combined)))


def _changed_ids(server: Session, state: ReplicaState) -> list[int]:
    """Every lead written since the mark, seen or not (ids only), to learn what left."""
    helper = server.scalar(
        text("SELECT to_regprocedure('leaddesk_changed_lead_ids(bigint, text)') IS NOT NULL")
    )
    if helper:
        return list(
            server.scalars(
                text("SELECT leaddesk_changed_lead_ids(:xmin, :snap)"),
                {"xmin": state.pull_xmin, "snap": state.pull_snapshot},
            )
        )
    # A server without ``server setup`` has no row-level security: the plain query sees all.
    written = server.scalars(
        select(Lead.id).where(written_since(state.pull_xmin, state.pull_snapshot))
    )
    deleted = server.scalars(
        text(
            "SELECT lead_id FROM lead_tombstones WHERE change_seq >= :xmin AND NOT"
            " pg_visible_in_snapshot(change_seq::text::xid8, CAST(:snap AS pg_snapshot))"
        ),
        {"xmin": state.pull_xmin, "snap": state.pull_snapshot},
    )
    return [*written, *deleted]


def _batches(server: Session, picture: ServerPicture) -> Rows:
    wanted = set(picture.history.column("batch_id"))
    wanted |= set(picture.notes.column("batch_id")) | set(picture.leads.column("last_batch_id"))
    wanted.discard(None)
    table = PassBatch.__table__
    found = _rows(server, table, _in(PassBatch.id, wanted))
    # An undo and the pass it undid point at each other; fetch the other side once.
    linked = set(found.column("undone_by_id")) | set(found.column("undoes_id"))
    linked -= set(found.column("id")) | {None}
    if linked:
        found.values += _rows(server, table, _in(PassBatch.id, linked)).values
    return found


def write_replica(
    replica: Session, picture: ServerPicture, *, settled_batches: Sequence[int]
) -> int:
    """Write a pull into the replica (the caller commits); returns how many leads changed.

    ``settled_batches``: the replica's own batches of journal entries the server settled;
    they give way to the server's batches, history and notes.
    """
    # The tables are rewritten in an order foreign keys would refuse midway; they are
    # checked once, at commit.
    replica.execute(text("PRAGMA defer_foreign_keys = ON"))
    _remove_local_batches(replica, settled_batches)
    if picture.organisation:
        for model in _UPSERTED:
            _upsert(replica, picture.organisation[model.__tablename__])
        for model in _REPLACED:
            replica.execute(delete(model))
            _upsert(replica, picture.organisation[model.__tablename__])
    if picture.full:
        before = set(replica.scalars(select(Lead.id)))
        for model in (LeadNote, PassHistory, OutboxMessage):
            replica.execute(delete(model))
        replica.execute(update(Lead).values(last_batch_id=None))
        replica.execute(update(PassBatch).values(undone_by_id=None, undoes_id=None))
        replica.execute(delete(Lead))
        replica.execute(delete(PassBatch))
        # Every lead now held, and every lead the copy no longer holds.
        held = set(picture.leads.column("id"))
        changed = len(held) + len(before - held)
    else:
        # History and notes are only ever added on the server: a lead still in view keeps
        # the rows the replica has, and only the new ones are written (below).
        for ids in _slices(picture.gone):
            replica.execute(delete(LeadNote).where(LeadNote.lead_id.in_(ids)))
            replica.execute(delete(PassHistory).where(PassHistory.lead_id.in_(ids)))
            replica.execute(delete(Lead).where(Lead.id.in_(ids)))
        changed = len(picture.touched)
    _upsert(replica, _linked_batches(replica, picture.batches))
    if picture.full:
        with indexes_set_aside(replica, Lead.__tablename__):
            _upsert(replica, picture.leads)
    else:
        _upsert_leads(replica, picture.leads)
    _upsert(replica, picture.history, keep_existing=True)
    _upsert(replica, picture.notes, keep_existing=True)
    return changed


# Lead columns behind an index that a pass never changes. An upsert rewrites the index
# entry of every column it sets, even to the same value, so leads whose name and import id
# are unchanged are updated without them.
_STEADY_LEAD_COLUMNS = ("name", "external_source", "external_id")


def _upsert_leads(replica: Session, rows: Rows) -> None:
    """The changed leads of an incremental pull: loaded into a temporary table, then
    written by two set-based upserts (SQLite runs one INSERT ... SELECT several times
    faster than the same rows bound one by one into an upsert)."""
    if not rows.values:
        return
    names = list(rows.table.columns.keys())
    listed = ", ".join(names)
    connection = replica.connection()
    connection.exec_driver_sql("CREATE TEMP TABLE pulled_leads AS SELECT * FROM leads WHERE 0")
    try:
        connection.exec_driver_sql(
            f"INSERT INTO pulled_leads ({listed}) VALUES ({', '.join('?' for _ in names)})",
            rows.values,  # type: ignore[arg-type]
        )
        steady = " AND ".join(f"held.{name} IS pulled.{name}" for name in _STEADY_LEAD_COLUMNS)
        for same, leave_alone in ((False, ()), (True, _STEADY_LEAD_COLUMNS)):
            updates = ", ".join(
                f"{name} = excluded.{name}" for name in names if name not in ("id", *leave_alone)
            )
            connection.exec_driver_sql(
                f"INSERT INTO leads ({listed})"
                f" SELECT {', '.join(f'pulled.{name}' for name in names)}"
                " FROM pulled_leads AS pulled LEFT JOIN leads AS held ON held.id = pulled.id"
                f" WHERE {'held.id IS NULL OR ' if same else 'held.id IS NOT NULL AND NOT '}"
                f"({steady}) ORDER BY pulled.id"
                f" ON CONFLICT (id) DO UPDATE SET {updates}"
            )
    finally:
        connection.exec_driver_sql("DROP TABLE temp.pulled_leads")


def _remove_local_batches(replica: Session, batch_ids: Sequence[int]) -> None:
    for ids in _slices(batch_ids):
        replica.execute(delete(LeadNote).where(LeadNote.batch_id.in_(ids)))
        replica.execute(delete(PassHistory).where(PassHistory.batch_id.in_(ids)))
        replica.execute(update(Lead).where(Lead.last_batch_id.in_(ids)).values(last_batch_id=None))
        replica.execute(
            update(PassBatch).where(PassBatch.undone_by_id.in_(ids)).values(undone_by_id=None)
        )
        replica.execute(delete(PassBatch).where(PassBatch.id.in_(ids)))


def _linked_batches(replica: Session, batches: Rows) -> Rows:
    """Batches whose undo partner is neither pulled nor on the replica lose the link (it
    is out of the person's view), so the copy stays consistent."""
    have = set(batches.column("id"))
    links = (batches.index("undone_by_id"), batches.index("undoes_id"))
    wanted = {row[i] for row in batches.values for i in links} - have - {None}
    for ids in _slices(wanted):
        have |= set(replica.scalars(select(PassBatch.id).where(PassBatch.id.in_(ids))))
    kept = []
    for row in batches.values:
        values = list(row)
        for i in links:
            if values[i] not in have:
                values[i] = None
        kept.append(tuple(values))
    return Rows(batches.table, kept)


def _rows(session: Session, table: Table, where: ColumnElement[bool] | None = None) -> Rows:
    """A table's rows as tuples, times already in the text form SQLite stores them in
    (formatted by the server: a Python loop over every time costs more than the copy)."""
    columns = [
        func.to_char(column, _PG_DATETIME) if isinstance(column.type, DateTime) else column
        for column in table.columns
    ]
    query = select(*columns).select_from(table)
    if where is not None:
        query = query.where(where)
    return Rows(table, [tuple(row) for row in session.execute(query).all()])


def _in(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    parts = [column.in_(part) for part in _slices(ids)]
    return or_(*parts) if parts else false()


def _slices(ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + ID_SLICE] for i in range(0, len(ordered), ID_SLICE)]


# How SQLAlchemy stores a DateTime in SQLite ("2026-11-28 20:31:05.123456").
_PG_DATETIME = "YYYY-MM-DD HH24:MI:SS.US"


def _upsert(session: Session, rows: Rows, *, keep_existing: bool = False) -> None:
    """Insert or update by primary key, in one executemany on the driver; ``keep_existing``:
    a row the replica holds already is left as it is (rows the server never changes)."""
    if not rows.values:
        return
    table = rows.table
    names = list(table.columns.keys())
    keys = [column.name for column in table.primary_key.columns]
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    conflict = f"DO UPDATE SET {updates}" if updates and not keep_existing else "DO NOTHING"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        f" ON CONFLICT ({', '.join(keys)}) {conflict}"
    )
    session.connection().exec_driver_sql(statement, rows.values)  # type: ignore[arg-type]


@contextmanager
def indexes_set_aside(session: Session, table: str) -> Iterator[None]:
    """Build a table's secondary indexes after a bulk insert, not row by row (a third
    faster for a full pull of 100,000 leads); the same transaction, so all or nothing."""
    indexes = session.execute(
        text(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL"
        ),
        {"table": table},
    ).all()
    for name, _sql in indexes:
        session.execute(text(f'DROP INDEX "{name}"'))
    yield
    for _name, sql in indexes:
        session.execute(text(sql))


def record_pull(replica: Session, state: ReplicaState, picture: ServerPicture) -> None:
    state.pull_snapshot = picture.snapshot
    state.pull_xmin = picture.xmin
    state.server_revision = picture.revision
    state.view_digest = picture.digest
    state.organisation_digest = picture.organisation_digest
    state.replica_format = REPLICA_FORMAT
    state.last_sync_at = utc_now()
