"""The Lead Management tree: users the actor manages -> their statuses -> leads.

Lazy by design (issue 3, "Scale"): a whole-tree read is one grouped count and builds only
users and statuses; the leads of a status are read a page at a time through
``canFetchMore`` / ``fetchMore`` when the view expands it. Every read runs on the runner's
read lane (issue 14: a slow link must not freeze the window): meanwhile a "Loading…" row
stands where the rows will be, and an answer the person has moved on from (a newer search,
a refresh, a replaced tree) is dropped. The model is read-only: dragging produces a
:class:`PassSource`, and after a pass the window reads both panes again (keeping as many
leads loaded per status as before).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from leaddesk.ui.common import icons
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.loading_row import LOADING_FLAGS, loading_data, loading_row
from leaddesk.ui.common.palettes import readable_text
from leaddesk.ui.common.tree_item import TreeItem
from leaddesk.ui.main.owner_sources import source_of_items
from leaddesk.ui.main.tree_reads import (
    OwnerTreeBuild,
    StatusState,
    lead_items,
    read_lead_page,
    read_owner_tree,
)
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leaddesk.store.tree_queries import OwnerSummary, OwnerTreeData, StatusInfo, TreeLead

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_NODE_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
)
_LEAD_FLAGS = _NODE_FLAGS | Qt.ItemFlag.ItemNeverHasChildren


class OwnerTreeModel(QAbstractItemModel):
    COLUMNS = ("Name", "Company", "Status", "Last changed")

    load_failed = Signal(str)
    # A read started (True) or its answer was taken in or failed (False).
    loading_changed = Signal(bool)
    # A whole tree was taken in (after a reload or a search).
    loaded = Signal()

    def __init__(self, context: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.search = ""
        self.root = TreeItem("root")
        self.statuses: dict[int, StatusInfo] = {}
        # True when a search matched more leads than are shown.
        self.search_truncated = False
        # Which whole-tree read is current: an answer for an older ticket (a search typed
        # on, a refresh asked again) is dropped. ``_generation`` counts trees taken in: a
        # page read for a tree that has since been replaced is dropped too.
        self._ticket = 0
        self._generation = 0
        self.loading = False
        self._fetching: set[Hashable] = set()
        self._cooling: set[Hashable] = set()
        self._read_key = f"ownerTree/{id(self)}"

    # -- loading (reads on the runner's read lane, answers taken in on the GUI thread) --

    def reload(self) -> None:
        """Read the tree again off the GUI thread; statuses that had leads loaded get them
        loaded again. The window's own refresh reads both panes at once instead
        (``MainWindow.refresh``); this is for a search and for the model on its own."""
        ticket, read = self.start_loading()
        self.context.runner.query(
            lambda session: read(session, None),
            lambda build: self.take(ticket, build),
            on_error=lambda message, _exc: self.fail(ticket, message),
            key=self._read_key,
        )

    def start_loading(
        self,
    ) -> tuple[int, Callable[[Session, OwnerTreeData | None], OwnerTreeBuild]]:
        """Mark a whole-tree read as started; returns its ticket and the read to run.

        An empty tree shows a "Loading…" row meanwhile; a filled one stays as it is (the
        window shows a busy cursor over it) until the answer replaces it in one reset.
        """
        self._ticket += 1
        if not self.root.children:
            self._reset(self._loading_root(), self.statuses)
        self._set_loading(True)
        actor_id, search = self.context.actor_id, self.search
        loaded = {
            item.key: sum(1 for child in item.children if child.kind == "lead")
            for item in self.root.walk()
            if item.kind == "status"
        }

        def read(session: Session, data: OwnerTreeData | None) -> OwnerTreeBuild:
            return read_owner_tree(
                session, actor_id=actor_id, search=search, loaded=loaded, data=data
            )

        return self._ticket, read

    def take(self, ticket: int, build: OwnerTreeBuild) -> bool:
        """Take a read's answer in, unless a newer read was started since (then drop it)."""
        if ticket != self._ticket or not shiboken6.isValid(self):
            return False
        self.search_truncated = build.truncated
        self._reset(build.root, build.statuses)
        self._set_loading(False)
        self.loaded.emit()
        return True

    def fail(self, ticket: int, message: str) -> None:
        if ticket != self._ticket or not shiboken6.isValid(self):
            return
        if self._only_loading_rows():
            self._reset(TreeItem("root"), self.statuses)
        self._set_loading(False)
        self.load_failed.emit(message)

    def set_search(self, text: str) -> None:
        self.search = text.strip()
        # A different filter means different leads: do not carry loaded pages over.
        self._reset(TreeItem("root"), self.statuses)
        self.reload()

    def _reset(self, root: TreeItem, statuses: dict[int, StatusInfo]) -> None:
        self.beginResetModel()
        self.root = root
        self.statuses = statuses
        self._generation += 1
        self._fetching.clear()
        self.endResetModel()

    def _loading_root(self) -> TreeItem:
        root = TreeItem("root")
        root.add(loading_row())
        return root

    def _only_loading_rows(self) -> bool:
        return all(child.kind == "loading" for child in self.root.children)

    def _set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            self.loading_changed.emit(loading)

    @property
    def fetching(self) -> bool:
        """A page of leads is on its way for some status."""
        return bool(self._fetching)

    def canFetchMore(self, parent: Index) -> bool:
        item = self.item(parent)
        return (
            item.kind == "status"
            and not item.payload.exhausted
            and item.key not in self._fetching
            and item.key not in self._cooling
        )

    def fetchMore(self, parent: Index) -> None:
        item = self.item(parent)
        if item.kind != "status" or item.payload.exhausted or item.key in self._fetching:
            return
        state: StatusState = item.payload
        self._fetching.add(item.key)
        # Where the page will go, a "Loading…" row until it is there.
        row = len(item.children)
        self.beginInsertRows(self._index_of(item), row, row)
        item.add(loading_row(item.key))
        self.endInsertRows()
        generation, actor_id, after_id = self._generation, self.context.actor_id, state.last_id
        self.context.runner.query(
            lambda session: read_lead_page(
                session, actor_id=actor_id, state=state, after_id=after_id
            ),
            lambda page: self._take_page(generation, item, *page),
            on_error=lambda message, _exc: self._page_failed(generation, item, message),
        )

    def _take_page(
        self, generation: int, item: TreeItem, leads: list[TreeLead], last: bool
    ) -> None:
        # The tree was replaced meanwhile (a refresh, a search): this page is of no use.
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._drop_loading_row(item)
        state: StatusState = item.payload
        if leads:
            state.last_id = leads[-1].id
            first = len(item.children)
            self.beginInsertRows(self._index_of(item), first, first + len(leads) - 1)
            item.extend(lead_items(leads))
            self.endInsertRows()
        loaded = sum(1 for child in item.children if child.kind == "lead")
        state.exhausted = last or loaded >= state.count
        # QTreeView asks again and again while laying out an expanded node; one page per
        # event-loop turn keeps expanding a 50,000-lead status at one read. Scrolling to
        # the bottom asks for the next page.
        self._cooling.add(item.key)
        QTimer.singleShot(0, self, lambda key=item.key: self._cooling.discard(key))

    def _page_failed(self, generation: int, item: TreeItem, message: str) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._drop_loading_row(item)
        item.payload.exhausted = True
        self.load_failed.emit(message)

    def _drop_loading_row(self, item: TreeItem) -> None:
        self._fetching.discard(item.key)
        if item.children and item.children[-1].kind == "loading":
            row = len(item.children) - 1
            self.beginRemoveRows(self._index_of(item), row, row)
            item.children.pop()
            self.endRemoveRows()

    # -- tree structure --------------------------------------------------------------

    def item(self, index: Index) -> TreeItem:
        if index.isValid():
            return index.internalPointer()  # type: ignore[return-value]
        return self.root

    def _index_of(self, item: TreeItem, column: int = 0) -> QModelIndex:
        if item is self.root or item.parent is None:
            return QModelIndex()
        return self.createIndex(item.row(), column, item)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(self.COLUMNS) or row < 0:
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
        item: TreeItem = index.internalPointer()  # type: ignore[assignment]
        parent = item.parent
        if parent is None or parent is self.root:
            return QModelIndex()
        return self.createIndex(parent.row(), 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.item(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return False
        item = self.item(parent)
        if item.kind == "status":
            return item.payload.count > 0
        return bool(item.children)

    # -- data ------------------------------------------------------------------------

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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item: TreeItem = index.internalPointer()  # type: ignore[assignment]
        column = index.column()
        if role == KEY_ROLE:
            return item.key
        if item.kind == "loading":
            return loading_data(column, role)
        if item.kind == "user":
            return self._user_data(item.payload, column, role)
        if item.kind == "status":
            return self._status_data(item.payload, column, role)
        return self._lead_data(item.payload, column, role)

    def _user_data(self, owner: OwnerSummary, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            suffix = "" if owner.active else " (inactive)"
            return f"{owner.name}{suffix}  ({owner.total:,})"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icons.user_icon(owner.active)
        if role == Qt.ItemDataRole.FontRole and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and not owner.active:
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{owner.name}: {owner.total:,} lead(s). Drag onto a user, office or pass "
                "group on the right to pass all of them."
            )
        return None

    def _status_data(self, state: StatusState, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return f"{state.info.name}  ({state.count:,})"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icons.status_icon(state.info.name, state.info.position)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{state.count:,} {state.info.name} lead(s) of {state.owner.name}. Drag to pass "
                "only this status's leads."
            )
        return None

    def _lead_data(self, lead: TreeLead, column: int, role: int) -> object:
        status = self.statuses.get(lead.status_id)
        status_name = status.name if status else "?"
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return lead.name
            if column == 1:
                return lead.company
            if column == 2:
                return status_name
            if column == 3:
                return lead.updated_at.strftime("%Y-%m-%d %H:%M")
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return icons.lead_icon(status_name, status.position if status else 0)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            colour = icons.status_colour(status_name, status.position if status else 0)
            return QBrush(readable_text(colour))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{lead.name} ({lead.company}), {status_name}. Double-click to open."
        return None

    # -- drag ------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Precomputed: views ask for flags thousands of times and enum arithmetic is slow.
        kind = self.item(index).kind
        if kind == "loading":
            return LOADING_FLAGS
        return _LEAD_FLAGS if kind == "lead" else _NODE_FLAGS

    def mimeTypes(self) -> list[str]:
        return [PASS_SOURCE_MIME_TYPE]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.IgnoreAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        source = self.source_for(indexes)
        if source is None:
            return None
        mime = QMimeData()
        mime.setData(PASS_SOURCE_MIME_TYPE, source.encode())
        mime.setText(source.label)
        return mime

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        # A drop never edits the model; after a MoveAction the view must not delete rows.
        return False

    def source_for(self, indexes: Sequence[QModelIndex]) -> PassSource | None:
        """What dragging (or cutting) these rows passes: one user, one status, or leads."""
        items: list[TreeItem] = []
        for index in indexes:
            if index.isValid():
                item = self.item(index)
                if item not in items:
                    items.append(item)
        return source_of_items(items)

    # -- lookups for the window and tests --------------------------------------------

    def key(self, index: Index) -> Hashable:
        return self.item(index).key

    def index_for_key(self, key: Hashable) -> QModelIndex:
        for item in self.root.walk():
            if item.key == key and item is not self.root:
                return self._index_of(item)
        return QModelIndex()

    def find_status_index(self, owner_name: str, status_name: str) -> QModelIndex:
        for user in self.root.children:
            if user.kind == "user" and user.payload.name == owner_name:
                for status in user.children:
                    if status.kind == "status" and status.payload.info.name == status_name:
                        return self._index_of(status)
        return QModelIndex()

    def find_user_index(self, owner_name: str) -> QModelIndex:
        for user in self.root.children:
            if user.kind == "user" and user.payload.name == owner_name:
                return self._index_of(user)
        return QModelIndex()

    def owner_at(self, index: Index) -> OwnerSummary | None:
        """The user of a user row (None for statuses, leads and empty space)."""
        item = self.item(index.siblingAtColumn(0)) if index.isValid() else None
        return item.payload if item is not None and item.kind == "user" else None

    def status_count(self, index: Index) -> int:
        item = self.item(index)
        return item.payload.count if item.kind == "status" else 0

    def lead_id(self, index: Index) -> int | None:
        item = self.item(index)
        return item.payload.id if item.kind == "lead" else None
