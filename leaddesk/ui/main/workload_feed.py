"""The workload the Pass to pane shows (open leads per user by status), read on its own.

A side map beside the target model rather than inside it: the model keeps its one read, and
this one runs on the runner's read lane (never on the GUI thread) after every reload of
the targets, so the bars and the chart follow every pass, undo and change seen elsewhere.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Signal

from leaddesk.reports.workload import UserWorkload, WorkloadReport, workload_report
from leaddesk.ui.common.context import WindowContext


class WorkloadFeed(QObject):
    updated = Signal()

    def __init__(self, context: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workloadFeed")
        self.context = context
        self.report = WorkloadReport([], [])
        self.error = ""
        self._key = f"workload-{id(self)}"

    def reload(self) -> None:
        actor_id = self.context.actor_id
        self.context.runner.query(
            lambda session: workload_report(session, actor_id=actor_id),
            self._apply,
            on_error=self._failed,
            key=self._key,
        )

    def _apply(self, report: WorkloadReport) -> None:
        if not shiboken6.isValid(self):  # its window was closed or replaced meanwhile
            return
        self.report, self.error = report, ""
        self.updated.emit()

    def _failed(self, message: str, _exc: BaseException) -> None:
        # The panes already say when the database cannot be read; the bars just stay empty.
        if not shiboken6.isValid(self):
            return
        self.report, self.error = WorkloadReport([], []), message
        self.updated.emit()

    def user(self, user_id: int) -> UserWorkload | None:
        return self.report.for_user(user_id)

    def largest(self) -> int:
        return max((user.total for user in self.report.users), default=0)

    def forget(self) -> None:
        self.context.runner.forget_reads(self._key)
