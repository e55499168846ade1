"""A "Loading…" row: what a tree shows where rows are on their way from the database.

The window's reads run off the GUI thread (``OperationRunner.query``); until an answer comes,
a model puts one of these where the rows will be: at the top of an empty tree, or under a
node whose children are being read. It is enabled (so it reads as text, not greyed out) but
not selectable, draggable or a drop place.
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from leaddesk.ui.common.tree_item import TreeItem

LOADING_TEXT = "Loading…"
LOADING_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren


def loading_row(parent_key: Hashable = None) -> TreeItem:
    """A row that says the rows of its parent are on their way (a read over the network)."""
    return TreeItem("loading", ("loading", parent_key))


def loading_data(column: int, role: int) -> object:
    """A "Loading…" row: muted italic text in the first column, nothing else."""
    if column != 0:
        return None
    if role == Qt.ItemDataRole.DisplayRole:
        return LOADING_TEXT
    if role == Qt.ItemDataRole.FontRole:
        font = QFont()
        font.setItalic(True)
        return font
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
    if role == Qt.ItemDataRole.ToolTipRole:
        return "Reading from the database…"
    return None
