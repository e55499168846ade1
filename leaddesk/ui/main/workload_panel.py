"""The lower part of the Pass to pane: a chart of the open leads of the users listed above
(those the filter shows), by status, beside the how-to on a second tab.

``install_workload`` wires it into the main window's pane: the feed is given the workload
with every read of the targets, the bar delegate draws the Leads column, and the chart
follows the filter.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from leaddesk.reports.workload import WorkloadReport, workload_chart
from leaddesk.ui.main.panes import ReplaceableArea
from leaddesk.ui.main.target_model import KEY_ROLE
from leaddesk.ui.main.target_view import TargetView
from leaddesk.ui.main.workload_delegate import WorkloadBarDelegate
from leaddesk.ui.main.workload_feed import WorkloadFeed
from leaddesk.ui.reports.chart_widget import ChartWidget

WORKLOAD_TAB, GUIDE_TAB = 0, 1


class WorkloadPanel(QTabWidget):
    def __init__(
        self, feed: WorkloadFeed, view: TargetView, guide: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workloadPanel")
        self.setDocumentMode(True)
        self.feed = feed
        self.view = view
        self.chart = ChartWidget("workloadChart")
        scroll = QScrollArea(self)
        scroll.setObjectName("workloadChartScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.chart)
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(scroll)
        self.addTab(page, "Workload")
        self.addTab(guide, "How to pass")
        feed.updated.connect(self.refresh_chart)
        view.filter_applied.connect(self.refresh_chart)
        self.refresh_chart()

    def shown_user_ids(self) -> list[int]:
        """The users listed in the pane now, in its order (the filter hides the others)."""
        model = self.view.model()
        found = []
        for row in range(model.rowCount()):
            heading = model.index(row, 0)
            if model.data(heading, KEY_ROLE) != ("header", "users"):
                continue
            for child in range(model.rowCount(heading)):
                key = model.data(model.index(child, 0, heading), KEY_ROLE)
                if not self.view.isRowHidden(child, heading):
                    found.append(key[1])
        return found

    def refresh_chart(self) -> None:
        report = self.feed.report
        wanted = self.shown_user_ids()
        by_id = {user.user_id: user for user in report.users}
        shown = WorkloadReport(report.statuses, [by_id[i] for i in wanted if i in by_id])
        count = len(shown.users)
        title = f"Open leads by status ({count:,} user{'' if count == 1 else 's'} shown)"
        self.chart.set_chart(workload_chart(shown, title=title))


def install_workload(view: TargetView, lower: ReplaceableArea, guide: QWidget) -> WorkloadPanel:
    """The bars in the Leads column and the chart in ``lower``; the window hands the feed
    each workload its trees' read brings (``panel.feed.take``)."""
    feed = WorkloadFeed(view)
    view.setItemDelegateForColumn(1, WorkloadBarDelegate(feed, view))
    feed.updated.connect(view.viewport().update)
    panel = WorkloadPanel(feed, view, guide)
    lower.replace(panel)
    return panel
