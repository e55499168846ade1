"""Small table helpers the administration tabs share: read-only tables keyed by row id."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

ID_ROLE = Qt.ItemDataRole.UserRole


def named(widget: QWidget, name: str, spoken: str = "") -> QWidget:
    """``widget`` with its object name and, for one without a label, what a screen reader
    calls it."""
    widget.setObjectName(name)
    if spoken:
        widget.setAccessibleName(spoken)
    return widget


def read_only_table(name: str, headers: list[str], spoken: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(spoken)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def cell(text: object, item_id: int | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if item_id is not None:
        item.setData(ID_ROLE, item_id)
    return item


def selected_id(table: QTableWidget) -> int | None:
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    return table.item(rows[0].row(), 0).data(ID_ROLE)


def select_id(table: QTableWidget, item_id: int | None) -> None:
    for row in range(table.rowCount()):
        if table.item(row, 0).data(ID_ROLE) == item_id:
            table.selectRow(row)
            return


LOADING = "Loading…"


def show_loading(table: QTableWidget) -> None:
    """One greyed "Loading…" row across the table until its first rows arrive."""
    table.setRowCount(1)
    placeholder = QTableWidgetItem(LOADING)
    placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
    table.setItem(0, 0, placeholder)
    if table.columnCount() > 1:
        table.setSpan(0, 0, 1, table.columnCount())


def clear_loading(table: QTableWidget) -> None:
    """Remove the "Loading…" row (tables that ``populate`` fills on selection stay empty)."""
    item = table.item(0, 0)
    if table.rowCount() == 1 and item is not None and item.flags() == Qt.ItemFlag.NoItemFlags:
        table.clearSpans()
        table.setRowCount(0)
