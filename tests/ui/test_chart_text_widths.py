"""The workload chart measures its rows' texts once per chart and font, not at every layout.

A chart of 500 users is 1,000 text measurements; the scroll area lays it out a dozen times
as the window opens, and every paint and tooltip lays it out again (about 40 ms of the GUI
thread at each open when each layout measured). The widget keeps the widths until the
texts, the font or the screen's resolution change. What is painted stays the same pixels as
a paint that measures afresh, after a new chart and after a font change; the window
measures once as it opens and again only for new texts. Real widgets offscreen; the window
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QRectF
from PySide6.QtGui import QFont, QHelpEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QToolTip

from leaddesk.reports.workload import OpenStatus, UserWorkload, WorkloadReport, workload_chart
from leaddesk.ui.reports import chart_painter
from leaddesk.ui.reports.chart_painter import RowTextWidths, paint_chart
from leaddesk.ui.reports.chart_widget import ChartWidget
from tests.ui.test_drops import drop_on_target, pass_with_answers
from tests.ui.test_workload_ui import ready

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

STATUSES = [OpenStatus(1, "LEAD", 1), OpenStatus(2, "OPPORTUNITY", 2)]


def chart_of(users: int, name: str = "User"):
    rows = [UserWorkload(n, f"{name} {n:03}", True, {1: n % 7, 2: n % 5}) for n in range(users)]
    return workload_chart(WorkloadReport(STATUSES, rows))


def measured_afresh(widget: ChartWidget) -> QImage:
    """The widget's chart painted as every layout used to: measuring its texts again."""
    image = QImage(widget.size(), QImage.Format.Format_RGB32)
    image.fill(widget.palette().color(widget.backgroundRole()))
    painter = QPainter(image)
    painter.setFont(widget.font())
    paint_chart(painter, QRectF(widget.rect()), widget.chart, widget.palette())
    painter.end()
    return image


def shown(widget: ChartWidget) -> QImage:
    return widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


@pytest.fixture
def measurements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a chart's row texts were measured (each: the number of rows)."""
    counted: list[int] = []
    measure = RowTextWidths.measure.__func__  # type: ignore[attr-defined]

    def counting(cls, chart, font):
        counted.append(len(chart.rows))
        return measure(cls, chart, font)

    monkeypatch.setattr(chart_painter.RowTextWidths, "measure", classmethod(counting))
    return counted


def test_the_pixels_are_those_of_a_fresh_measurement(qtbot):
    widget = ChartWidget("testChart")
    qtbot.addWidget(widget)
    widget.resize(480, 300)
    widget.set_chart(chart_of(500))
    widget.resize(480, widget.minimumHeight())
    widget.show()
    qtbot.waitExposed(widget)
    assert shown(widget) == measured_afresh(widget)
    # New texts, longer: the label column widens as a fresh measurement widens it.
    widget.set_chart(chart_of(40, name="A much longer user name"))
    widget.resize(480, widget.minimumHeight())
    assert shown(widget) == measured_afresh(widget)
    # Another font: measured again in it.
    bigger = QFont(widget.font())
    bigger.setPointSizeF(bigger.pointSizeF() * 1.5)
    widget.setFont(bigger)
    widget.resize(480, widget.minimumHeight())
    assert shown(widget) == measured_afresh(widget)


def test_a_chart_is_measured_once_whatever_the_layouts_paints_and_tooltips(qtbot, measurements):
    widget = ChartWidget("testChart")
    qtbot.addWidget(widget)
    widget.set_chart(chart_of(500))
    widget.show()
    qtbot.waitExposed(widget)
    for width in (300, 420, 640, 480):
        widget.resize(width, widget.heightForWidth(width))
        widget.grab()
    tip = QHelpEvent(QEvent.Type.ToolTip, QPoint(60, 80), widget.mapToGlobal(QPoint(60, 80)))
    QApplication.sendEvent(widget, tip)
    QToolTip.hideText()
    assert measurements == [500]
    # The same texts in a new chart (a refresh that changed nothing): not measured again.
    widget.set_chart(chart_of(500))
    widget.grab()
    assert measurements == [500]
    widget.set_chart(chart_of(499))
    widget.grab()
    assert measurements == [500, 499]


def test_the_window_measures_its_chart_once_and_again_for_a_pass(qtbot, main_window, measurements):
    window = main_window("Maria Manager")
    panel = ready(qtbot, window)
    panel.chart.grab()
    users = len(panel.chart.chart.rows)
    # The empty chart of the loading window (no rows), then the users' chart once.
    assert [n for n in measurements if n] == [users]
    window.resize(1000, 640)
    window.resize(1180, 720)
    panel.chart.grab()
    window.refresh()  # read again, nothing changed
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    panel.chart.grab()
    assert [n for n in measurements if n] == [users]
    # A pass changes two users' numbers (their end labels): measured once more.
    john = window.owner_model.find_user_index("John Smith")
    pass_with_answers(qtbot, window, lambda: drop_on_target(window, "Jane Doe", [john]))
    qtbot.waitUntil(lambda: "John Smith: 0" in panel.chart.accessibleDescription())
    panel.chart.grab()
    assert [n for n in measurements if n] == [users, users]
