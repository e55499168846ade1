"""Real drops through a view: drag enter, drag move and drop events sent to its viewport.

This is the third depth of drag-and-drop testing (after qtmodeltester and the models'
``mimeData`` -> ``dropMimeData``): the view itself decides where the drop lands from a
position, asks the model, and calls ``dropMimeData``, as during a real mouse drag.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication

DRAG_ACTIONS = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction


@dataclass
class DropOutcome:
    enter_accepted: bool
    move_accepted: bool
    drop_accepted: bool
    drop_action: Qt.DropAction


def mime_for(view: QAbstractItemView, indexes: list[QModelIndex]) -> QMimeData:
    """What a drag from ``view`` would carry for these rows (the model's own mimeData)."""
    mime = view.model().mimeData(indexes)
    assert mime is not None, "the model refused to drag these rows"
    return mime


def find_row(view: QAbstractItemView, text: str, column: int = 0) -> QModelIndex:
    """The first index anywhere in the view's model whose display text starts with ``text``."""
    model = view.model()
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop(0)
        for row in range(model.rowCount(parent)):
            index = model.index(row, column, parent)
            shown = str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")
            if shown.startswith(text):
                return index
            pending.append(model.index(row, 0, parent))
    raise AssertionError(f"no row starting with {text!r} in {view.objectName()}")


def _drag_event(
    cls: type[QDragMoveEvent],
    pos: QPointF,
    mime: QMimeData,
    buttons: Qt.MouseButton,
    modifiers: Qt.KeyboardModifier,
) -> QDragMoveEvent:
    """PySide 6.12 takes a QPointF (and deprecates QPoint); 6.11 takes only a QPoint."""
    try:
        return cls(pos, DRAG_ACTIONS, mime, buttons, modifiers)
    except TypeError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return cls(pos.toPoint(), DRAG_ACTIONS, mime, buttons, modifiers)


def drop_on_index(
    view: QAbstractItemView,
    index: QModelIndex,
    mime: QMimeData,
    action: Qt.DropAction = Qt.DropAction.MoveAction,
) -> DropOutcome:
    """Send enter, move and drop at the centre of ``index`` in ``view``'s viewport."""
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    assert view.viewport().rect().contains(centre), "target row is not visible"
    viewport = view.viewport()
    buttons = Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    enter = _drag_event(QDragEnterEvent, QPointF(centre), mime, buttons, modifiers)
    enter.setDropAction(action)
    QApplication.sendEvent(viewport, enter)
    move = _drag_event(QDragMoveEvent, QPointF(centre), mime, buttons, modifiers)
    move.setDropAction(action)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(QPointF(centre), DRAG_ACTIONS, mime, buttons, modifiers)
    drop.setDropAction(action)
    QApplication.sendEvent(viewport, drop)
    return DropOutcome(
        enter_accepted=enter.isAccepted(),
        move_accepted=move.isAccepted(),
        drop_accepted=drop.isAccepted(),
        drop_action=drop.dropAction(),
    )


@dataclass
class HoverOutcome:
    enter_accepted: bool
    move_accepted: bool


def drag_over(
    view: QAbstractItemView,
    pos: QPoint,
    mime: QMimeData,
    *,
    enter: bool = True,
    action: Qt.DropAction = Qt.DropAction.MoveAction,
) -> HoverOutcome:
    """Drag ``mime`` to ``pos`` of the viewport (entering first) without dropping."""
    viewport = view.viewport()
    buttons = Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    entered = True
    if enter:
        enter_event = _drag_event(QDragEnterEvent, QPointF(pos), mime, buttons, modifiers)
        enter_event.setDropAction(action)
        QApplication.sendEvent(viewport, enter_event)
        entered = enter_event.isAccepted()
    move = _drag_event(QDragMoveEvent, QPointF(pos), mime, buttons, modifiers)
    move.setDropAction(action)
    QApplication.sendEvent(viewport, move)
    return HoverOutcome(enter_accepted=entered, move_accepted=move.isAccepted())


def drag_over_index(
    view: QAbstractItemView, index: QModelIndex, mime: QMimeData, *, enter: bool = True
) -> HoverOutcome:
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    assert view.viewport().rect().contains(centre), "row is not visible"
    return drag_over(view, centre, mime, enter=enter)


def drag_leave(view: QAbstractItemView) -> None:
    QApplication.sendEvent(view.viewport(), QDragLeaveEvent())
