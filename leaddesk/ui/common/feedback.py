"""Message boxes with stable object names, so tests and accessibility tools can find them.

Questions are asked modally (the answer is needed before anything happens); outcomes are
shown with ``open()`` so the operation runner can finish and every view refreshes while the
message is on screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QMessageBox, QSizePolicy, QSpacerItem, QWidget

MIN_WIDTH = 400


def _box(
    parent: QWidget | None, name: str, title: str, text: str, icon: QMessageBox.Icon
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName(name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def _widen(box: QMessageBox) -> None:
    """QMessageBox sizes itself to its first line; a floor keeps a two-sentence detail from
    wrapping into a narrow column of words. (After the texts: setting one rebuilds the
    layout.)"""
    layout = box.layout()
    if isinstance(layout, QGridLayout):
        floor = QSpacerItem(MIN_WIDTH, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
        layout.addItem(floor, layout.rowCount(), 0, 1, layout.columnCount())


def ask_yes_no(parent: QWidget | None, name: str, title: str, text: str, detail: str = "") -> bool:
    """A Yes/No question; No is the default so Enter never passes leads by accident."""
    box = _box(parent, name, title, text, QMessageBox.Icon.Question)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    if detail:
        box.setInformativeText(detail)
    _widen(box)
    return box.exec() == QMessageBox.StandardButton.Yes


def show_outcome(
    parent: QWidget | None,
    name: str,
    title: str,
    text: str,
    *,
    error: bool = False,
    detail: str = "",
) -> QMessageBox:
    """An OK message that does not block the caller."""
    icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
    box = _box(parent, name, title, text, icon)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    if detail:
        box.setInformativeText(detail)
    _widen(box)
    box.open()
    return box
