"""Keeping a tree view's expansion, selection, current row and scroll across a reload.

The window's models reload from the database after every pass (a model reset); this saves
the state by the items' stable keys before and puts it back after.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QTreeView

from leaddesk.ui.common.tree_item import TreeItem


@dataclass
class ViewState:
    expanded: list[Hashable] = field(default_factory=list)
    selected: list[Hashable] = field(default_factory=list)
    current: Hashable = None
    scroll: int = 0


def _index(view: QTreeView, item: TreeItem) -> QModelIndex:
    return view.model().createIndex(item.row(), 0, item)


def save_view_state(view: QTreeView) -> ViewState:
    model = view.model()
    root: TreeItem = model.root  # type: ignore[attr-defined]
    state = ViewState(scroll=view.verticalScrollBar().value())
    # Only nodes with children can be expanded; leads (the bulk) are skipped cheaply.
    pending = list(root.children)
    while pending:
        item = pending.pop()
        if item.children and view.isExpanded(_index(view, item)):
            state.expanded.append(item.key)
            pending.extend(child for child in item.children if child.kind != "lead")
    selection = view.selectionModel()
    state.selected = [model.item(index).key for index in selection.selectedRows(0)]  # type: ignore[attr-defined]
    current = view.currentIndex()
    state.current = model.item(current).key if current.isValid() else None  # type: ignore[attr-defined]
    return state


def restore_view_state(view: QTreeView, state: ViewState) -> None:
    model = view.model()
    wanted = set(state.expanded) | set(state.selected) | {state.current}
    found: dict[Hashable, TreeItem] = {}
    for item in model.root.walk():  # type: ignore[attr-defined]
        if item.key in wanted:
            found[item.key] = item
    for key in state.expanded:
        if key in found:
            view.expand(_index(view, found[key]))
    selection = QItemSelection()
    for key in state.selected:
        if key in found:
            index = _index(view, found[key])
            selection.select(index, index)
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().select(selection, flags)
    if state.current in found:
        view.selectionModel().setCurrentIndex(
            _index(view, found[state.current]), QItemSelectionModel.SelectionFlag.NoUpdate
        )
    view.verticalScrollBar().setValue(state.scroll)
