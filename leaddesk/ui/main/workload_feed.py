"""The workload the Pass to pane shows (open leads per user by status), beside the targets.

A side map beside the target model rather than inside it. It reads nothing itself: the
window's one read for its trees (``tree_reads.read_window_trees``) derives it from the same
grouped count, so the bars and the chart follow every pass, undo and change seen elsewhere
at no extra round trip. A failed read leaves it as it was, as it leaves the targets.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from leaddesk.reports.workload import UserWorkload, WorkloadReport


class WorkloadFeed(QObject):
    updated = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workloadFeed")
        self.report = WorkloadReport([], [])

    def take(self, report: WorkloadReport) -> None:
        self.report = report
        self.updated.emit()

    def user(self, user_id: int) -> UserWorkload | None:
        return self.report.for_user(user_id)

    def largest(self) -> int:
        return max((user.total for user in self.report.users), default=0)
