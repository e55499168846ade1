"""The small bar in each user's row of the Pass to pane: their open leads split by status.

Drawn by a delegate over the Leads column: the row's own background (selection, a drag's
highlight) first, then a bar whose length compares the user with the busiest user shown
and whose segments carry the status colours used everywhere else, then the count. Over
the bar the tooltip gives the numbers per status.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from leaddesk.reports.workload import UserWorkload
from leaddesk.ui.common import icons
from leaddesk.ui.main.target_model import KEY_ROLE
from leaddesk.ui.main.workload_feed import WorkloadFeed

Index = QModelIndex | QPersistentModelIndex
BAR_HEIGHT = 8
TEXT_GAP = 6


class WorkloadBarDelegate(QStyledItemDelegate):
    def __init__(self, feed: WorkloadFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed = feed

    def user_at(self, index: Index) -> UserWorkload | None:
        key = index.data(KEY_ROLE)
        if not isinstance(key, tuple) or key[0] != "user":
            return None
        return self.feed.user(key[1])

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        user = self.user_at(index)
        if user is None:
            super().paint(painter, option, index)
            return
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        text, shown.text = f"{user.total:,}", ""
        style = shown.widget.style() if shown.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, shown, painter, shown.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        if selected:
            text_colour = palette.color(QPalette.ColorRole.HighlightedText)
        elif foreground is not None:
            text_colour = foreground.color()
        else:
            text_colour = palette.color(QPalette.ColorRole.PlaceholderText)
        rect = QRectF(option.rect).adjusted(4, 0, -4, 0)
        text_width = option.fontMetrics.horizontalAdvance("99,999") + TEXT_GAP
        bar_area = QRectF(rect.left(), 0, max(rect.width() - text_width, 12), BAR_HEIGHT)
        bar_area.moveTop(rect.center().y() - BAR_HEIGHT / 2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = QColor(palette.color(QPalette.ColorRole.PlaceholderText))
        track.setAlphaF(0.18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar_area, 2, 2)
        largest = self.feed.largest()
        x = bar_area.left()
        for status, count in self.feed.report.breakdown(user):
            width = bar_area.width() * count / largest
            painter.setBrush(icons.status_colour(status.name, status.position))
            painter.drawRect(QRectF(x, bar_area.top(), width, bar_area.height()))
            x += width
        painter.setPen(text_colour)
        painter.drawText(
            QRectF(bar_area.right() + TEXT_GAP, rect.top(), text_width - TEXT_GAP, rect.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        user = self.user_at(index)
        if user is None:
            return super().helpEvent(event, view, option, index)
        QToolTip.showText(event.globalPos(), self.tooltip(user), view)
        return True

    def tooltip(self, user: UserWorkload) -> str:
        return self.feed.report.describe(user)
