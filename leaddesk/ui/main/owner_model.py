"""The Lead Management tree: users the actor manages -> their statuses -> leads.

Lazy by design (issue 3, "Scale"): ``reload`` runs one grouped count query and builds only
users and statuses; the leads of a status are read a page at a time through
``canFetchMore`` / ``fetchMore`` when the view expands it. The model is read-only: dragging
produces a :class:`PassSource`, and after a pass the window calls ``reload``, which reads
the database again (keeping as many leads loaded per status as before).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

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
from sqlalchemy.orm import Session

from leaddesk.reassignment.drop_rules import count_phrase
from leaddesk.reassignment.requests import LeadRef, Target
from leaddesk.store.tree_queries import (
    PAGE_SIZE,
    OwnerSummary,
    OwnerTreeData,
    StatusInfo,
    TreeLead,
    lead_page,
    owner_tree,
    search_owner_tree,
)
from leaddesk.ui.common import icons
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.palettes import readable_text
from leaddesk.ui.common.read_errors import READ_ERRORS, error_text
from leaddesk.ui.common.tree_item import TreeItem
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource, SourceKind

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_NODE_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
)
_LEAD_FLAGS = _NODE_FLAGS | Qt.ItemFlag.ItemNeverHasChildren
# Keep at most this many leads per status when reloading after a pass; more come on scroll.
RELOAD_CAP = 5000


@dataclass
class StatusState:
    info: StatusInfo
    owner: OwnerSummary
    count: int
    last_id: int | None = None
    exhausted: bool = False


class OwnerTreeModel(QAbstractItemModel):
    COLUMNS = ("Name", "Company", "Status", "Last changed")

    load_failed = Signal(str)

    def __init__(self, context: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.search = ""
        self.root = TreeItem("root")
        self.statuses: dict[int, StatusInfo] = {}
        # True when a search matched more leads than are shown.
        self.search_truncated = False
        self._cooling: set[Hashable] = set()

    # -- loading ---------------------------------------------------------------------

    def reload(self, data: OwnerTreeData | None = None) -> None:
        """Read the tree again; statuses that had leads loaded get them loaded again.

        ``data`` is the grouped count the window already read for the target pane (one scan
        of the leads index serves both panes); ignored while a search is active.
        """
        loaded = {
            item.key: len(item.children) for item in self.root.walk() if item.kind == "status"
        }
        try:
            with self.context.database.read() as session:
                if self.search:
                    root, statuses = self._build_search(session)
                else:
                    root, statuses = self._build(session, loaded, data)
        except READ_ERRORS as exc:
            self.load_failed.emit(error_text(exc))
            return
        self.beginResetModel()
        self.root = root
        self.statuses = statuses
        self.endResetModel()

    def _build(
        self, session: Session, loaded: dict[Hashable, int], data: OwnerTreeData | None
    ) -> tuple[TreeItem, dict[int, StatusInfo]]:
        if data is None:
            data = owner_tree(session, actor_id=self.context.actor_id)
        root = TreeItem("root")
        for owner in data.owners:
            user = root.add(TreeItem("user", ("user", owner.id), owner))
            for status in data.statuses:
                count = owner.counts.get(status.id, 0)
                if count == 0:
                    continue
                state = StatusState(info=status, owner=owner, count=count)
                node = user.add(TreeItem("status", ("status", owner.id, status.id), state))
                keep = min(loaded.get(node.key, 0), RELOAD_CAP)
                if keep:
                    self._load_leads(session, node, max(keep, PAGE_SIZE))
                    state.exhausted = state.exhausted or len(node.children) >= count
        self.search_truncated = False
        return root, {s.id: s for s in data.statuses}

    def _build_search(self, session: Session) -> tuple[TreeItem, dict[int, StatusInfo]]:
        result = search_owner_tree(session, actor_id=self.context.actor_id, text=self.search)
        root = TreeItem("root")
        for owner in result.tree.owners:
            user = root.add(TreeItem("user", ("user", owner.id), owner))
            for status in result.tree.statuses:
                leads = result.leads.get((owner.id, status.id), [])
                if not leads:
                    continue
                state = StatusState(info=status, owner=owner, count=len(leads), exhausted=True)
                node = user.add(TreeItem("status", ("status", owner.id, status.id), state))
                node.extend([TreeItem("lead", ("lead", lead.id), lead) for lead in leads])
        self.search_truncated = result.truncated
        return root, {s.id: s for s in result.tree.statuses}

    def set_search(self, text: str) -> None:
        self.search = text.strip()
        # A different filter means different leads: do not carry loaded pages over.
        self.beginResetModel()
        self.root = TreeItem("root")
        self.endResetModel()
        self.reload()

    def _load_leads(self, session: Session, node: TreeItem, limit: int) -> list[TreeItem]:
        state: StatusState = node.payload
        rows = lead_page(
            session,
            actor_id=self.context.actor_id,
            owner_id=state.owner.id,
            status_id=state.info.id,
            after_id=state.last_id,
            limit=limit,
        )
        items = [TreeItem("lead", ("lead", row.id), row) for row in rows]
        node.extend(items)
        if rows:
            state.last_id = rows[-1].id
        state.exhausted = len(rows) < limit
        return items

    def canFetchMore(self, parent: Index) -> bool:
        item = self.item(parent)
        return (
            item.kind == "status" and not item.payload.exhausted and item.key not in self._cooling
        )

    def fetchMore(self, parent: Index) -> None:
        item = self.item(parent)
        if item.kind != "status" or item.payload.exhausted:
            return
        state: StatusState = item.payload
        saved = (state.last_id, state.exhausted)
        # Read into a scratch node: rows enter the model only inside begin/endInsertRows.
        scratch = TreeItem("status", item.key, state)
        try:
            with self.context.database.read() as session:
                items = self._load_leads(session, scratch, PAGE_SIZE)
        except READ_ERRORS as exc:
            state.last_id, state.exhausted = saved[0], True
            self.load_failed.emit(error_text(exc))
            return
        if not items:
            return
        first = len(item.children)
        self.beginInsertRows(self._index_of(item), first, first + len(items) - 1)
        item.extend(items)
        self.endInsertRows()
        # QTreeView asks again and again while laying out an expanded node; one page per
        # event-loop turn keeps expanding a 50,000-lead status at one query. Scrolling to
        # the bottom asks for the next page.
        self._cooling.add(item.key)
        QTimer.singleShot(0, self, lambda key=item.key: self._cooling.discard(key))
        state.exhausted = state.exhausted or len(item.children) >= state.count

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
        return _LEAD_FLAGS if self.item(index).kind == "lead" else _NODE_FLAGS

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
        whole = [i for i in items if i.kind == "user"] or [i for i in items if i.kind == "status"]
        if whole:
            return self._whole_source(whole[0])
        leads = [i for i in items if i.kind == "lead"]
        if not leads:
            return None
        owners = sorted({lead.parent.payload.owner.name for lead in leads if lead.parent})
        places = frozenset(
            Target.user(lead.parent.payload.owner.id) for lead in leads if lead.parent
        )
        refs = tuple(LeadRef(i.payload.id, i.payload.version) for i in leads)
        if len(leads) == 1:
            label = f"lead “{leads[0].payload.name}” of {owners[0]}"
            title = leads[0].payload.name
        else:
            label = f"{len(leads)} selected leads of {', '.join(owners)}"
            title = count_phrase(len(leads))
        return PassSource(
            SourceKind.LEADS,
            leads=refs,
            label=label,
            lead_count=len(leads),
            title=title,
            places=places,
        )

    def _whole_source(self, item: TreeItem) -> PassSource:
        if item.kind == "user":
            owner: OwnerSummary = item.payload
            return PassSource(
                SourceKind.USER,
                user_id=owner.id,
                label=f"all leads of {owner.name}",
                lead_count=owner.total,
                title=f"All of {owner.name} ({count_phrase(owner.total)})",
                places=frozenset({Target.user(owner.id)}),
            )
        state: StatusState = item.payload
        return PassSource(
            SourceKind.STATUS,
            user_id=state.owner.id,
            status_id=state.info.id,
            label=f"the {state.info.name} leads of {state.owner.name}",
            lead_count=state.count,
            title=f"{state.info.name} of {state.owner.name} ({count_phrase(state.count)})",
            places=frozenset({Target.user(state.owner.id)}),
        )

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
            if user.payload.name == owner_name:
                for status in user.children:
                    if status.payload.info.name == status_name:
                        return self._index_of(status)
        return QModelIndex()

    def find_user_index(self, owner_name: str) -> QModelIndex:
        for user in self.root.children:
            if user.payload.name == owner_name:
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
