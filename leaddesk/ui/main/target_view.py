"""The Pass to pane's tree: a drop target you can aim at.

While a drag is over it, the row under the pointer is judged by the same rules the
controller applies (:mod:`leaddesk.reassignment.drop_rules`): a valid target is filled with
the palette's highlight and the pane's header line says "Drop to pass 3 leads to Jane Doe";
an invalid place (a heading, the leads' current owner) gets the forbidden cursor and the
reason. A collapsed heading held under the pointer opens; near the top or bottom edge the
pane scrolls; the filter box above narrows a long list of users before the drag starts.
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem, QTreeView, QWidget

from leaddesk.ui.main.target_model import TargetModel
from leaddesk.ui.passing.drag_view import dragged_source

AUTO_EXPAND_MS = 600
SCROLL_MARGIN = 28  # pixels from the top or bottom edge where a drag scrolls the pane
SCROLL_INTERVAL_MS = 40


class TargetView(QTreeView):
    # (text, allowed) while a drag is over the pane; ("", False) when it ends or leaves.
    drop_hint_changed = Signal(str, bool)
    # After the filter showed or hid rows (the workload chart lists the users shown).
    filter_applied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_text = ""
        self._filtered = False
        self.collapsed_headings: set[Hashable] = set()
        self._hover = QPersistentModelIndex()
        self._expand_candidate = QPersistentModelIndex()
        self._scroll_direction = 0
        self.expand_timer = QTimer(self)
        self.expand_timer.setSingleShot(True)
        self.expand_timer.setInterval(AUTO_EXPAND_MS)
        self.expand_timer.timeout.connect(self._expand_candidate_heading)
        self.scroll_timer = QTimer(self)
        self.scroll_timer.setInterval(SCROLL_INTERVAL_MS)
        self.scroll_timer.timeout.connect(self._scroll_step)
        # Our own timers: Qt's auto-scroll and auto-expand read the global cursor position,
        # which is not where a drag event says the pointer is (and is absent offscreen).
        self.setAutoScroll(False)
        self.collapsed.connect(lambda index: self._remember_heading(index, collapsed=True))
        self.expanded.connect(lambda index: self._remember_heading(index, collapsed=False))

    def target_model(self) -> TargetModel:
        return self.model()  # type: ignore[return-value]

    # -- after every reload --------------------------------------------------------------

    def restore_headings(self) -> None:
        """Open every heading the person has not closed, and filter again (after a reload)."""
        model = self.target_model()
        for row in range(model.rowCount()):
            heading = model.index(row, 0)
            if model.key(heading) not in self.collapsed_headings:
                self.setExpanded(heading, True)
        self.apply_filter(self.filter_text)

    def _remember_heading(self, index: QModelIndex, *, collapsed: bool) -> None:
        key = self.target_model().key(index)
        if collapsed:
            self.collapsed_headings.add(key)
        else:
            self.collapsed_headings.discard(key)

    def apply_filter(self, text: str) -> None:
        """Show only targets whose name contains ``text`` (any case); headings with no match
        are hidden while filtering."""
        self.filter_text = text.strip()
        wanted = self.filter_text.casefold()
        if not wanted and not self._filtered:
            return  # nothing hidden: a reload of 500 users need not touch every row
        self._filtered = bool(wanted)
        model = self.target_model()
        for row in range(model.rowCount()):
            heading = model.index(row, 0)
            shown = 0
            for child in range(model.rowCount(heading)):
                name = str(model.data(model.index(child, 0, heading)) or "")
                match = wanted in name.casefold()
                self.setRowHidden(child, heading, not match)
                shown += match
            self.setRowHidden(row, QModelIndex(), bool(wanted) and shown == 0)
            if wanted and shown:
                self.setExpanded(heading, True)
        self.filter_applied.emit()

    # -- a drag over the pane ------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        super().dragEnterEvent(event)
        if dragged_source(event) is not None:
            # Accept the enter whatever is under the pointer, so moves keep coming and each
            # place is judged (a drag that enters over a heading still reaches the users).
            event.acceptProposedAction()
            self._judge(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)
        self._judge(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(event)
        self._end_drag()

    def dropEvent(self, event: QDropEvent) -> None:
        source = dragged_source(event)
        index = self.indexAt(event.position().toPoint())
        verdict = None if source is None else self.target_model().verdict(source, index)
        self._end_drag()
        if verdict is None or not verdict.allowed:
            # Refused here, before any dialog: nothing reaches the pass flow.
            event.ignore()
            return
        super().dropEvent(event)

    def _judge(self, event: QDragMoveEvent) -> None:
        source = dragged_source(event)
        if source is None:
            event.ignore()
            return
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        closed = index.isValid() and not self.isExpanded(index.siblingAtColumn(0))
        verdict = self.target_model().verdict(source, index, closed=closed)
        self._set_hover(index if verdict.allowed else QModelIndex())
        self.drop_hint_changed.emit(verdict.text, verdict.allowed)
        if event.type() != event.Type.DragEnter:
            if verdict.allowed:
                event.acceptProposedAction()
            else:
                event.ignore()
        self._arm_expand(index)
        self._arm_scroll(pos)

    def _end_drag(self) -> None:
        self._set_hover(QModelIndex())
        self.expand_timer.stop()
        self.scroll_timer.stop()
        self._scroll_direction = 0
        self.drop_hint_changed.emit("", False)

    def _set_hover(self, index: QModelIndex) -> None:
        row = index.siblingAtColumn(0) if index.isValid() else QModelIndex()
        if QPersistentModelIndex(row) == self._hover:
            return
        self._hover = QPersistentModelIndex(row)
        self.target_model().set_drop_hover(
            self.target_model().key(row) if row.isValid() else None,
            self.palette().highlightedText().color(),
        )
        self.viewport().update()

    def hovered_target(self) -> QModelIndex:
        """The row filled as the drop target right now (invalid when none)."""
        return QModelIndex(self._hover)

    def drawRow(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        if self._hover.isValid() and index.siblingAtColumn(0) == QModelIndex(self._hover):
            # The whole row, indentation included, not only the cells or an outline.
            painter.fillRect(option.rect, self.palette().highlight())
        super().drawRow(painter, option, index)

    # -- reaching a target ---------------------------------------------------------------

    def _arm_expand(self, index: QModelIndex) -> None:
        heading = index.siblingAtColumn(0) if index.isValid() else QModelIndex()
        closed_heading = (
            heading.isValid()
            and self.target_model().rowCount(heading) > 0
            and not self.isExpanded(heading)
        )
        if not closed_heading:
            self._expand_candidate = QPersistentModelIndex()
            self.expand_timer.stop()
            return
        if QPersistentModelIndex(heading) != self._expand_candidate:
            self._expand_candidate = QPersistentModelIndex(heading)
            self.expand_timer.start()

    def _expand_candidate_heading(self) -> None:
        if self._expand_candidate.isValid():
            self.expand(QModelIndex(self._expand_candidate))

    def _arm_scroll(self, pos: QPoint) -> None:
        height = self.viewport().height()
        margin = min(SCROLL_MARGIN, height // 4)
        if pos.y() < margin:
            self._scroll_direction = -1
        elif pos.y() > height - margin:
            self._scroll_direction = 1
        else:
            self._scroll_direction = 0
        if self._scroll_direction and not self.scroll_timer.isActive():
            self.scroll_timer.start()
        elif not self._scroll_direction:
            self.scroll_timer.stop()

    def _scroll_step(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self._scroll_direction * max(bar.singleStep(), 8))
