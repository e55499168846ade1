"""A tree that leads are dragged out of (owner tree, bucket tree).

Its drag carries the model's :class:`PassSource` with a chip beside the pointer instead of
Qt's picture of the whole row. Dragged back over itself, it refuses the drop (forbidden
cursor) and says why through ``drop_hint_changed``, which the Pass to pane shows.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from leaddesk.reassignment.drop_rules import DropPlace, PlaceKind, judge_drop
from leaddesk.ui.passing.drag_chip import CHIP_OFFSET, MAX_CHIP_WIDTH, source_chip
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource


def dragged_source(event: QDropEvent) -> PassSource | None:
    mime = event.mimeData()
    if mime is None or not mime.hasFormat(PASS_SOURCE_MIME_TYPE):
        return None
    return PassSource.decode(mime.data(PASS_SOURCE_MIME_TYPE).data())


class PassDragView(QTreeView):
    # (text, allowed) while a drag is over this view; ("", False) when it leaves.
    drop_hint_changed = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        # DragOnly turns drops off; they are let in only to be refused with a reason.
        self.setAcceptDrops(True)

    # -- dragging out --------------------------------------------------------------------

    def make_drag(self) -> QDrag | None:
        """The drag for the current selection: the pass source and its chip."""
        model = self.model()
        rows = [
            index
            for index in self.selectionModel().selectedRows(0)
            if model.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
        ]
        mime = model.mimeData(rows) if rows else None
        if mime is None or not mime.hasFormat(PASS_SOURCE_MIME_TYPE):
            return None
        source = PassSource.decode(mime.data(PASS_SOURCE_MIME_TYPE).data())
        if source is None:
            return None
        drag = QDrag(self)
        drag.setMimeData(mime)
        # Never wider than a third of the tree: the chip must not hide the place to drop on.
        most = min(MAX_CHIP_WIDTH, self.width() // 3 - 1)
        ratio = self.devicePixelRatioF()
        drag.setPixmap(source_chip(source, self.palette(), self.font(), ratio, most))
        drag.setHotSpot(-CHIP_OFFSET)
        return drag

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        drag = self.make_drag()
        if drag is not None:
            # The models refuse removeRows, so a finished MoveAction deletes nothing here.
            drag.exec(supportedActions, self.defaultDropAction())

    # -- dragged back over itself --------------------------------------------------------

    def source_place(self, index: QModelIndex) -> DropPlace:
        """What a row of this tree is as a drop place; subclasses name user rows."""
        return DropPlace(PlaceKind.SOURCE_TREE)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dragged_source(event) is None:
            event.ignore()
            return
        # Accepted so that moves keep coming; each move is refused with its reason.
        event.acceptProposedAction()
        self._refuse(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._refuse(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_hint_changed.emit("", False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_hint_changed.emit("", False)
        event.ignore()

    def _refuse(self, event: QDragMoveEvent) -> None:
        source = dragged_source(event)
        if source is None:
            event.ignore()
            return
        place = self.source_place(self.indexAt(event.position().toPoint()))
        self.drop_hint_changed.emit(judge_drop(source.carried(), place).text, False)
        if event.type() != event.Type.DragEnter:
            event.ignore()
