"""Painting a :class:`ChartData` (horizontal stacked bars) with QPainter, on a widget or an
image alike, and finding which bar is under a point (for tooltips).

Colours: a status keeps its colour everywhere (the trees' icons, the Pass to bars, here);
other series take a fixed palette. Text and grid lines come from the palette, so a chart
reads in light and dark palettes; fills are strong enough on either background.

Row labels are measured once per chart and font (:class:`RowTextWidths`, kept by the
widget): a chart of 500 users is 1,000 text measurements, and a scroll area lays a chart out
a dozen times as a window opens (about 40 ms of the GUI thread when each layout measured).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen

from leaddesk.reports.common import ChartData, ChartSeries
from leaddesk.ui.common import icons

SERIES_COLOURS = (
    "#2f6fde",
    "#e08a00",
    "#2e9d57",
    "#7b4fd6",
    "#d6456b",
    "#1a9aa8",
    "#b07a2a",
    "#5a6b7d",
    "#8a8f98",
)
PADDING = 10.0
SWATCH = 10.0
ROW_GAP = 6.0
TICKS = 4


def series_colour(series: ChartSeries) -> QColor:
    kind, number = series.colour
    if kind == "status":
        return icons.status_colour(series.name, number)
    return QColor(SERIES_COLOURS[number % len(SERIES_COLOURS)])


def series_pen_and_fill(series: ChartSeries, background: QColor) -> tuple[QPen, QColor]:
    """How a segment is drawn. A "tail" (the stretch from median to 90th percentile) is its
    colour half mixed into the background and outlined in the full colour: lighter than
    the bar it continues on a light palette, and still clearly edged on a dark one."""
    colour = series_colour(series)
    if series.colour[0] != "tail":
        return QPen(Qt.PenStyle.NoPen), colour
    fill = QColor.fromRgbF(
        (colour.redF() + background.redF()) / 2,
        (colour.greenF() + background.greenF()) / 2,
        (colour.blueF() + background.blueF()) / 2,
    )
    pen = QPen(colour, 1)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return pen, fill


def nice_step(largest: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about TICKS grid lines."""
    if largest <= 0:
        return 1.0
    raw = largest / TICKS
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return max(multiple * power, 1.0 if largest >= 1 else multiple * power)
    return 10 * power


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


@dataclass(frozen=True)
class RowTextWidths:
    """The widest row label and the widest end label of a chart in a font."""

    label: float
    end: float

    @classmethod
    def measure(cls, chart: ChartData, font: QFont) -> RowTextWidths:
        metrics = QFontMetricsF(font)
        advance = metrics.horizontalAdvance
        return cls(
            max((advance(row.label) for row in chart.rows), default=0.0),
            max((advance(row.end_label) for row in chart.rows), default=0.0),
        )


def _tops(chart: ChartData, rect: QRectF, metrics: QFontMetricsF) -> tuple[QRectF, float, float]:
    """The title's rectangle, the legend's top and the first row's top."""
    line = metrics.height()
    title_rect = QRectF(rect.left() + PADDING, rect.top() + PADDING, rect.width(), line)
    legend_top = title_rect.bottom() + 4
    legend_lines = _legend_lines(chart, metrics, rect.width() - 2 * PADDING)
    rows_top = legend_top + len(legend_lines) * (line + 2) + 6
    return title_rect, legend_top, rows_top


