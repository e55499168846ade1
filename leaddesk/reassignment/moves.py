"""The set-based statements that move leads and record where they came from.

A move must write exactly one history row per lead it moved, even while other connections
change leads. On SQLite the writer holds the database lock for the whole transaction, so
"record, then update with the same WHERE" sees the same rows. On PostgreSQL another
transaction may commit between two statements, so the update and the history insert happen
in one statement: the update joins a snapshot of the selected leads (place and version) and
re-checks, on the row it finally updates, that it is still the snapshot's: the same version
(every change to a lead bumps it) and the same place. Under READ COMMITTED a row changed
meanwhile is re-evaluated on its newest version and skipped, so the history's "from" is
always where the lead really was. (The update does not repeat the selection itself: with a
long list of pinned leads that made PostgreSQL compare every lead with every pair, about
10 s for 10,000 leads.) (A locking
``SELECT ... FOR UPDATE`` gives the same guarantee but writes a lock record for every row
first, which made a 100,000-lead pass about a third slower.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Subquery,
    and_,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, aliased

from leaddesk.reassignment.requests import Target
from leaddesk.store.models import Lead, PassBatch, PassHistory

# An INSERT's rowcount survives the cursor only when asked for (psycopg loses it otherwise).
_KEEP_ROWCOUNT = {"preserve_rowcount": True}

_HISTORY_COLUMNS = [
    "batch_id",
    "lead_id",
    "from_owner_id",
    "from_office_id",
    "from_group_id",
    "to_owner_id",
    "to_office_id",
    "to_group_id",
    "to_version",
]


def move_leads(
    session: Session,
    *,
    condition: ColumnElement[bool],
    target: Target,
    batch_id: int,
    now: datetime,
    sources_owned: bool = False,
) -> int:
    """Move every lead matching ``condition`` to ``target``; returns how many moved.

    ``sources_owned`` says every matching lead has an owner (a selection by user), so the
    bucket columns are NULL already: leaving them out of the SET list spares SQLite from
    rewriting their indexes for every row.
    """
    place = target.columns()
    # Never record a move to where the lead already is (whatever the caller selected).
    condition = and_(
        condition,
        *(
            getattr(Lead, column).is_distinct_from(value)
            for column, value in place.items()
            if value is not None
        ),
    )
    changed_place = {
        column: value
        for column, value in place.items()
        if not (sources_owned and column != "owner_id" and value is None)
    }
    new_values = {
        **changed_place,
        "version": Lead.version + 1,
        "last_batch_id": batch_id,
        "updated_at": now,
    }
    if session.get_bind().dialect.name == "postgresql":
        old = (
            select(
                Lead.id, Lead.version, Lead.owner_id, Lead.bucket_office_id, Lead.bucket_group_id
            )
            .where(condition)
            # Planned on its own: inlined, the planner joined the selection last, comparing
            # every lead with every pinned (id, version) pair.
            .cte("old_place")
            .prefix_with("MATERIALIZED")
        )
        moved = (
            update(Lead)
            .where(
                Lead.id == old.c.id,
                Lead.version == old.c.version,
                Lead.owner_id.is_not_distinct_from(old.c.owner_id),
                Lead.bucket_office_id.is_not_distinct_from(old.c.bucket_office_id),
                Lead.bucket_group_id.is_not_distinct_from(old.c.bucket_group_id),
            )
            .values(new_values)
            .returning(
                Lead.id,
                Lead.version,
                old.c.owner_id,
                old.c.bucket_office_id,
                old.c.bucket_group_id,
            )
            .cte("moved")
        )
        history = select(
            literal(batch_id),
            moved.c.id,
            moved.c.owner_id,
            moved.c.bucket_office_id,
            moved.c.bucket_group_id,
            literal(place["owner_id"]),
            literal(place["bucket_office_id"]),
            literal(place["bucket_group_id"]),
            moved.c.version,
        )
        # SQLAlchemy reports no rowcount for an INSERT whose CTE has RETURNING, so the
        # statement counts its own rows.
        recorded = (
            insert(PassHistory)
            .from_select(_HISTORY_COLUMNS, history)
            .returning(PassHistory.id)
            .cte("recorded")
        )
        return session.scalar(select(func.count()).select_from(recorded)) or 0

    history = select(
        literal(batch_id),
        Lead.id,
        Lead.owner_id,
        Lead.bucket_office_id,
        Lead.bucket_group_id,
        literal(place["owner_id"]),
        literal(place["bucket_office_id"]),
        literal(place["bucket_group_id"]),
        Lead.version + 1,
    ).where(condition)
    recorded = session.execute(
        insert(PassHistory).from_select(_HISTORY_COLUMNS, history), execution_options=_KEEP_ROWCOUNT
    ).rowcount  # type: ignore[attr-defined]
    updated = session.execute(
        update(Lead)
        .where(condition)
        .values(new_values)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    assert recorded == updated, "SQLite write lock should make these equal"
    return updated  # type: ignore[no-any-return]


def move_pinned_to_owners(
    session: Session, moves: Sequence[tuple[int, int | None, int, int]], now: datetime
) -> dict[int, int]:
    """Move each lead (id, version seen, batch id, new owner id) to its owner, writing the
    history row of its own batch; returns how many moved per batch (PostgreSQL).

    The many passes of a replica's sync, in one statement: as in :func:`move_leads`, a lead
    changed after the caller's checks is re-checked on its newest version and left alone,
    and the caller compares each batch's count with what it expected.
    """
    rows = session.execute(
        _MOVE_TO_OWNERS,
        {
            "lead_ids": [lead_id for lead_id, _v, _b, _o in moves],
            "versions": [version for _l, version, _b, _o in moves],
            "batch_ids": [batch_id for _l, _v, batch_id, _o in moves],
            "owner_ids": [owner_id for _l, _v, _b, owner_id in moves],
            "now": now,
        },
    )
    return {batch_id: count for batch_id, count in rows}


# The arrays travel as four parameters and are joined as a set (see move_leads for why the
# old places are MATERIALIZED and re-checked in the UPDATE).
_MOVE_TO_OWNERS = text(
    """
