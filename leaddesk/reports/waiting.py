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

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    bindparam,
    case,
    cast,
    exists,
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


def _stays(since: datetime) -> Select:  # type: ignore[type-arg]
    """(office_id, group_id, started, ended) for every stay that started since ``since``;
    ``ended`` is NULL for a lead still waiting."""
    row, batch = aliased(PassHistory), aliased(PassBatch)
    later, later_batch = aliased(PassHistory), aliased(PassBatch)
    # The lead's next history row after this one: an index seek on (lead_id, id).
    left_at = (
        select(later_batch.created_at)
        .select_from(later)
        .join(later_batch, later_batch.id == later.batch_id)
        .where(later.lead_id == row.lead_id, later.id > row.id)
        .order_by(later.id)
        .limit(1)
        .scalar_subquery()
    )
    arrivals = (
        select(
            row.to_office_id.label("office_id"),
            row.to_group_id.label("group_id"),
            batch.created_at.label("started"),
            left_at.label("ended"),
        )
        .join(batch, batch.id == row.batch_id)
        .where(or_(row.to_office_id.is_not(None), row.to_group_id.is_not(None)))
        .where(batch.created_at >= since)
    )
    first, first_batch, earlier = aliased(PassHistory), aliased(PassBatch), aliased(PassHistory)
    no_earlier = ~exists().where(earlier.lead_id == first.lead_id, earlier.id < first.id)
    created_in_bucket_left = (
        select(
            first.from_office_id,
            first.from_group_id,
            Lead.created_at,
            first_batch.created_at,
        )
        .select_from(first)
        .join(first_batch, first_batch.id == first.batch_id)
        .join(Lead, Lead.id == first.lead_id)
        .where(or_(first.from_office_id.is_not(None), first.from_group_id.is_not(None)))
        .where(no_earlier, Lead.created_at >= since)
    )
    any_history = aliased(PassHistory)
    created_in_bucket_waiting = select(
        Lead.bucket_office_id,
        Lead.bucket_group_id,
        Lead.created_at,
        cast(null(), DateTime),
    ).where(
        or_(Lead.bucket_office_id.is_not(None), Lead.bucket_group_id.is_not(None)),
        ~exists().where(any_history.lead_id == Lead.id),
        Lead.created_at >= since,
    )
    return union_all(arrivals, created_in_bucket_left, created_in_bucket_waiting)


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
    stays = _stays(since).subquery("stays")
    seconds = _seconds(dialect, stays.c.started, stays.c.ended)
    office_ids = permissions.visible_office_ids(session, actor)
    group_ids = permissions.visible_group_ids(session, actor)
    place = (stays.c.office_id, stays.c.group_id)
    still = func.sum(case((stays.c.ended.is_(None), 1), else_=0))
    if dialect == "sqlite":
        measured = select(
            *place,
            stays.c.ended,
            seconds.label("seconds"),
            func.row_number().over(partition_by=place, order_by=seconds).label("rank"),
            func.count().over(partition_by=place).label("n"),
        ).subquery("measured")
        m = measured.c
        query = select(
            m.office_id,
            m.group_id,
            func.count(),
            func.sum(case((m.ended.is_(None), 1), else_=0)),
            _sqlite_percentile(MEDIAN, m.seconds, m.rank, m.n),
            _sqlite_percentile(P90, m.seconds, m.rank, m.n),
        ).group_by(m.office_id, m.group_id)
    else:
        query = select(
            *place,
            func.count(),
            still,
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
        ChartSeries("To 90th percentile", ("series", 1)),
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
