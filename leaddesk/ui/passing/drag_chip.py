"""The drag image: a small rounded chip beside the pointer that says what is carried.

Qt's default drag image is the whole source row (wide, opaque, over the row under the
pointer), which hides the name of the target one is about to drop on. The chip is drawn
from the palette (light or dark), at the screen's pixel ratio (sharp at 200%), partly
transparent, and sits down-right of the pointer so the row under it stays readable.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette, QPixmap

from leaddesk.ui.common import icons
from leaddesk.ui.passing.pass_source import PassSource, SourceKind

# Where the chip's top-left corner sits relative to the pointer (QDrag's hot spot is the
# negative of this): clear of the cursor arrow, so the row under the pointer stays visible.
CHIP_OFFSET = QPoint(16, 14)
MAX_CHIP_WIDTH = 320
_PAD_X, _PAD_Y, _ICON, _GAP = 9, 5, 16, 6
# Opaque enough to read on any row, transparent enough to see the row beneath.
CHIP_OPACITY = 0.88


def chip_icon(source: PassSource) -> QIcon:
    if source.kind is SourceKind.USER:
        return icons.user_icon()
    if source.kind is SourceKind.STATUS:
        name = source.title.split(" of ", 1)[0]
        return icons.status_icon(name)
    return icons.lead_icon("LEAD")


def chip_pixmap(
    text: str,
    icon: QIcon,
    palette: QPalette,
    font: QFont,
    pixel_ratio: float = 1.0,
    max_width: int = MAX_CHIP_WIDTH,
) -> QPixmap:
    """``text`` with ``icon`` on a rounded chip at most ``max_width`` wide. A count in
    brackets at the end ("All of John Smith (47 leads)") goes on a second, smaller line, so
    a long name is not shortened to make room for it; what is still too long is shortened
    in the middle, keeping its start and end."""
    title, count = split_count(text)
    bold = QFont(font)
    bold.setBold(True)
    title_metrics = QFontMetrics(bold)
    count_metrics = QFontMetrics(font)
    room = max(max_width, 120) - (_PAD_X * 2 + _ICON + _GAP + 2)
    title = title_metrics.elidedText(title, Qt.TextElideMode.ElideMiddle, room)
    count = count_metrics.elidedText(count, Qt.TextElideMode.ElideRight, room)
    text_width = max(
        title_metrics.horizontalAdvance(title),
        count_metrics.horizontalAdvance(count) if count else 0,
    )
    text_height = title_metrics.height() + (count_metrics.height() if count else 0)
    width = _PAD_X * 2 + _ICON + _GAP + text_width + 2
    height = max(_ICON, text_height) + _PAD_Y * 2
    pixmap = QPixmap(round(width * pixel_ratio), round(height * pixel_ratio))
    pixmap.setDevicePixelRatio(pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setOpacity(CHIP_OPACITY)
    fill = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    painter.setPen(QColor(fill).darker(135))
    painter.setBrush(fill)
    radius = min(height / 2 - 1, 13)
    painter.drawRoundedRect(QRectF(0.5, 0.5, width - 1, height - 1), radius, radius)
    painter.setOpacity(1.0)
    icon.paint(painter, _PAD_X, (height - _ICON) // 2, _ICON, _ICON)
    painter.setPen(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText))
    left = _PAD_X + _ICON + _GAP
    top = (height - text_height) / 2
    align = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
    painter.setFont(bold)
    painter.drawText(QRectF(left, top, text_width + 2, title_metrics.height()), align, title)
    if count:
        painter.setFont(font)
        line = QRectF(left, top + title_metrics.height(), text_width + 2, count_metrics.height())
        painter.drawText(line, align, count)
    painter.end()
    return pixmap


def split_count(text: str) -> tuple[str, str]:
    """ "All of John Smith (47 leads)" -> ("All of John Smith", "47 leads")."""
    if text.endswith(" leads)") or text.endswith(" lead)"):
        title, _bracket, count = text.rpartition(" (")
        if title:
            return title, count[:-1]
    return text, ""


def source_chip(
    source: PassSource, palette: QPalette, font: QFont, pixel_ratio: float, max_width: int
) -> QPixmap:
    return chip_pixmap(
        source.carried().title, chip_icon(source), palette, font, pixel_ratio, max_width
    )
