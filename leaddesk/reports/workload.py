"""Open leads per user by status: the workload a manager sees before passing.

One grouped count over ``leads(owner_id, status_id)`` (the covering index the owner tree
uses too), restricted to open statuses and to the owners the actor manages (an
administrator: everyone). Closed statuses (won, lost) are no work left to do.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.reports.common import ChartData, ChartRow, ChartSeries, ReportTable, report_actor
from leaddesk.store.models import Lead, ManagerRight, Status, User
from leaddesk.store.tree_queries import OwnerTreeData


@dataclass(frozen=True)
class OpenStatus:
    id: int
    name: str
    position: int


@dataclass(frozen=True)
class UserWorkload:
    user_id: int
    name: str
    active: bool
    counts: dict[int, int] = field(default_factory=dict)  # open status id -> leads

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class WorkloadReport:
    statuses: list[OpenStatus]
    users: list[UserWorkload]

    def for_user(self, user_id: int) -> UserWorkload | None:
        return next((user for user in self.users if user.user_id == user_id), None)

    def breakdown(self, user: UserWorkload) -> list[tuple[OpenStatus, int]]:
        """(status, leads) in status order, the statuses this user holds none of left out."""
        return [(s, user.counts[s.id]) for s in self.statuses if user.counts.get(s.id)]

    def describe(self, user: UserWorkload) -> str:
        """ "Jane Doe: 3 open leads (LEAD 1, OPPORTUNITY 2)" for tooltips and screen readers."""
        parts = ", ".join(f"{status.name} {count:,}" for status, count in self.breakdown(user))
        noun = "lead" if user.total == 1 else "leads"
        return f"{user.name}: {user.total:,} open {noun}" + (f" ({parts})" if parts else "")


def workload_report(
    session: Session, *, actor_id: int, user_ids: Collection[int] | None = None
) -> WorkloadReport:
    """The users the actor manages (active ones, and inactive ones still holding open
    leads), by name, with their open leads per status; ``user_ids`` narrows it."""
    actor = report_actor(session, actor_id)
    statuses = [
        OpenStatus(i, n, p)
        for i, n, p in session.execute(
            select(Status.id, Status.name, Status.position)
            .where(Status.is_closed.is_(False))
            .order_by(Status.position, Status.id)
        )
    ]
    managed = select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
    counts_query = (
        select(Lead.owner_id, Lead.status_id, func.count())
        .where(Lead.status_id.in_([s.id for s in statuses]))
        .group_by(Lead.owner_id, Lead.status_id)
    )
    users_query = select(User.id, User.name, User.active).order_by(User.name, User.id)
    if actor.is_admin:
        counts_query = counts_query.where(Lead.owner_id.is_not(None))
    else:
        counts_query = counts_query.where(Lead.owner_id.in_(managed))
        users_query = users_query.where(User.id.in_(managed))
    if user_ids is not None:
        wanted = sorted(user_ids)
        counts_query = counts_query.where(Lead.owner_id.in_(wanted))
        users_query = users_query.where(User.id.in_(wanted))
    counts: dict[int, dict[int, int]] = {}
    for owner_id, status_id, number in session.execute(counts_query):
        counts.setdefault(owner_id, {})[status_id] = number
    users = [
        UserWorkload(uid, name, bool(active), counts.get(uid, {}))
        for uid, name, active in session.execute(users_query.where(User.active.is_(True)))
    ]
    # Inactive people drop out of the pane, but leads they still hold are work to pass on.
    inactive_holding = [uid for uid in counts if uid not in {u.user_id for u in users}]
    if inactive_holding:
        for uid, name, active in session.execute(
            select(User.id, User.name, User.active).where(User.id.in_(sorted(inactive_holding)))
        ):
            users.append(UserWorkload(uid, name, bool(active), counts[uid]))
        users.sort(key=lambda user: (user.name, user.user_id))
    return WorkloadReport(statuses, users)


def workload_of(tree: OwnerTreeData) -> WorkloadReport:
    """The same report from the owner tree's grouped count, without a read of its own: the
    main window reads that count once for its trees, the bars and the chart. ``tree`` holds
    every user the actor manages with their leads per status, and every status."""
    statuses = [OpenStatus(s.id, s.name, s.position) for s in tree.statuses if not s.is_closed]
    open_ids = {status.id for status in statuses}
    users = []
    for owner in tree.owners:  # by name, as workload_report orders them
        counts = {sid: number for sid, number in owner.counts.items() if sid in open_ids}
        if owner.active or counts:  # inactive people only while they hold open leads
            users.append(UserWorkload(owner.id, owner.name, owner.active, counts))
    return WorkloadReport(statuses, users)


def workload_table(report: WorkloadReport) -> ReportTable:
    headers = ["user", *[s.name for s in report.statuses], "open leads"]
    rows = [
        [
            user.name if user.active else f"{user.name} (inactive)",
            *[user.counts.get(s.id, 0) for s in report.statuses],
            user.total,
        ]
        for user in report.users
    ]
    return ReportTable("Open leads per user by status", headers, rows)


def workload_chart(report: WorkloadReport, *, title: str = "Open leads by status") -> ChartData:
    series = tuple(ChartSeries(s.name, ("status", s.position)) for s in report.statuses)
    rows = tuple(
        ChartRow(
            label=user.name,
            values=tuple(float(user.counts.get(s.id, 0)) for s in report.statuses),
            end_label=f"{user.total:,}",
            tooltip=report.describe(user),
        )
        for user in report.users
    )
    return ChartData(title, series, rows, empty_text="No users to show.")
