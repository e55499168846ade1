"""A chart as a PNG file: the window's Save PNG and ``leaddesk report --png``.

The command line has no window: this starts a Qt GUI application on the offscreen platform
when none runs yet (fonts and painting need one; no display does), and paints on an image
with the same painter the window uses, in a light palette.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication

from leaddesk.errors import InvalidInputError
from leaddesk.reports.common import ChartData
from leaddesk.ui.reports.chart_painter import ChartLayout, paint_chart

IMAGE_WIDTH = 900
# Drawn at twice the size, so the picture stays sharp when zoomed or printed.
IMAGE_SCALE = 2
# The application this module started for a command-line image (kept alive, never twice).
_started: list[QApplication] = []


def chart_image(
    chart: ChartData, palette: QPalette, font: QFont, width: int = IMAGE_WIDTH
) -> QImage:
    height = int(ChartLayout.height_for(chart, width, font)) + 1
    image = QImage(width * IMAGE_SCALE, height * IMAGE_SCALE, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(IMAGE_SCALE)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    painter.setFont(font)
    paint_chart(painter, QRectF(0, 0, width, height), chart, palette)
    painter.end()
    return image


def save_chart_png(chart: ChartData, path: Path, palette: QPalette | None = None) -> None:
    """Write ``chart`` to ``path``; a file that cannot be written is one sentence."""
    if QGuiApplication.instance() is None:
        # Whatever the desktop: an image needs no display, and its palette is Qt's light one.
        # A full QApplication, not a bare GUI one: whatever else runs in this process later
        # (a window, in-process tests) can use it.
        _started.append(QApplication(["leaddesk", "-platform", "offscreen"]))
    image = chart_image(chart, palette or QGuiApplication.palette(), QGuiApplication.font())
    if not image.save(str(path), "PNG"):
        raise InvalidInputError(f"Cannot save the chart to {path}: the file cannot be written.")
