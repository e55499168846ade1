"""Passes per manager per week: how many passes each person made, and how many leads moved.

A pass is a batch someone made by hand or by command, "Assign all by rule" included (imports,
undos and automatic assignments on arrival are not passes; a pass undone later still
counts, and the ``undone`` column says how many were). Weeks start
on Monday (UTC). One grouped query over the batches since the date joined with their
history rows, so a manager who may see only part of a batch counts only that part: the
rows that moved leads from or to users they manage or buckets they watch, or the whole
batch if they made it (the rule the history export follows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, case, cast, func, select
from sqlalchemy.orm import Session

from leaddesk.reassignment import permissions
from leaddesk.reassignment.requests import PassMethod
from leaddesk.reports.common import ChartData, ChartRow, ChartSeries, ReportTable, report_actor
from leaddesk.store.models import PassBatch, PassHistory, User

# An automatic assignment on arrival is part of the pass that brought the leads, not a
# second pass by the same person.
NOT_PASSES = (PassMethod.IMPORT.value, PassMethod.UNDO.value, PassMethod.AUTO_ASSIGN.value)
# The chart colours managers by these many colours; the rest share "Others".
CHART_MANAGERS = 8


@dataclass(frozen=True)
class WeeklyPasses:
    week: date  # the Monday the week starts on
    manager_id: int
    manager: str
    passes: int
    leads: int
    undone: int


@dataclass(frozen=True)
class PassesReport:
    since: datetime
    rows: list[WeeklyPasses]  # by week, then manager


def _week_start(dialect: str, column: ColumnElement[datetime]) -> ColumnElement[object]:
    if dialect == "sqlite":
        # 'weekday 0' moves to the coming Sunday (or stays on one), six days back is Monday.
        return func.date(column, "weekday 0", "-6 days")
    return cast(func.date_trunc("week", column), Date)


def passes_report(session: Session, *, actor_id: int, since: datetime) -> PassesReport:
    actor = report_actor(session, actor_id)
    week = _week_start(session.get_bind().dialect.name, PassBatch.created_at).label("week")
    undone_batch = case((PassBatch.undone_by_id.is_not(None), PassBatch.id))
    query = (
        select(
            week,
            PassBatch.actor_id,
            func.count(PassBatch.id.distinct()),
            func.count(PassHistory.id),
            # A batch counts once as undone however many of its rows are visible.
            func.count(undone_batch.distinct()),
        )
        .join(PassHistory, PassHistory.batch_id == PassBatch.id)
        .where(
            PassBatch.created_at >= since,
            PassBatch.method.not_in(NOT_PASSES),
            PassBatch.undoes_id.is_(None),
            permissions.history_visible_to(session, actor),
        )
        .group_by(week, PassBatch.actor_id)
    )
    found = session.execute(query).all()
    names = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_(sorted({r[1] for r in found} or {0})))
        ).all()
    )
    rows = [
        WeeklyPasses(_as_date(day), manager_id, names[manager_id], passes, leads, undone)
        for day, manager_id, passes, leads, undone in found
    ]
    rows.sort(key=lambda r: (r.week, r.manager.casefold(), r.manager_id))
    return PassesReport(since, rows)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def passes_table(report: PassesReport) -> ReportTable:
    headers = ["week starting", "manager", "passes", "leads passed", "undone"]
    rows: list[list[object]] = [
        [r.week.isoformat(), r.manager, r.passes, r.leads, r.undone] for r in report.rows
    ]
    return ReportTable("Passes per manager per week", headers, rows)


def passes_chart(report: PassesReport) -> ChartData:
    """One bar per week, a segment per manager (the busiest few by name; the rest as
    "Others", so the colours stay few enough to tell apart)."""
    totals: dict[str, int] = {}
    for row in report.rows:
        totals[row.manager] = totals.get(row.manager, 0) + row.passes
    busiest = sorted(totals, key=lambda name: (-totals[name], name))
    named = sorted(busiest[:CHART_MANAGERS], key=str.casefold)
    others = len(busiest) > CHART_MANAGERS
    columns = named + (["Others"] if others else [])
    series = tuple(ChartSeries(name, ("series", i)) for i, name in enumerate(columns))
    weeks: dict[date, dict[str, int]] = {}
    for row in report.rows:
        column = row.manager if row.manager in named else "Others"
        week = weeks.setdefault(row.week, {})
        week[column] = week.get(column, 0) + row.passes
    chart_rows = []
    for week_start, by_manager in sorted(weeks.items()):
        total = sum(by_manager.values())
        detail = ", ".join(f"{name} {by_manager[name]:,}" for name in columns if name in by_manager)
        chart_rows.append(
            ChartRow(
                label=f"Week of {week_start:%d %b %Y}",
                values=tuple(float(by_manager.get(name, 0)) for name in columns),
                end_label=f"{total:,}",
                tooltip=f"Week of {week_start:%d %b %Y}: {total:,} passes ({detail})",
            )
        )
    return ChartData(
        "Passes per week by manager",
        series,
        tuple(chart_rows),
        empty_text=f"No passes since {report.since:%d %b %Y}.",
    )
