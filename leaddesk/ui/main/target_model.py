"""The target pane: where leads can be passed to, and the one place that accepts drops.

Three groups: the users the actor has manager rights over (each with how many open leads
they hold, so a manager can balance the load), the offices and the pass groups (each with
how many leads wait in its Leads to be Assigned bucket). A drop never edits this model:
``dropMimeData`` decodes the :class:`PassSource` and emits ``pass_requested``; the window
runs the pass through the controller and reloads the models from the database.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from leaddesk.reassignment.drop_rules import DropPlace, DropVerdict, PlaceKind, judge_drop
from leaddesk.reassignment.requests import Target, TargetKind
from leaddesk.ui.common import icons
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.loading_row import loading_data, loading_row
from leaddesk.ui.common.tree_item import TreeItem
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource

if TYPE_CHECKING:
    from leaddesk.reassignment.targets import PassTargets, TargetPlace, TargetUser

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1

_TARGET_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDropEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)
GROUP_TITLES = {"users": "Users", "offices": "Offices", "groups": "Pass groups"}


def _muted_text() -> QBrush:
    # From the palette, so the counts and headings stay readable in a dark palette too.
    return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))


@dataclass(frozen=True)
class TargetChoice:
    target: Target
    name: str


class TargetModel(QAbstractItemModel):
    COLUMNS = ("Pass to", "Leads")

    # (PassSource, Target): a drop asked for a pass; the window decides what happens.
    pass_requested = Signal(object, object)

    def __init__(self, context: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.root = TreeItem("root")
        self._ticket = 0
        # The row a drag would land on (filled by the view) and its text colour.
        self._hover_key: Hashable = None
        self._hover_text = QColor()

    # -- loading (the window reads the targets with the owner tree, off the GUI thread) --

    def start_loading(self) -> int:
        """Mark a read as started and return its ticket; an empty pane shows "Loading…"."""
        self._ticket += 1
        if not self.root.children:
            root = TreeItem("root")
            root.add(loading_row())
            self._reset(root)
        return self._ticket

    def take(self, ticket: int, targets: PassTargets) -> bool:
        """Show ``targets`` unless a newer read was started since (then drop them)."""
        if ticket != self._ticket or not shiboken6.isValid(self):
            return False
        root = TreeItem("root")
        users = root.add(TreeItem("group_header", ("header", "users"), "users"))
        users.extend([TreeItem("user", ("user", u.id), u) for u in targets.users])
        offices = root.add(TreeItem("group_header", ("header", "offices"), "offices"))
        offices.extend([TreeItem("office", ("office", o.id), o) for o in targets.offices])
        groups = root.add(TreeItem("group_header", ("header", "groups"), "groups"))
        groups.extend([TreeItem("group", ("group", g.id), g) for g in targets.groups])
        self._reset(root)
        return True

    def fail(self, ticket: int) -> None:
        """The read failed (the window says why): a pane that only said "Loading…" empties."""
        if ticket != self._ticket or not shiboken6.isValid(self):
            return
        if all(child.kind == "loading" for child in self.root.children):
            self._reset(TreeItem("root"))

    def _reset(self, root: TreeItem) -> None:
        self.beginResetModel()
        self.root = root
        self.endResetModel()

    # -- structure -------------------------------------------------------------------

    def item(self, index: Index) -> TreeItem:
        if index.isValid():
            return index.internalPointer()  # type: ignore[return-value]
        return self.root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if row < 0 or column < 0 or column >= len(self.COLUMNS):
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        children = self.item(parent).children
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self.item(index).parent
        if parent is None or parent is self.root:
            return QModelIndex()
        return self.createIndex(parent.row(), 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.item(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.item(index).kind in ("group_header", "loading"):
            return Qt.ItemFlag.ItemIsEnabled
        return _TARGET_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self.item(index)
        column = index.column()
        if role == KEY_ROLE:
            return item.key
        if item.kind == "group_header":
            return self._header_data(item, column, role)
        if item.kind == "loading":
            return loading_data(column, role)
        payload: TargetUser | TargetPlace = item.payload
        if role == Qt.ItemDataRole.ForegroundRole and item.key == self._hover_key:
            return QBrush(self._hover_text)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return payload.name
            if item.kind == "user":
                return f"{payload.open_leads:,} open"
            return f"{payload.waiting:,} waiting" if payload.waiting else ""
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if item.kind == "user":
                return icons.user_icon()
            return icons.office_icon() if item.kind == "office" else icons.group_icon()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return _muted_text()
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.kind == "user":
                return f"Drop leads here to pass them to {payload.name}."
            return (
                f"Drop leads here to put them into the Leads to be Assigned bucket of "
                f"{payload.name}."
            )
        return None

    def _header_data(self, item: TreeItem, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return GROUP_TITLES[item.payload]
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return _muted_text()
        return None

    # -- drops -----------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [PASS_SOURCE_MIME_TYPE]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.IgnoreAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        return None  # targets are not draggable

    def target_at(self, row: int, column: int, parent: Index) -> TargetChoice | None:
        """The target a drop at (row, parent) lands on; None for headers and empty space."""
        index = self.index(row, 0, parent) if row >= 0 else parent
        if not index.isValid():
            return None
        return self.choice(index)

    def choice(self, index: Index) -> TargetChoice | None:
        item = self.item(index)
        kind = {"user": TargetKind.USER, "office": TargetKind.OFFICE, "group": TargetKind.GROUP}
        if item.kind not in kind:
            return None
        return TargetChoice(Target(kind[item.kind], item.payload.id), item.payload.name)

    def place(self, index: Index, *, closed: bool = False) -> DropPlace:
        """A row as a drop place (``closed``: the view shows this heading folded). Users
        here are active and managed by the actor (the pane lists no others); the rules
        still check it."""
        if not index.isValid() or self.item(index).kind == "loading":
            return DropPlace(PlaceKind.NOWHERE)
        item = self.item(index)
        if item.kind == "group_header":
            return DropPlace(PlaceKind.HEADING, GROUP_TITLES[item.payload], closed=closed)
        choice = self.choice(index)
        assert choice is not None
        return DropPlace(PlaceKind.TARGET, choice.name, choice.target)

    def verdict(self, source: PassSource, index: Index, *, closed: bool = False) -> DropVerdict:
        return judge_drop(source.carried(), self.place(index, closed=closed))

    def set_drop_hover(self, key: Hashable, text_colour: QColor) -> None:
        """Mark the row a drag would land on (None: no row); the view fills it."""
        changed = [k for k in (self._hover_key, key) if k is not None]
        self._hover_key, self._hover_text = key, text_colour
        for changed_key in changed:
            index = self.index_for_key(changed_key)
            if index.isValid():
                self.dataChanged.emit(index, index.siblingAtColumn(len(self.COLUMNS) - 1))

    def _source_and_index(
        self, data: QMimeData, row: int, parent: Index
    ) -> tuple[PassSource, QModelIndex] | None:
        if not data.hasFormat(PASS_SOURCE_MIME_TYPE):
            return None
        source = PassSource.decode(data.data(PASS_SOURCE_MIME_TYPE).data())
        index = self.index(row, 0, parent) if row >= 0 else QModelIndex(parent)
        return None if source is None else (source, index)

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        found = self._source_and_index(data, row, parent)
        return found is not None and self.verdict(*found).allowed

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        found = self._source_and_index(data, row, parent)
        # A drop the rules refuse (a heading, where the leads already are) never becomes a
        # pass request: it is refused before any dialog opens.
        if found is None or not self.verdict(*found).allowed:
            return False
        source = found[0]
        choice = self.target_at(row, column, parent)
        assert choice is not None
        # Only a request: the model itself never changes here (it reloads after the pass).
        self.pass_requested.emit(source, choice.target)
        return True

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return False

    # -- lookups ---------------------------------------------------------------------

    def key(self, index: Index) -> Hashable:
        return self.item(index).key

    def index_for_key(self, key: Hashable) -> QModelIndex:
        for item in self.root.walk():
            if item is not self.root and item.key == key:
                return self.createIndex(item.row(), 0, item)
        return QModelIndex()

    def find(self, name: str) -> QModelIndex:
        """The first target called ``name`` (users first, then offices, then groups)."""
        for header in self.root.children:
            for item in header.children:
                if item.payload.name == name:
                    return self.createIndex(item.row(), 0, item)
        return QModelIndex()

    def choices(self) -> list[TargetChoice]:
        found = []
        for header in self.root.children:
            for item in header.children:
                choice = self.choice(self.createIndex(item.row(), 0, item))
                if choice is not None:
                    found.append(choice)
        return found
