"""The three reports by name, each read as the table and the chart that show it: one list
for the Reports window and ``leaddesk report``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from leaddesk.reports.common import ChartData, ReportTable
from leaddesk.reports.passes import passes_chart, passes_report, passes_table
from leaddesk.reports.waiting import waiting_chart, waiting_report, waiting_table
from leaddesk.reports.workload import workload_chart, workload_report, workload_table


@dataclass(frozen=True)
class ReportView:
    table: ReportTable
    chart: ChartData


def _passes(session: Session, actor_id: int, since: datetime) -> ReportView:
    report = passes_report(session, actor_id=actor_id, since=since)
    return ReportView(passes_table(report), passes_chart(report))


def _waiting(session: Session, actor_id: int, since: datetime) -> ReportView:
    report = waiting_report(session, actor_id=actor_id, since=since)
    return ReportView(waiting_table(report), waiting_chart(report))


def _workload(session: Session, actor_id: int, since: datetime) -> ReportView:
    report = workload_report(session, actor_id=actor_id)
    return ReportView(workload_table(report), workload_chart(report))


@dataclass(frozen=True)
class ReportKind:
    name: str  # as typed on the command line, and the default file name
    title: str
    read: Callable[[Session, int, datetime], ReportView]
    explanation: str
    uses_since: bool = True


REPORTS: tuple[ReportKind, ...] = (
    ReportKind(
        "passes",
        "Passes per week",
        _passes,
        "Passes each manager made per week (weeks start on Monday, UTC); imports, undos and "
        "automatic assignments on arrival are not passes. Only passes that moved leads you "
        "may see are counted.",
    ),
    ReportKind(
        "waiting",
        "Waiting times",
        _waiting,
        "How long leads waited in the Leads to be Assigned you watch: from arriving until "
        "assigned or passed on, or until now for those still waiting; stays that began on "
        "or after the date.",
    ),
    ReportKind(
        "workload",
        "Workload",
        _workload,
        "Open leads per user you manage, by status, now (the date does not apply).",
        uses_since=False,
    ),
)


def report_kind(name: str) -> ReportKind:
    return next(kind for kind in REPORTS if kind.name == name)