@dataclass(frozen=True)
class ChartLayout:
    """Where everything goes for a chart in a rectangle; painting and hit tests share it."""

    chart: ChartData
    rect: QRectF
    font: QFont
    title_rect: QRectF
    legend_top: float
    rows_top: float
    row_height: float
    label_width: float
    end_width: float
    scale_max: float
    step: float

    @classmethod
    def of(
        cls, chart: ChartData, rect: QRectF, font: QFont, widths: RowTextWidths | None = None
    ) -> ChartLayout:
        """``widths``: the chart's row texts measured in ``font`` (measured here if not
        given)."""
        metrics = QFontMetricsF(font)
        title_rect, legend_top, rows_top = _tops(chart, rect, metrics)
        if widths is None:
            widths = RowTextWidths.measure(chart, font)
        label_width = min(widths.label + 8, rect.width() * 0.38)
        step = nice_step(chart.largest())
        scale_max = max(step * math.ceil(chart.largest() / step), step)
        return cls(
            chart,
            rect,
            font,
            title_rect,
            legend_top,
            rows_top,
            metrics.height() + ROW_GAP,
            label_width,
            widths.end + 8,
            scale_max,
            step,
        )

    @staticmethod
    def height_for(chart: ChartData, width: float, font: QFont) -> float:
        """How tall the chart wants to be at ``width`` (all rows, legend and axis); the
        rows' texts are not measured (their widths change no height)."""
        metrics = QFontMetricsF(font)
        _title, _legend, rows_top = _tops(chart, QRectF(0, 0, width, 10_000), metrics)
        row_height = metrics.height() + ROW_GAP
        rows = max(len(chart.rows), 1)
        return rows_top + rows * row_height + row_height + PADDING

    @property
    def bar_left(self) -> float:
        return self.rect.left() + PADDING + self.label_width

    @property
    def bar_width(self) -> float:
        return max(self.rect.right() - PADDING - self.end_width - self.bar_left, 10.0)

    def row_rect(self, index: int) -> QRectF:
        top = self.rows_top + index * self.row_height
        return QRectF(self.rect.left(), top, self.rect.width(), self.row_height)

    def row_at(self, point: QPointF) -> int | None:
        if point.y() < self.rows_top:
            return None
        index = int((point.y() - self.rows_top) // self.row_height)
        return index if 0 <= index < len(self.chart.rows) else None


def _legend_lines(chart: ChartData, metrics: QFontMetricsF, width: float) -> list[list[int]]:
    lines: list[list[int]] = [[]]
    used = 0.0
    for index, series in enumerate(chart.series):
        item = SWATCH + 4 + metrics.horizontalAdvance(series.name) + 14
        if lines[-1] and used + item > width:
            lines.append([])
            used = 0.0
        lines[-1].append(index)
        used += item
    return lines if chart.series else []


def paint_chart(
    painter: QPainter,
    rect: QRectF,
    chart: ChartData,
    palette: QPalette,
    exposed: QRectF | None = None,
    widths: RowTextWidths | None = None,
) -> None:
    """Paint ``chart`` into ``rect``; with ``exposed``, only the rows that reach into it (a
    chart of 500 users in a scroll area shows a dozen: painting them all cost the GUI
    thread 60-100 ms each time the window opened or the chart changed). ``widths``: the
    rows' texts measured in the painter's font, if known."""
    font = QFont(painter.font())
    layout = ChartLayout.of(chart, rect, font, widths)
    metrics = QFontMetricsF(font)
    text = palette.color(QPalette.ColorRole.Text)
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    title_font = QFont(font)
    title_font.setBold(True)
    painter.setFont(title_font)
    painter.setPen(text)
    painter.drawText(layout.title_rect, Qt.AlignmentFlag.AlignLeft, chart.title)
    painter.setFont(font)
    painter.setBackground(palette.color(QPalette.ColorRole.Base))
    _paint_legend(painter, layout, metrics, text)
    if not chart.rows:
        painter.setPen(muted)
        empty = QRectF(rect.left(), layout.rows_top, rect.width(), layout.row_height * 2)
        painter.drawText(empty, Qt.AlignmentFlag.AlignCenter, chart.empty_text)
        painter.restore()
        return
    bottom = layout.rows_top + len(chart.rows) * layout.row_height
    _paint_grid(painter, layout, metrics, muted, bottom)
    scale = layout.bar_width / layout.scale_max
    background = palette.color(QPalette.ColorRole.Base)
    looks = [series_pen_and_fill(series, background) for series in chart.series]
    for index, row in enumerate(chart.rows):
        row_rect = layout.row_rect(index)
        if exposed is not None and not row_rect.intersects(exposed):
            continue
        label_rect = QRectF(
            rect.left() + PADDING, row_rect.top(), layout.label_width - 8, row_rect.height()
        )
        painter.setPen(text)
        label = metrics.elidedText(row.label, Qt.TextElideMode.ElideRight, label_rect.width())
        painter.drawText(
            label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label
        )
        x = layout.bar_left
        bar_top = row_rect.top() + ROW_GAP / 2 + 1
        bar_height = row_rect.height() - ROW_GAP - 2
        for value, (pen, fill) in zip(row.values, looks, strict=True):
            width = value * scale
            if width <= 0:
                continue
            painter.setPen(pen)
            painter.setBrush(fill)
            outline = pen.style() != Qt.PenStyle.NoPen
            # An outline is drawn half outside the rectangle: keep it inside the bar.
            shrink = 0.5 if outline else 0.0
            painter.drawRect(
                QRectF(x, bar_top, width, bar_height).adjusted(shrink, shrink, -shrink, -shrink)
            )
            x += width
        painter.setPen(text)
        end_rect = QRectF(x + 6, row_rect.top(), layout.end_width + 40, row_rect.height())
        painter.drawText(
            end_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, row.end_label
        )
    painter.restore()


def _paint_legend(
    painter: QPainter, layout: ChartLayout, metrics: QFontMetricsF, text: QColor
) -> None:
    lines = _legend_lines(layout.chart, metrics, layout.rect.width() - 2 * PADDING)
    line = metrics.height()
    background = painter.background().color()
    for number, indexes in enumerate(lines):
        x = layout.rect.left() + PADDING
        top = layout.legend_top + number * (line + 2)
        for index in indexes:
            series = layout.chart.series[index]
            pen, fill = series_pen_and_fill(series, background)
            painter.setPen(pen)
            painter.setBrush(fill)
            painter.drawRect(
                QRectF(x + 0.5, top + (line - SWATCH) / 2 + 0.5, SWATCH - 1, SWATCH - 1)
            )
            painter.setPen(text)
            name_width = metrics.horizontalAdvance(series.name)
            painter.drawText(
                QRectF(x + SWATCH + 4, top, name_width + 2, line),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                series.name,
            )
            x += SWATCH + 4 + name_width + 14


def _paint_grid(
    painter: QPainter, layout: ChartLayout, metrics: QFontMetricsF, muted: QColor, bottom: float
) -> None:
    grid = QColor(muted)
    grid.setAlphaF(0.35)
    steps = round(layout.scale_max / layout.step)
    for tick in range(steps + 1):
        value = tick * layout.step
        x = layout.bar_left + layout.bar_width * value / layout.scale_max
        painter.setPen(QPen(grid, 1))
        painter.drawLine(QPointF(x, layout.rows_top), QPointF(x, bottom))
        painter.setPen(muted)
        label = _number(value)
        width = metrics.horizontalAdvance(label)
        painter.drawText(
            QRectF(x - width / 2 - 2, bottom + 2, width + 4, metrics.height()),
            Qt.AlignmentFlag.AlignCenter,
            label,
        )
