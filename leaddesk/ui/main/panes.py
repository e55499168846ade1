"""How the window's two trees are set up: the draggable owner tree and the drop-only target
view. Kept apart from the window so the drag-and-drop settings sit together in one place."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.ui.main.owner_model import OwnerTreeModel
from leaddesk.ui.main.target_model import TargetModel


def setup_owner_tree(view: QTreeView, model: OwnerTreeModel) -> None:
    view.setObjectName("ownerTree")
    view.setAccessibleName("Leads by owner and status")
    view.setModel(model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setDragEnabled(True)
    view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
    view.setDefaultDropAction(Qt.DropAction.MoveAction)
    view.setUniformRowHeights(True)  # needed to stay fast with 50,000 rows under a status
    view.setAlternatingRowColors(True)
    view.setAllColumnsShowFocus(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header = view.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)
    for column, width in enumerate((300, 160, 115, 125)):
        view.setColumnWidth(column, width)


def setup_target_view(view: QTreeView, model: TargetModel) -> None:
    view.setObjectName("targetView")
    view.setAccessibleName("Pass targets")
    view.setModel(model)
    view.setAcceptDrops(True)
    view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
    # Overwrite mode: a drop anywhere on a row means "onto this target", never between.
    view.setDragDropOverwriteMode(True)
    view.setDropIndicatorShown(True)
    view.setRootIsDecorated(False)
    view.setItemsExpandable(False)
    view.setUniformRowHeights(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.header().setStretchLastSection(False)
    view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    # A fixed width: "resize to contents" would read every row (500 users) on each reload.
    view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
    view.setColumnWidth(1, 100)
    view.setIndentation(14)
    model.modelReset.connect(view.expandAll)


def target_pane(parent: QWidget, view: QTreeView) -> QWidget:
    """The right-hand side: a title, a one-line explanation, and the target view."""
    pane = QWidget(parent)
    pane.setObjectName("targetPane")
    title = QLabel("Pass to", pane)
    title.setObjectName("targetTitle")
    font = title.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    title.setFont(font)
    hint = QLabel(
        "Drop leads, a status or a whole user on a target. Only users you have manager "
        "rights over are listed.",
        pane,
    )
    hint.setObjectName("targetHint")
    hint.setWordWrap(True)
    hint.setStyleSheet("color: palette(placeholder-text);")
    view.setParent(pane)
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(8, 8, 8, 8)
    layout.setSpacing(6)
    layout.addWidget(title)
    layout.addWidget(hint)
    layout.addWidget(view, 1)
    return pane
