"""How the window's two trees are set up: the draggable owner tree and the drop-only target
view. Kept apart from the window so the drag-and-drop settings sit together in one place."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.reassignment.drop_rules import DropPlace, PlaceKind
from leaddesk.ui.main.owner_model import OwnerTreeModel
from leaddesk.ui.main.target_model import TargetModel
from leaddesk.ui.main.target_view import TargetView
from leaddesk.ui.passing.drag_view import PassDragView

TARGET_HINT = (
    "Drop leads, a status or a whole user on a target. Only users you have manager rights "
    "over are listed."
)


class OwnerTreeView(PassDragView):
    """The Lead Management tree: drags leads out; over itself it says where to drop.
    Return opens the current row as a double-click does (not ``activated``, which some
    desktops send on a single click)."""

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def source_place(self, index: QModelIndex) -> DropPlace:
        owner = self.model().owner_at(index)  # type: ignore[attr-defined]
        if owner is None:
            return DropPlace(PlaceKind.SOURCE_TREE)
        return DropPlace(PlaceKind.SOURCE_TREE, owner.name, active=owner.active)


def setup_owner_tree(view: QTreeView, model: OwnerTreeModel) -> None:
    view.setObjectName("ownerTree")
    view.setAccessibleName("Leads by owner and status")
    view.setModel(model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setUniformRowHeights(True)  # needed to stay fast with 50,000 rows under a status
    view.setAlternatingRowColors(True)
    view.setAllColumnsShowFocus(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header = view.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)
    # Company and status give the name column what they do not need (names run longest).
    for column, width in enumerate((300, 140, 110, 125)):
        view.setColumnWidth(column, width)


def setup_target_view(view: QTreeView, model: TargetModel) -> None:
    view.setObjectName("targetView")
    view.setAccessibleName("Pass targets")
    view.setModel(model)
    view.setAcceptDrops(True)
    view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
    # Overwrite mode: a drop anywhere on a row means "onto this target", never between.
    view.setDragDropOverwriteMode(True)
    # The hovered target's whole row is filled instead (TargetView); an outline hides less.
    view.setDropIndicatorShown(False)
    # Headings fold away (a long user list hides the offices); a drag held over a closed
    # heading opens it again.
    view.setRootIsDecorated(True)
    view.setItemsExpandable(True)
    view.setUniformRowHeights(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.header().setStretchLastSection(False)
    view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    # A fixed width: "resize to contents" would read every row (500 users) on each reload.
    view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
    view.setColumnWidth(1, 150)  # room for the workload bar beside the count
    view.setIndentation(14)
    model.modelReset.connect(view.restore_headings)


def target_pane(
    parent: QWidget, view: TargetView, drag_sources: list[PassDragView], lower_area: QWidget
) -> QWidget:
    """The right-hand side: a title, a header line (the explanation, or during a drag what
    a drop would do, also when the drag is over ``drag_sources``), a filter box, the target
    view, and below it ``lower_area`` (the how-to today; a workload chart later)."""
    pane = QWidget(parent)
    pane.setObjectName("targetPane")
    title = QLabel("Pass to", pane)
    title.setObjectName("targetTitle")
    font = title.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    title.setFont(font)
    hint = QLabel(TARGET_HINT, pane)
    hint.setObjectName("targetHint")
    hint.setWordWrap(True)
    # Two lines' height whatever it says, so the pane does not jump during a drag.
    hint.setMinimumHeight(hint.fontMetrics().lineSpacing() * 2 + 2)
    show_drop_hint(hint, "", False)
    filter_edit = QLineEdit(pane)
    filter_edit.setObjectName("targetFilter")
    filter_edit.setPlaceholderText("Filter targets by name")
    filter_edit.setAccessibleName("Filter pass targets")
    filter_edit.setClearButtonEnabled(True)
    filter_edit.textChanged.connect(view.apply_filter)
    view.setParent(pane)
    for talker in (view, *drag_sources):
        talker.drop_hint_changed.connect(lambda text, ok: show_drop_hint(hint, text, ok))
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(8, 8, 8, 8)
    layout.setSpacing(6)
    layout.addWidget(title)
    layout.addWidget(hint)
    layout.addWidget(filter_edit)
    layout.addWidget(view, 3)
    lower_area.setParent(pane)
    layout.addWidget(lower_area, 2)
    # The view was made before the filter box; Tab goes filter first, then the targets.
    QWidget.setTabOrder(filter_edit, view)
    return pane


def show_drop_hint(hint: QLabel, text: str, allowed: bool) -> None:
    """The header line: what a drop here would do, why not, or the resting explanation.
    Words rather than colour carry the meaning, so it reads the same in any palette."""
    if not text:
        hint.setText(TARGET_HINT)
        hint.setStyleSheet("color: palette(placeholder-text);")
        return
    hint.setText(text if allowed else f"Not here: {text}")
    hint.setStyleSheet("font-weight: 600;")


class ReplaceableArea(QWidget):
    """A place in a pane that holds one widget, which another part can swap for its own."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def replace(self, widget: QWidget) -> None:
        layout = self.layout()
        while layout.count():
            old = layout.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        layout.addWidget(widget)

    def current(self) -> QWidget | None:
        item = self.layout().itemAt(0)
        return item.widget() if item is not None else None
