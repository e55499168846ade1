"""How long leads waited in each bucket: median and 90th percentile, from the history.

A *stay* is one lead's time in one bucket's Leads to be Assigned:

- it starts when a pass put the lead there (a history row into the office or pass group),
  and ends at the lead's next history row (assigned, passed on, or the pass undone) or, for
  a lead still there, now;
- a lead that was in a bucket before it had any history (created there: the demo data, or
  a database older than its history) starts its stay at its ``created_at``, and it ends at
  its first history row or now.

A stay counts when it started on or after ``since``. Stays still running count with their
time so far and are also counted as "still waiting". Percentiles interpolate between the
two nearest stays (PostgreSQL's ``percentile_cont``; SQLite gets the same figure from
window functions), so both backends agree to the second. Everything is computed in SQL,
grouped by bucket; no stay is read into Python. The actor sees the buckets they watch
(administrators: all).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    CTE,
    ColumnElement,
    DateTime,
    Integer,
    bindparam,
    case,
    cast,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from leaddesk.reassignment import permissions
from leaddesk.reports.common import (
    ChartData,
    ChartRow,
    ChartSeries,
    ReportTable,
    duration_text,
    hours,
    report_actor,
)
from leaddesk.store.models import Lead, Office, PassBatch, PassGroup, PassHistory, utc_now

MEDIAN, P90 = 0.5, 0.9


@dataclass(frozen=True)
class BucketWaits:
    kind: str  # "office" or "group"
    id: int
    name: str
    stays: int
    still_waiting: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class WaitingReport:
    since: datetime
    now: datetime
    buckets: list[BucketWaits]  # offices by name, then pass groups by name


def _stays(
    dialect: str, since: datetime, office_ids: Collection[int], group_ids: Collection[int]
) -> CTE:
    """(office_id, group_id, seconds, running) for every stay in the given buckets that
    started since ``since``; ``running`` is 1 for a lead still waiting (measured to now).

    Read from where stays end, which is cheaper than from where they start: a move out of a
    bucket names the bucket (``from_office_id``/``from_group_id``) and the stay began at the
    lead's previous history row (or its creation, if it has none). A stay still running
    is a lead in a bucket now (both bucket columns are indexed), begun at its last history
    row or its creation. Each start is one index seek on ``pass_history(lead_id)``.
    """
    left, left_batch = aliased(PassHistory), aliased(PassBatch)
    before, before_batch = aliased(PassHistory), aliased(PassBatch)
    arrived = (
        select(before_batch.created_at)
        .select_from(before)
        .join(before_batch, before_batch.id == before.batch_id)
        .where(before.lead_id == left.lead_id, before.id < left.id)
        .order_by(before.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    created = select(Lead.created_at).where(Lead.id == left.lead_id).scalar_subquery()
    ended = (
        select(
            left.from_office_id.label("office_id"),
            left.from_group_id.label("group_id"),
            func.coalesce(arrived, created).label("started"),
            left_batch.created_at.label("ended"),
        )
        .join(left_batch, left_batch.id == left.batch_id)
        .where(
            or_(
                left.from_office_id.in_(sorted(office_ids)),
                left.from_group_id.in_(sorted(group_ids)),
            )
        )
        # A stay that began since the date ended after it: older departures are skipped
        # before any start is looked up.
        .where(left_batch.created_at >= since)
    )
    stays = [ended]
    places = (
        (Office, Lead.bucket_office_id, office_ids),
        (PassGroup, Lead.bucket_group_id, group_ids),
    )
    for place, column, ids in places:
        last, last_batch = aliased(PassHistory), aliased(PassBatch)
        last_moved = (
            select(last_batch.created_at)
            .select_from(last)
            .join(last_batch, last_batch.id == last.batch_id)
            .where(last.lead_id == Lead.id)
            .order_by(last.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        # Driven from the offices (pass groups): one seek per bucket in that column's index.
        # A filter on leads (IS NOT NULL, IN, an OR of both columns) makes SQLite scan every
        # lead, as its statistics count the many NULLs as one value.
        stays.append(
            select(
                Lead.bucket_office_id,
                Lead.bucket_group_id,
                func.coalesce(last_moved, Lead.created_at),
                cast(null(), DateTime),
            )
            .select_from(place)
            .join(Lead, column == place.id)
            .where(place.id.in_(sorted(ids)))
        )
    # Materialized, both: each start is looked up and each wait computed once, however
    # often the outer query names them (a flattened subquery would repeat the lookups).
    every = union_all(*stays).cte("every_stay").prefix_with("MATERIALIZED")
    return (
        select(
            every.c.office_id,
            every.c.group_id,
            _seconds(dialect, every.c.started, every.c.ended).label("seconds"),
            case((every.c.ended.is_(None), 1), else_=0).label("running"),
        )
        .where(every.c.started >= since)
        .cte("timed_stay")
        .prefix_with("MATERIALIZED")
    )


def _seconds(dialect: str, started: ColumnElement, ended: ColumnElement) -> ColumnElement:
    until = func.coalesce(ended, bindparam("now", type_=DateTime))
    if dialect == "sqlite":
        span = (func.julianday(until) - func.julianday(started)) * 86400.0
    else:
        span = func.extract("epoch", until - started)
    # A clock set back between two passes must not make a wait negative.
    return case((span < 0, 0.0), else_=span)


def _sqlite_percentile(
    p: float, value: ColumnElement, rank: ColumnElement, count: ColumnElement
) -> ColumnElement:
    """``percentile_cont(p)`` over a bucket's ranked rows: the two stays around position
    p*(n-1), each weighted by how near it is, summed."""
    position = p * (count - 1)
    below = cast(position, Integer)  # positions are never negative: a cast is a floor
    fraction = position - below
    return func.sum(
        value
        * case(
            (rank - 1 == below, 1 - fraction),
            (rank - 1 == below + 1, fraction),
            else_=0.0,
        )
    )


def waiting_report(
    session: Session, *, actor_id: int, since: datetime, now: datetime | None = None
) -> WaitingReport:
    actor = report_actor(session, actor_id)
    now = now or utc_now()
    dialect = session.get_bind().dialect.name
    office_ids = permissions.visible_office_ids(session, actor)
    group_ids = permissions.visible_group_ids(session, actor)
    stays = _stays(dialect, since, office_ids, group_ids)
    seconds = stays.c.seconds
    place = (stays.c.office_id, stays.c.group_id)
    if dialect == "sqlite":
        measured = select(
            *place,
            stays.c.running,
            seconds,
            func.row_number().over(partition_by=place, order_by=seconds).label("rank"),
            # The same window (one sort), framed over the whole bucket.
            func.count().over(partition_by=place, order_by=seconds, rows=(None, None)).label("n"),
        ).subquery("measured")
        m = measured.c
        query = select(
            m.office_id,
            m.group_id,
            func.count(),
            func.sum(m.running),
            _sqlite_percentile(MEDIAN, m.seconds, m.rank, m.n),
            _sqlite_percentile(P90, m.seconds, m.rank, m.n),
        ).group_by(m.office_id, m.group_id)
    else:
        query = select(
            *place,
            func.count(),
            func.sum(stays.c.running),
            func.percentile_cont(MEDIAN).within_group(seconds),
            func.percentile_cont(P90).within_group(seconds),
        ).group_by(*place)
    found = {
        (office_id, group_id): (int(n), int(waiting or 0), median, p90)
        for office_id, group_id, n, waiting, median, p90 in session.execute(query, {"now": now})
    }
    buckets = []
    for kind, model, visible in (("office", Office, office_ids), ("group", PassGroup, group_ids)):
        for bucket_id, name in session.execute(
            select(model.id, model.name).where(model.id.in_(sorted(visible))).order_by(model.name)
        ):
            key = (bucket_id, None) if kind == "office" else (None, bucket_id)
            n, waiting, median, p90 = found.get(key, (0, 0, None, None))
            buckets.append(
                BucketWaits(kind, bucket_id, name, n, waiting, _float(median), _float(p90))
            )
    return WaitingReport(since, now, buckets)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def waiting_table(report: WaitingReport) -> ReportTable:
    headers = ["bucket", "kind", "stays", "still waiting", "median hours", "90th percentile hours"]
    rows: list[list[object]] = [
        [
            b.name,
            "office" if b.kind == "office" else "pass group",
            b.stays,
            b.still_waiting,
            "" if b.median_seconds is None else hours(b.median_seconds),
            "" if b.p90_seconds is None else hours(b.p90_seconds),
        ]
        for b in report.buckets
    ]
    return ReportTable("Time leads waited in each bucket", headers, rows)


def waiting_chart(report: WaitingReport) -> ChartData:
    """A bar to the median, carried on in a lighter colour to the 90th percentile (hours)."""
    series = (
        ChartSeries("Median", ("series", 0)),
        ChartSeries("To 90th percentile", ("tail", 0)),
    )
    rows = []
    for b in report.buckets:
        median = (b.median_seconds or 0.0) / 3600
        p90 = (b.p90_seconds or 0.0) / 3600
        if b.stays:
            end = f"{duration_text(b.median_seconds)} · {duration_text(b.p90_seconds)}"
            tip = (
                f"{b.name}: {b.stays:,} stays since {report.since:%d %b %Y} "
                f"({b.still_waiting:,} still waiting); median {duration_text(b.median_seconds)}, "
                f"90th percentile {duration_text(b.p90_seconds)}"
            )
        else:
            end, tip = "no stays", f"{b.name}: no lead arrived since {report.since:%d %b %Y}"
        rows.append(ChartRow(b.name, (median, max(p90 - median, 0.0)), end, tip))
    return ChartData(
        "Time waited in Leads to be Assigned (hours)",
        series,
        tuple(rows),
        empty_text="You watch no Leads to be Assigned bucket.",
    )
