"""The Leads to be Assigned tree: buckets (offices, pass groups) -> the leads waiting in them.

Read-only for the view: dragging leads out produces a ``BUCKET_LEADS`` pass source carrying
the versions the actor saw; the drop target turns it into an assignment through the
controller and this model is refilled from the database afterwards. ``removeRows`` refuses,
so a view that finished a MoveAction never deletes rows on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle

from leaddesk.reassignment.drop_rules import count_phrase
from leaddesk.reassignment.requests import LeadRef, Target, TargetKind
from leaddesk.store.clock import utc_now
from leaddesk.store.waiting import duration_text, is_overdue, limit_text
from leaddesk.ui.common.icons import group_icon, lead_icon, office_icon, status_icon
from leaddesk.ui.common.time_format import local_time
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource, SourceKind

if TYPE_CHECKING:
    from leaddesk.store.queries import BucketLeads, LeadRow

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ["Lead", "Company", "Status", "Waiting since", "Waited"]
WAITED_COLUMN = 4
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 4
# Overdue rows: a translucent amber over the row's own background, so the palette's text
# colour stays readable in light and dark palettes alike.
OVERDUE_BACKGROUND = QColor(255, 160, 0, 70)
# How often the waited times (and who is overdue) are recomputed; no database read.
TICK_MS = 60_000
LEAD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
VERSION_ROLE = Qt.ItemDataRole.UserRole + 2
BUCKET_KEY_ROLE = Qt.ItemDataRole.UserRole + 3  # ("office" | "group", id)

# internalId of a bucket row; a lead row stores its bucket's row + 1.
_BUCKET_ID = 0


def bucket_title(bucket: BucketLeads) -> str:
    return f"{'Office' if bucket.kind == 'office' else 'Pass group'}: {bucket.name}"


class BucketModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._buckets: list[BucketLeads] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._now = utc_now()
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.tick)
        self._tick.start()

    def tick(self, now: datetime | None = None) -> None:
        """Time passed: waited times grow and leads may become overdue."""
        self._now = now or utc_now()
        for row in range(len(self._buckets)):
            parent = self.index(row, 0)
            self.dataChanged.emit(parent, self.index(row, WAITED_COLUMN))
            last = self.rowCount(parent) - 1
            if last >= 0:
                self.dataChanged.emit(
                    self.index(0, 0, parent), self.index(last, WAITED_COLUMN, parent)
                )

    def is_overdue(self, bucket: BucketLeads, lead: LeadRow) -> bool:
        return is_overdue(lead.updated_at, bucket.waiting_limit_minutes, self._now)

    def overdue_count(self, bucket: BucketLeads) -> int:
        return sum(self.is_overdue(bucket, lead) for lead in bucket.leads)

    # -- data in -------------------------------------------------------------------------

    def set_buckets(self, buckets: list[BucketLeads]) -> None:
        """Replace everything with a fresh read; the view restores expansion and selection."""
        self.beginResetModel()
        self._buckets = list(buckets)
        self._now = utc_now()
        self.endResetModel()

    @property
    def buckets(self) -> list[BucketLeads]:
        return list(self._buckets)

    def total_waiting(self) -> int:
        return sum(len(bucket.leads) for bucket in self._buckets)

    # -- lookups -------------------------------------------------------------------------

    def bucket_at(self, index: Index) -> BucketLeads | None:
        """The bucket of a bucket row or of a lead row."""
        if not index.isValid():
            return None
        if index.internalId() == _BUCKET_ID:
            return self._buckets[index.row()]
        return self._buckets[index.internalId() - 1]

    def lead_at(self, index: Index) -> LeadRow | None:
        if not index.isValid() or index.internalId() == _BUCKET_ID:
            return None
        return self._buckets[index.internalId() - 1].leads[index.row()]

    def bucket_index(self, key: tuple[str, int]) -> QModelIndex:
        for row, bucket in enumerate(self._buckets):
            if (bucket.kind, bucket.id) == key:
                return self.index(row, 0)
        return QModelIndex()

    def lead_index(self, lead_id: int) -> QModelIndex:
        for bucket_row, bucket in enumerate(self._buckets):
            for row, lead in enumerate(bucket.leads):
                if lead.id == lead_id:
                    return self.createIndex(row, 0, bucket_row + 1)
        return QModelIndex()

    # -- structure -----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _BUCKET_ID)
        if parent.internalId() != _BUCKET_ID:
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _BUCKET_ID:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _BUCKET_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._buckets)
        if parent.column() != 0 or parent.internalId() != _BUCKET_ID:
            return 0
        return len(self._buckets[parent.row()].leads)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        lead = self.lead_at(index)
        if lead is None:
            return self._bucket_data(self._buckets[index.row()], index.column(), role)
        bucket = self._buckets[index.internalId() - 1]
        if role in (Qt.ItemDataRole.BackgroundRole, OVERDUE_ROLE) or (
            index.column() == WAITED_COLUMN
        ):
            return self._waiting_data(bucket, lead, index.column(), role)
        return self._lead_data(lead, index.column(), role)

    def _waiting_data(self, bucket: BucketLeads, lead: LeadRow, column: int, role: int) -> object:
        overdue = self.is_overdue(bucket, lead)
        if role == OVERDUE_ROLE:
            return overdue
        if role == Qt.ItemDataRole.BackgroundRole:
            return OVERDUE_BACKGROUND if overdue else None
        waited = duration_text(self._now - lead.updated_at)
        limit = limit_text(bucket.waiting_limit_minutes)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{waited}, overdue" if overdue else waited
        if role == Qt.ItemDataRole.FontRole and overdue:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and overdue:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            if bucket.waiting_limit_minutes is None:
                return f"Waited {waited}; {bucket.name} has no waiting limit."
            state = "over" if overdue else "within"
            return f"Waited {waited}: {state} the {limit} limit of {bucket.name}."
        return None

    def _bucket_data(self, bucket: BucketLeads, column: int, role: int) -> object:
        waiting = len(bucket.leads)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return bucket_title(bucket)
            if column == 1:
                return f"{waiting} waiting" if waiting else "empty"
            if column == WAITED_COLUMN and bucket.waiting_limit_minutes is not None:
                overdue = self.overdue_count(bucket)
                limit = limit_text(bucket.waiting_limit_minutes)
                return f"{overdue} overdue (limit {limit})" if overdue else f"limit {limit}"
            return None
        if role == Qt.ItemDataRole.FontRole and column == 0:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return office_icon() if bucket.kind == "office" else group_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            who = "office managers" if bucket.kind == "office" else "members"
            return f"Leads waiting for an owner; the {who} of {bucket.name} assign them."
        if role == BUCKET_KEY_ROLE:
            return (bucket.kind, bucket.id)
        return None

    def _lead_data(self, lead: LeadRow, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return (lead.name, lead.company, lead.status, local_time(lead.updated_at))[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return lead_icon(lead.status)
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return status_icon(lead.status)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{lead.name} ({lead.company}): double-click to open, drag onto a user to assign"
        if role == LEAD_ID_ROLE:
            return lead.id
        if role == VERSION_ROLE:
            return lead.version
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.lead_at(index) is not None:
            return base | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren
        return base

    # -- drag ----------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [PASS_SOURCE_MIME_TYPE]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.IgnoreAction

    def pass_source(self, indexes: list[QModelIndex]) -> PassSource | None:
        """The dragged leads (a bucket row stands for nothing; only leads are assigned)."""
        refs: dict[int, LeadRef] = {}
        names: list[str] = []
        places: set[str] = set()
        where_now: set[Target] = set()
        for index in indexes:
            lead = self.lead_at(index)
            if lead is None or lead.id in refs:
                continue
            refs[lead.id] = LeadRef(lead.id, lead.version)
            names.append(lead.name)
            bucket = self.bucket_at(index)
            if bucket is not None:
                places.add(bucket.name)
                where_now.add(Target(TargetKind(bucket.kind), bucket.id))
        if not refs:
            return None
        count = len(refs)
        what = f"“{names[0]}”" if count == 1 else f"{count} leads"
        where = next(iter(places)) if len(places) == 1 else "several buckets"
        return PassSource(
            kind=SourceKind.BUCKET_LEADS,
            leads=tuple(refs.values()),
            label=f"{what} from Leads to be Assigned ({where})",
            lead_count=count,
            title=names[0] if count == 1 else count_phrase(count),
            places=frozenset(where_now),
        )

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        source = self.pass_source(indexes)
        if source is None:
            return None
        mime = QMimeData()
        mime.setData(PASS_SOURCE_MIME_TYPE, source.encode())
        mime.setText(source.label)
        return mime

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        # Leads go into a bucket by passing them (target pane, Pass Lead tab), not by
        # dropping onto this tree.
        return False

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        return False

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return False
