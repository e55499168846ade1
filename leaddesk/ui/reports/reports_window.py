"""The Reports window (View > Reports…): passes per manager per week, time leads waited in
each bucket, and open leads per user by status, each as a table and a chart, for what the
signed-in person may see.

Every read runs on the runner's read lane (never on the GUI thread); a newer date, or a
newer change, drops an older answer still on its way. The window follows live refresh as
the main window does: it reads again after its own passes and after changes committed
elsewhere, and while closed only notes that it is out of date, to read when shown again.
*Export CSV…* writes the current table, *Save PNG…* the current chart (drawn by the same
painter as on screen, in the window's palette).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.data_io.csv_text import write_csv
from leaddesk.errors import LeadDeskError
from leaddesk.reports.catalogue import REPORTS, ReportView
from leaddesk.reports.common import default_since
from leaddesk.server.changes import Changes
from leaddesk.store.models import utc_now
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.reports.chart_image import save_chart_png
from leaddesk.ui.reports.chart_widget import ChartWidget
from leaddesk.ui.reports.report_table_model import ReportTableModel


class ReportPage(QWidget):
    """One report: what it counts, the table above, the chart below."""

    def __init__(self, name: str, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Page")
        self.shown: ReportView | None = None
        about = QLabel(explanation, self)
        about.setObjectName(f"{name}Explanation")
        about.setWordWrap(True)
        about.setStyleSheet("color: palette(placeholder-text);")
        self.model = ReportTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName(f"{name}Table")
        self.table.setAccessibleName(f"{name} report table")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.chart = ChartWidget(f"{name}Chart")
        self.chart_scroll = QScrollArea(self)
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.chart_scroll.setWidget(self.chart)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.chart_scroll)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([200, 320])
        self._split_to_fit = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(about)
        layout.addWidget(self.splitter, 1)

    def show_report(self, shown: ReportView) -> None:
        self.shown = shown
        self.model.set_table(shown.table)
        self.chart.set_chart(shown.chart)
        self._fit_chart_pane_once()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_chart_pane_once()

    def _fit_chart_pane_once(self) -> None:
        """The chart pane as tall as the chart (at most 60 %, a longer chart scrolls); the
        table gets the rest instead of scrolling above an empty chart area. Once, when the
        first report is on screen: a refresh never undoes where a person put the divider."""
        if not self._split_to_fit or self.shown is None or not self.isVisible():
            return
        self._split_to_fit = False
        total = sum(self.splitter.sizes())
        width = self.splitter.width() - 2 * self.chart_scroll.frameWidth()
        wanted = self.chart.heightForWidth(width) + 2 * self.chart_scroll.frameWidth()
        chart = min(wanted, total * 6 // 10)
        self.splitter.setSizes([total - chart, chart])


class ReportsWindow(QDialog):
    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("reportsWindow")
        self.setWindowTitle("Reports — LeadDesk")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.pending: set[str] = set()
        self.out_of_date = False
        since = default_since()
        today = utc_now().date()
        self.since_edit = QDateEdit(QDate(since.year, since.month, since.day), self)
        self.since_edit.setObjectName("reportsSince")
        self.since_edit.setAccessibleName("Reports since")
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        self.since_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.since_edit.dateChanged.connect(self.reload)
        since_label = QLabel("&Since (UTC):", self)
        since_label.setBuddy(self.since_edit)
        self.status = QLabel(self)
        self.status.setObjectName("reportsStatus")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("reportsTabs")
        self.pages: dict[str, ReportPage] = {}
        for kind in REPORTS:
            self.pages[kind.name] = ReportPage(kind.name, kind.explanation, self.tabs)
            self.tabs.addTab(self.pages[kind.name], kind.title)
        self.csv_button = QPushButton("Export &CSV…", self)
        self.csv_button.setObjectName("exportCsvButton")
        self.csv_button.clicked.connect(self._ask_csv)
        self.png_button = QPushButton("Save &PNG…", self)
        self.png_button.setObjectName("savePngButton")
        self.png_button.clicked.connect(self._ask_png)
        close = QPushButton("Close", self)
        close.setObjectName("closeReportsButton")
        close.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(since_label)
        top.addWidget(self.since_edit)
        top.addSpacing(12)
        top.addWidget(self.status, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.png_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.resize(900, 680)
        # After this window's own passes; other people's arrive by notice_changes.
        context.runner.changed.connect(self._data_changed)
        self.tabs.setFocus()  # not the date: a person reads first, changes the date later
        self.reload()

    # -- reading -------------------------------------------------------------------------

    def since(self) -> datetime:
        return datetime.combine(self.since_edit.date().toPython(), time())  # type: ignore[arg-type]

    @property
    def loading(self) -> bool:
        return bool(self.pending)

    def _read_key(self, name: str) -> str:
        return f"reports-{id(self)}-{name}"

    def reload(self) -> None:
        self.out_of_date = False
        since, actor_id = self.since(), self.context.actor_id
        for kind in REPORTS:
            self.pending.add(kind.name)
            self.context.runner.query(
                lambda session, read=kind.read: read(session, actor_id, since),
                lambda shown, name=kind.name: self._arrived(name, shown),
                on_error=lambda message, _exc, name=kind.name: self._failed(name, message),
                key=self._read_key(kind.name),
                receiver=self,
            )
        self._show_status()

    def notice_changes(self, changes: Changes) -> None:
        """A change committed elsewhere: any pass or administrative change may move a
        figure (who passed, who waits, who holds what), so every report is read again."""
        self._data_changed()

    def _data_changed(self) -> None:
        # One reading at a time: what is heard meanwhile is read once after it, so a busy
        # office's stream of passes never piles report reads up in front of the main
        # window's on the read lane. Closed, the window reads nothing until shown.
        if self.isVisible() and not self.pending:
            self.reload()
        else:
            self.out_of_date = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._catch_up()

    def _catch_up(self) -> None:
        if self.out_of_date and not self.pending and self.isVisible():
            self.reload()

    def _arrived(self, name: str, shown: ReportView) -> None:
        self.pending.discard(name)
        self.pages[name].show_report(shown)
        self._show_status()
        self._catch_up()

    def _failed(self, name: str, message: str) -> None:
        self.pending.discard(name)
        self.status.setText(f"Cannot read the reports: {message}")
        self._catch_up()

    def _show_status(self) -> None:
        if self.pending:
            self.status.setText("Reading…")
        else:
            self.status.setText(f"As of {utc_now():%Y-%m-%d %H:%M} UTC, for what you may see.")

    # -- saving --------------------------------------------------------------------------

    def current_name(self) -> str:
        return REPORTS[self.tabs.currentIndex()].name

    def _current(self) -> ReportView:
        shown = self.pages[self.current_name()].shown
        if shown is None:
            raise LeadDeskError("The report is still being read; try again in a moment.")
        return shown

    def export_csv(self, path: Path) -> int:
        """Write the current report's table; returns the rows written."""
        table = self._current().table
        return write_csv(path, table.headers, table.rows)

    def save_png(self, path: Path) -> None:
        """Save the current report's chart, in this window's palette."""
        save_chart_png(self._current().chart, path, self.palette())

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export CSV", f"{self.current_name()}.csv", "CSV files (*.csv)"
        )
        if path:
            self._saving(lambda: self.export_csv(Path(path)), f"Exported to {path}.")

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save chart as PNG", f"{self.current_name()}.png", "PNG images (*.png)"
        )
        if path:
            self._saving(lambda: self.save_png(Path(path)), f"Saved the chart to {path}.")

    def _saving(self, save: Callable[[], object], done: str) -> None:
        try:
            save()
        except LeadDeskError as exc:
            show_outcome(self, "reportSaveError", "Cannot save", str(exc), error=True)
            return
        self.status.setText(done)

    def closeEvent(self, event: QCloseEvent) -> None:
        for name in self.pages:
            self.context.runner.forget_reads(self._read_key(name))
        if self.pending:  # the dropped answers are read again when the window is shown
            self.pending.clear()
            self.out_of_date = True
        super().closeEvent(event)
