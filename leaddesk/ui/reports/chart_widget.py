"""A chart on screen: paints a :class:`ChartData` with the shared painter, grows as tall as
its rows need (put it in a scroll area for long lists), and tells the numbers of the bar
under the pointer as a tooltip.

The rows' texts are measured once per chart and font (a new chart whose texts are the same
keeps them): the scroll area lays the chart out a dozen times as the window opens, and each
paint and tooltip lays it out again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from leaddesk.reports.common import ChartData
from leaddesk.ui.reports.chart_painter import ChartLayout, RowTextWidths, paint_chart

EMPTY_CHART = ChartData("", (), (), "")


class ChartWidget(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.chart = EMPTY_CHART
        # The rows' texts, and the font (with the screen's resolution) they were measured in.
        self._texts: tuple[tuple[str, str], ...] = ()
        self._measured_in: tuple[str, int, float] | None = None
        self._widths = RowTextWidths(0.0, 0.0)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_chart(self, chart: ChartData) -> None:
        self.chart = chart
        texts = tuple((row.label, row.end_label) for row in chart.rows)
        if texts != self._texts:
            self._texts = texts
            self._measured_in = None
        # Screen readers get the chart as sentences: the title and each bar's numbers.
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription(
            "\n".join(row.tooltip for row in chart.rows) or chart.empty_text
        )
        self._fit_height()
        self.update()

    def row_text_widths(self) -> RowTextWidths:
        """The widest row label and end label in this widget's font, measured again only
        when the texts, the font or the screen's resolution changed."""
        font = (self.font().key(), self.logicalDpiY(), self.devicePixelRatioF())
        if self._measured_in != font:
            self._widths = RowTextWidths.measure(self.chart, self.font())
            self._measured_in = font
        return self._widths

    def heightForWidth(self, width: int) -> int:
        return int(ChartLayout.height_for(self.chart, width, self.font())) + 1

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(360, self.heightForWidth(360))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        self.setMinimumHeight(self.heightForWidth(max(self.width(), 200)))

    def layout_now(self) -> ChartLayout:
        return ChartLayout.of(self.chart, QRectF(self.rect()), self.font(), self.row_text_widths())

    def tooltip_at(self, point: QPoint) -> str:
        """The numbers of the bar at ``point`` ("" between bars)."""
        row = self.layout_now().row_at(QPointF(point))
        return "" if row is None else self.chart.rows[row].tooltip

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tooltip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setFont(self.font())
        exposed = QRectF(event.rect())
        paint_chart(
            painter,
            QRectF(self.rect()),
            self.chart,
            self.palette(),
            exposed,
            self.row_text_widths(),
        )
        painter.end()