WITH wanted AS MATERIALIZED (
    SELECT * FROM unnest(CAST(:lead_ids AS integer[]), CAST(:versions AS integer[]),
        CAST(:batch_ids AS integer[]), CAST(:owner_ids AS integer[]))
        AS w(lead_id, version, batch_id, owner_id)
), old_place AS MATERIALIZED (
    SELECT l.id, l.version, l.owner_id, l.bucket_office_id, l.bucket_group_id,
        w.batch_id, w.owner_id AS to_owner_id
    FROM leads AS l JOIN wanted AS w ON l.id = w.lead_id AND l.version = w.version
    WHERE l.owner_id IS DISTINCT FROM w.owner_id
), moved AS (
    UPDATE leads SET owner_id = o.to_owner_id, bucket_office_id = NULL,
        bucket_group_id = NULL, version = leads.version + 1, last_batch_id = o.batch_id,
        updated_at = :now
    FROM old_place AS o
    WHERE leads.id = o.id AND leads.version = o.version
        AND leads.owner_id IS NOT DISTINCT FROM o.owner_id
        AND leads.bucket_office_id IS NOT DISTINCT FROM o.bucket_office_id
        AND leads.bucket_group_id IS NOT DISTINCT FROM o.bucket_group_id
    RETURNING leads.id, leads.version, o.owner_id, o.bucket_office_id, o.bucket_group_id,
        o.batch_id, o.to_owner_id
), recorded AS (
    INSERT INTO pass_history (batch_id, lead_id, from_owner_id, from_office_id,
        from_group_id, to_owner_id, to_office_id, to_group_id, to_version)
    SELECT batch_id, id, owner_id, bucket_office_id, bucket_group_id, to_owner_id,
        NULL, NULL, version
    FROM moved
    RETURNING batch_id
)
SELECT batch_id, count(*) FROM recorded GROUP BY batch_id
"""
)


def move_leads_back(
    session: Session, *, original_batch_id: int, batch_id: int, now: datetime
) -> int:
    """Return the leads of ``original_batch_id`` to where they were, recording a new batch.

    Only leads still at the version the original pass left them with are moved; the caller
    compares the count with the batch size and rolls back on a mismatch.
    """
    original = aliased(PassHistory)
    history = (
        select(
            literal(batch_id),
            original.lead_id,
            original.to_owner_id,
            original.to_office_id,
            original.to_group_id,
            original.from_owner_id,
            original.from_office_id,
            original.from_group_id,
            original.to_version + 1,
        )
        .join(Lead, Lead.id == original.lead_id)
        .where(original.batch_id == original_batch_id, Lead.version == original.to_version)
    )
    recorded = session.execute(
        insert(PassHistory).from_select(_HISTORY_COLUMNS, history), execution_options=_KEEP_ROWCOUNT
    ).rowcount  # type: ignore[attr-defined]
    updated = session.execute(
        update(Lead)
        .where(
            Lead.id == original.lead_id,
            original.batch_id == original_batch_id,
            Lead.version == original.to_version,
        )
        .values(
            owner_id=original.from_owner_id,
            bucket_office_id=original.from_office_id,
            bucket_group_id=original.from_group_id,
            version=Lead.version + 1,
            last_batch_id=batch_id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    # On PostgreSQL a lead changed between the two statements makes these differ; the
    # caller then rolls back the whole undo.
    return min(recorded, updated)  # type: ignore[no-any-return]


def close_batch(session: Session, *, batch_id: int, moved: int, undoes_id: int | None) -> None:
    """Record how many leads a batch moved and, for an undo, mark the batch it undid.

    On PostgreSQL this goes through ``leaddesk_close_batch`` (migration 0003): under the
    server policies ordinary logins may not UPDATE batches, and the function derives both
    values from the batch's own history rows. On SQLite the same two updates run directly.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT leaddesk_close_batch(:batch)"), {"batch": batch_id})
        return
    session.execute(
        update(PassBatch)
        .where(PassBatch.id == batch_id)
        .values(lead_count=moved)
        .execution_options(synchronize_session=False)
    )
    if undoes_id is not None:
        session.execute(
            update(PassBatch)
            .where(PassBatch.id == undoes_id, PassBatch.undone_by_id.is_(None))
            .values(undone_by_id=batch_id)
            .execution_options(synchronize_session=False)
        )


