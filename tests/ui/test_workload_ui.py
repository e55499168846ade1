"""Workload you can see: the bars in the Pass to pane (delegate-drawn, status colours,
numbers on hover), the chart under it (following the filter and every pass), and the
Reports window with its tables, charts, CSV and PNG. Real widgets offscreen, both
backends."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from PySide6.QtCore import QDate, QEvent, QPoint, QRectF
from PySide6.QtGui import QHelpEvent, QImage, QPainter, QPicture
from PySide6.QtWidgets import QApplication, QToolTip

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.reports.workload import (
    OpenStatus,
    UserWorkload,
    WorkloadReport,
    workload_chart,
    workload_report,
)
from leaddesk.ui.common.icons import status_colour
from leaddesk.ui.common.palettes import dark_palette
from leaddesk.ui.reports.chart_painter import ChartLayout, paint_chart
from leaddesk.ui.shell.window_services import WindowServices
from tests.helpers.demo_names import user_id
from tests.helpers.report_story import build_story
from tests.helpers.window_trees import wait_for_trees

# The offscreen platform cannot raise a tooltip's window; it shows it all the same.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def ready(qtbot, window):
    panel = window.workload_panel
    # The Pass to pane and the workload read off the GUI thread, in either order; the chart
    # shows the users the pane lists once both are in.
    wait_for_trees(qtbot, window)
    qtbot.waitUntil(lambda: bool(panel.feed.report.users) and bool(panel.chart.chart.rows))
    return panel


def user_cell(window, name: str):
    index = window.target_model.find(name)
    assert index.isValid()
    return index.siblingAtColumn(1)


def hover_text(qtbot, view, index) -> str:
    """The tooltip a person gets by resting the pointer on ``index``."""
    QToolTip.hideText()
    centre = view.visualRect(index).center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, view.viewport().mapToGlobal(centre))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def colours_in(window, index) -> set[str]:
    view = window.target_view
    image = view.viewport().grab(view.visualRect(index)).toImage()
    return {
        image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())
    }


def test_each_user_has_a_bar_split_by_status_with_the_numbers_on_hover(qtbot, main_window):
    window = main_window("Maria Manager")
    ready(qtbot, window)
    jane, sam = user_cell(window, "Jane Doe"), user_cell(window, "Sam Field")
    assert hover_text(qtbot, window.target_view, jane) == (
        "Jane Doe: 3 open leads (LEAD 1, OPPORTUNITY 2)"
    )
    assert hover_text(qtbot, window.target_view, sam) == (
        "Sam Field: 3 open leads (LEAD 2, OPPORTUNITY 1)"
    )
    lead, opportunity = status_colour("LEAD").name(), status_colour("OPPORTUNITY").name()
    assert {lead, opportunity} <= colours_in(window, jane)
    # Offices and pass groups keep their "waiting" text; no bar.
    office = window.target_model.find("Downtown Office").siblingAtColumn(1)
    assert not {lead, opportunity} & colours_in(window, office)


def test_bars_and_chart_read_in_a_dark_palette(qtbot, main_window):
    app = QApplication.instance()
    before = app.palette()
    app.setPalette(dark_palette())
    try:
        window = main_window("Maria Manager")
        panel = ready(qtbot, window)
        colours = colours_in(window, user_cell(window, "Jane Doe"))
        assert status_colour("LEAD").name() in colours
        chart = panel.chart.grab().toImage()
        # The chart's background follows the palette (dark), its bars keep their colours.
        assert chart.pixelColor(3, 3).lightness() < 80
        found = {
            chart.pixelColor(x, y).name()
            for x in range(0, chart.width(), 2)
            for y in range(0, chart.height(), 2)
        }
        assert status_colour("OPPORTUNITY").name() in found
    finally:
        app.setPalette(before)


def test_the_chart_shows_the_users_listed_and_follows_the_filter(qtbot, main_window):
    window = main_window("Maria Manager")
    panel = ready(qtbot, window)
    assert panel.tabText(0) == "Workload" and panel.tabText(1) == "How to pass"
    chart = panel.chart.chart
    assert [row.label for row in chart.rows] == [
        "Jane Doe", "John Smith", "Maria Manager", "Sam Field"
    ]  # fmt: skip
    assert [row.values for row in chart.rows] == [(1, 2), (1, 1), (1, 1), (2, 1)]
    assert chart.title == "Open leads by status (4 users shown)"
    qtbot.keyClicks(window.findChild(type(window.search_edit), "targetFilter"), "ja")
    qtbot.waitUntil(lambda: [r.label for r in panel.chart.chart.rows] == ["Jane Doe"])
    layout = panel.chart.layout_now()
    bar = layout.row_rect(0).center().toPoint()
    assert panel.chart.tooltip_at(bar) == "Jane Doe: 3 open leads (LEAD 1, OPPORTUNITY 2)"


def test_a_pass_updates_the_bars_and_the_chart(qtbot, main_window, database):
    window = main_window("Maria Manager")
    panel = ready(qtbot, window)
    maria = user_id(database, "Maria Manager")

    def pass_sams_leads(session):
        return pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(user_id(database, "Sam Field")),
            target=Target.user(user_id(database, "Jane Doe")),
        )

    window.context.runner.run(pass_sams_leads)
    qtbot.waitUntil(lambda: panel.chart.chart.rows and panel.chart.chart.rows[0].end_label == "6")
    assert hover_text(qtbot, window.target_view, user_cell(window, "Jane Doe")) == (
        "Jane Doe: 6 open leads (LEAD 3, OPPORTUNITY 3)"
    )
    assert hover_text(qtbot, window.target_view, user_cell(window, "Sam Field")) == (
        "Sam Field: 0 open leads"
    )


def open_reports(qtbot, window):
    services = window.findChild(WindowServices)
    assert "&View" in [action.text() for action in window.menuBar().actions()]
    services.reports_action.trigger()
    reports = services.dialogs["reports"]
    assert reports.objectName() == "reportsWindow" and reports.isVisible()
    reports.since_edit.setDate(QDate(2026, 11, 1))
    qtbot.waitUntil(lambda: not reports.loading)
    return reports


def table_rows(page) -> list[list[str]]:
    model = page.model
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_reports_window_shows_the_three_reports(qtbot, main_window, database, tmp_path):
    build_story(database)
    window = main_window("Ada Admin")
    reports = open_reports(qtbot, window)
    assert reports.since().date() == date(2026, 11, 1)
    assert [reports.tabs.tabText(i) for i in range(3)] == [
        "Passes per week", "Waiting times", "Workload"
    ]  # fmt: skip
    assert table_rows(reports.pages["passes"]) == [
        ["2026-11-02", "Maria Manager", "4", "5", "0"],
        ["2026-11-02", "Olivia Office", "3", "3", "0"],
        ["2026-11-09", "Maria Manager", "1", "6", "1"],
    ]
    passes_chart = reports.pages["passes"].chart.chart
    assert [(row.label, row.values) for row in passes_chart.rows] == [
        ("Week of 02 Nov 2026", (4.0, 3.0)),
        ("Week of 09 Nov 2026", (1.0, 0.0)),
    ]
    # Waiting: measured until now (after the story's dates); the bucket names and counts.
    waiting = table_rows(reports.pages["waiting"])
    assert [row[:4] for row in waiting] == [
        ["Downtown Office", "office", "4", "1"],
        ["Inbound Team", "pass group", "2", "2"],
    ]
    assert waiting[0][4] == "4.0"  # the median of the ended stays, hand-worked
    reports.tabs.setCurrentIndex(0)
    out = tmp_path / "passes.csv"
    assert reports.export_csv(out) == 3
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1] == ["2026-11-02", "Maria Manager", "4", "5", "0"]
    reports.tabs.setCurrentIndex(2)
    picture = tmp_path / "workload.png"
    reports.save_png(picture)
    image = QImage(str(picture))
    assert not image.isNull() and image.width() >= 900
    assert image.pixelColor(QPoint(2, 2)) == reports.palette().base().color()


def test_a_manager_sees_only_what_they_may(qtbot, main_window, database):
    build_story(database)
    window = main_window("Maria Manager")
    reports = open_reports(qtbot, window)
    # Maria watches no bucket: the waiting report says so instead of an empty chart.
    assert table_rows(reports.pages["waiting"]) == []
    assert reports.pages["waiting"].chart.chart.empty_text == (
        "You watch no Leads to be Assigned bucket."
    )
    assert [row[0] for row in table_rows(reports.pages["workload"])] == [
        "Jane Doe", "John Smith", "Maria Manager", "Sam Field"
    ]  # fmt: skip


def test_the_workload_comes_with_the_trees_read_and_follows_a_change_elsewhere(
    qtbot, main_window, database
):
    """The bars and the chart take the workload the window's one read for its trees derives
    from its grouped count (no read of their own: none can answer after its window is gone,
    as a feed reading for itself once did when its window was replaced). After another
    person's pass and F5 they show what the Reports window's workload says."""
    window = main_window("Maria Manager")
    panel = ready(qtbot, window)
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Ada Admin"),
            selection=Selection.all_of_user(user_id(database, "John Smith")),
            target=Target.user(user_id(database, "Sam Field")),
        )
    with database.read() as session:
        expected = workload_report(session, actor_id=user_id(database, "Maria Manager"))
    assert panel.feed.report != expected  # the window has not seen the pass yet
    with qtbot.waitSignal(panel.feed.updated, timeout=10_000):
        window.refresh_action.trigger()
    assert panel.feed.report == expected
    assert hover_text(qtbot, window.target_view, user_cell(window, "John Smith")) == (
        "John Smith: 0 open leads"
    )


def test_a_long_chart_paints_only_the_rows_in_view_and_the_same_pixels_there(qtbot):
    """The workload chart of 500 users sits in a scroll area showing a dozen rows: a paint
    draws the rows that reach into the exposed area (the picture there is what a full paint
    gives), not all 500 (60-100 ms of the GUI thread at every change)."""
    statuses = [OpenStatus(1, "LEAD", 1), OpenStatus(2, "OPPORTUNITY", 2)]
    users = [UserWorkload(n, f"User {n:03}", True, {1: n % 7, 2: n % 5}) for n in range(1, 501)]
    chart = workload_chart(WorkloadReport(statuses, users))
    palette = QApplication.palette()
    whole = QRectF(0, 0, 480, ChartLayout.height_for(chart, 480, QApplication.font()))
    exposed = QRectF(0, 300, 480, 240)

    def picture(shown: QRectF | None) -> tuple[QImage, int]:
        image = QImage(whole.size().toSize(), QImage.Format.Format_ARGB32)
        image.fill(palette.color(palette.ColorRole.Base))
        painter = QPainter(image)
        paint_chart(painter, whole, chart, palette, shown)
        painter.end()
        recorded = QPicture()
        painter = QPainter(recorded)
        paint_chart(painter, whole, chart, palette, shown)
        painter.end()
        return image.copy(exposed.toRect()), recorded.size()

    full_pixels, full_size = picture(None)
    shown_pixels, shown_size = picture(exposed)
    assert shown_pixels == full_pixels
    assert shown_size < full_size / 10


def test_the_chart_pane_fits_its_chart_once_and_a_moved_divider_stays(qtbot, main_window, database):
    build_story(database)
    reports = open_reports(qtbot, main_window("Ada Admin"))
    page = reports.pages["passes"]
    qtbot.waitUntil(lambda: page.splitter.sizes()[1] != 320)  # the first guess, replaced
    table, chart = page.splitter.sizes()
    # The whole chart shows without scrolling, and no empty chart area is left under it:
    # the table has the rest.
    assert page.chart_scroll.verticalScrollBar().maximum() == 0
    assert page.chart.height() <= page.chart_scroll.viewport().height() <= page.chart.height() + 4
    assert table > chart
    # A person moves the divider; a refresh keeps it where they put it.
    page.splitter.setSizes([120, table + chart - 120])
    reports.reload()
    qtbot.waitUntil(lambda: not reports.loading)
    assert page.splitter.sizes()[0] == 120
