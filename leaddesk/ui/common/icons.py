"""The application icon and the small icons of the trees, drawn so they stay sharp at 200%.

Status colours follow the demo statuses (LEAD blue, OPPORTUNITY amber, WON green, NO
SALE/LOST grey); statuses added later get a colour by position, so every status has one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

RESOURCES = Path(__file__).resolve().parent / "resources"

STATUS_COLOURS = {
    "LEAD": "#2f6fde",
    "OPPORTUNITY": "#e08a00",
    "WON": "#2e9d57",
    "NO SALE/LOST": "#8a8f98",
}
_FALLBACK_COLOURS = ["#7b4fd6", "#d6456b", "#1a9aa8", "#b07a2a", "#5a6b7d"]
_SIZES = (16, 20, 24, 32, 48, 64)


def status_colour(name: str, position: int = 0) -> QColor:
    return QColor(STATUS_COLOURS.get(name.upper(), _FALLBACK_COLOURS[position % 5]))


@cache
def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("leaddesk.svg", "leaddesk-256.png"):
        path = RESOURCES / name
        if path.exists():
            icon.addFile(str(path))
    return icon


def _painted(draw: object) -> QIcon:
    icon = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / 16, size / 16)
        draw(painter)  # type: ignore[operator]
        painter.end()
        icon.addPixmap(pixmap)
    return icon


@cache
def status_icon(name: str, position: int = 0) -> QIcon:
    colour = status_colour(name, position)

    def draw(painter: QPainter) -> None:
        painter.setPen(QPen(colour.darker(130), 1))
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(QRectF(3.5, 3.5, 9, 9))

    return _painted(draw)


@cache
def lead_icon(name: str, position: int = 0) -> QIcon:
    colour = status_colour(name, position)

    def draw(painter: QPainter) -> None:
        painter.setPen(QPen(QColor("#9aa3ad"), 1))
        painter.setBrush(QBrush(QColor("#ffffff")))
        painter.drawRoundedRect(QRectF(2.5, 1.5, 11, 13), 1.5, 1.5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawRect(QRectF(3, 2, 2.5, 12))
        painter.setBrush(QBrush(QColor("#c3c9d0")))
        for y in (5, 8, 11):
            painter.drawRect(QRectF(7, y, 5, 1))

    return _painted(draw)


def _person(colour: str) -> object:
    def draw(painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(colour)))
        painter.drawEllipse(QRectF(5, 1.5, 6, 6))
        body = QPainterPath()
        body.moveTo(QPointF(2, 15))
        body.cubicTo(QPointF(2, 9), QPointF(14, 9), QPointF(14, 15))
        body.closeSubpath()
        painter.drawPath(body)

    return draw


@cache
def user_icon(active: bool = True) -> QIcon:
    return _painted(_person("#3d5a80" if active else "#a0a7b0"))


@cache
def office_icon() -> QIcon:
    def draw(painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor("#6d597a")))
        painter.drawRect(QRectF(3, 2, 10, 13))
        painter.setBrush(QBrush(QColor("#f4f1f6")))
        for x in (5, 9):
            for y in (4, 7, 10):
                painter.drawRect(QRectF(x, y, 2, 2))

    return _painted(draw)


@cache
def group_icon() -> QIcon:
    def draw(painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for dx, colour in ((-3.2, "#2a9d8f"), (3.2, "#2a9d8f"), (0, "#1d7a6f")):
            painter.setBrush(QBrush(QColor(colour)))
            painter.drawEllipse(QRectF(5.5 + dx, 2 + abs(dx) * 0.5, 5, 5))
            body = QPainterPath()
            body.moveTo(QPointF(2.5 + dx, 15))
            body.cubicTo(QPointF(2.5 + dx, 9.5), QPointF(13.5 + dx, 9.5), QPointF(13.5 + dx, 15))
            body.closeSubpath()
            painter.drawPath(body)

    return _painted(draw)