def move_leads_by_plan(
    session: Session,
    *,
    plan: Sequence[tuple[int, int, int]],
    bucket_condition: ColumnElement[bool],
    batch_id: int,
    now: datetime,
) -> int:
    """Give each planned lead (id, version, new owner id) to its owner, from its bucket.

    The plan travels as one JSON parameter that the database unpacks, so 10,000 leads are
    still two statements (history, then update). Only leads still at the planned version
    and still in the bucket move; the caller compares the count with the plan and rolls
    back on a mismatch (another connection changed one of them).
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite cannot look rows of json_each up by lead id, so joined straight to leads it
        # would scan the plan once per lead; a temporary table keyed by lead id cannot.
        session.execute(text(_SQLITE_PLAN_TABLE))
        session.execute(text("DELETE FROM temp.rule_plan"))
        session.execute(
            text(
                "INSERT INTO temp.rule_plan (lead_id, version, user_id) " + _SQLITE_FROM_JSON
            ).bindparams(plan=json.dumps([list(row) for row in plan]))
        )
        planned = (
            text("SELECT lead_id, version, user_id FROM temp.rule_plan")
            .columns(lead_id=Integer, version=Integer, user_id=Integer)
            .subquery("planned")
        )
    else:
        planned = _plan_table(plan)
    history = (
        select(
            literal(batch_id),
            Lead.id,
            Lead.owner_id,
            Lead.bucket_office_id,
            Lead.bucket_group_id,
            planned.c.user_id,
            literal(None),
            literal(None),
            Lead.version + 1,
        )
        .select_from(planned)
        .join(Lead, (Lead.id == planned.c.lead_id) & (Lead.version == planned.c.version))
        .where(bucket_condition)
    )
    recorded = session.execute(
        insert(PassHistory).from_select(_HISTORY_COLUMNS, history), execution_options=_KEEP_ROWCOUNT
    ).rowcount  # type: ignore[attr-defined]
    updated = session.execute(
        update(Lead)
        .where(Lead.id == planned.c.lead_id, Lead.version == planned.c.version, bucket_condition)
        .values(
            owner_id=planned.c.user_id,
            bucket_office_id=None,
            bucket_group_id=None,
            version=Lead.version + 1,
            last_batch_id=batch_id,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if sqlite:
        session.execute(text("DELETE FROM temp.rule_plan"))
    return min(recorded, updated)  # type: ignore[no-any-return]


_SQLITE_PLAN_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS rule_plan "
    "(lead_id INTEGER PRIMARY KEY, version INTEGER NOT NULL, user_id INTEGER NOT NULL)"
)
_SQLITE_FROM_JSON = (
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
    "json_extract(value, '$[2]') FROM json_each(:plan)"
)


def _plan_table(plan: Sequence[tuple[int, int, int]]) -> Subquery:
    """The plan as rows (lead_id, version, user_id), unpacked from one JSON parameter
    (PostgreSQL hash-joins it to leads)."""
    sql = (
        "SELECT (e->>0)::int AS lead_id, (e->>1)::int AS version, (e->>2)::int AS user_id "
        "FROM jsonb_array_elements(CAST(:plan AS jsonb)) AS e"
    )
    return (
        text(sql)
        .bindparams(plan=json.dumps([list(row) for row in plan]))
        .columns(lead_id=Integer, version=Integer, user_id=Integer)
        .subquery("planned")
    )
