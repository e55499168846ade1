"""Colours that stay readable on whatever palette the desktop gives (light or dark).

Status colours are chosen for their hue; as text they are moved lighter or darker until
they reach WCAG's 4.5:1 contrast against the view's background. ``dark_palette`` is a dark
desktop palette, for the pictures in ``docs/`` and the readability tests.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette

READABLE_CONTRAST = 4.5


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(colour: QColor, background: QColor) -> QColor:
    """``colour`` with its hue kept, lightened (on dark) or darkened (on light) as needed."""
    shown = QColor(colour)
    towards_white = _luminance(background) < 0.18
    for _step in range(20):
        if contrast_ratio(shown, background) >= READABLE_CONTRAST:
            return shown
        shown = shown.lighter(112) if towards_white else shown.darker(112)
        if towards_white and shown.lightness() >= 250:
            break
    return QColor("#ffffff") if towards_white else QColor("#000000")


def readable_text(colour: QColor) -> QColor:
    """``colour`` made readable on the application's view background."""
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return QColor.fromRgba(_readable_rgba(colour.rgba(), base.rgba()))


@cache
def _readable_rgba(colour: int, background: int) -> int:
    # Views ask for a row's colour on every paint; the answer depends only on these two.
    return readable_on(QColor.fromRgba(colour), QColor.fromRgba(background)).rgba()


def dark_palette() -> QPalette:
    """A dark palette like a desktop's dark mode."""
    colours = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#9a9da3",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#33363b",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7fb0ff",
        QPalette.ColorRole.LinkVisited: "#c29bff",
        QPalette.ColorRole.Light: "#45484e",
        QPalette.ColorRole.Midlight: "#3a3d42",
        QPalette.ColorRole.Mid: "#2f3236",
        QPalette.ColorRole.Dark: "#17181a",
        QPalette.ColorRole.Shadow: "#000000",
    }
    palette = QPalette()
    for role, value in colours.items():
        palette.setColor(role, QColor(value))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d83"))
    return palette
