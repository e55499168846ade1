"""The import dialog's mapping step: a drop-down per file column (which LeadDesk field it
feeds) and a drop-down per status value found (which status it becomes), and the preview.

The tables are given their data (an :class:`ImportSurvey` read off the GUI thread) and say
``changed`` when the person picks something; they never touch the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from leaddesk.data_io.crm_profiles import FIELD_LABELS, IMPORT_FIELDS
from leaddesk.data_io.import_survey import PREVIEW_HEADERS

IGNORED = "(not imported)"
CHOOSE = "(choose a status)"
NEW_STATUS = "New status “{}”"
UNKNOWN_OWNER = "(unknown: see below)"


def _set_up(table: QTableWidget, name: str, headers: list[str], stretch: int) -> None:
    """Read-only rows, no row numbers, one line per cell; column ``stretch`` takes the room."""
    table.setObjectName(name)
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch < 0:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class ColumnMappingTable(QTableWidget):
    """One row per file column: its name, a sample value, and a drop-down of fields."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _set_up(self, "columnMappingTable", ["File column", "First value", "LeadDesk field"], 1)
        self.combos: dict[str, QComboBox] = {}

    def set_columns(
        self, headers: list[str], samples: list[str], mapping: Mapping[str, str]
    ) -> None:
        """``mapping`` is field -> header, the starting choice."""
        fields_of = {header: name for name, header in mapping.items()}
        self.combos = {}
        self.setRowCount(0)
        for row, header in enumerate(h for h in headers if h):
            self.insertRow(row)
            self.setItem(row, 0, QTableWidgetItem(header))
            self.setItem(row, 1, QTableWidgetItem(samples[headers.index(header)]))
            combo = QComboBox(self)
            combo.setObjectName(f"column_{header}")
            combo.addItem(IGNORED, None)
            for name in IMPORT_FIELDS:
                combo.addItem(FIELD_LABELS[name], name)
            combo.setCurrentIndex(max(combo.findData(fields_of.get(header)), 0))
            combo.currentIndexChanged.connect(lambda _i, h=header: self._picked(h))
            self.setCellWidget(row, 2, combo)
            self.combos[header] = combo

    def choose(self, header: str, field_name: str | None) -> None:
        combo = self.combos[header]
        combo.setCurrentIndex(max(combo.findData(field_name), 0))

    def mapping(self) -> dict[str, str]:
        """field -> header for every column that feeds a field."""
        return {
            combo.currentData(): header
            for header, combo in self.combos.items()
            if combo.currentData() is not None
        }

    def _picked(self, header: str) -> None:
        chosen = self.combos[header].currentData()
        if chosen is not None:
            # One column per field: the column that had it before lets it go.
            for other, combo in self.combos.items():
                if other != header and combo.currentData() == chosen:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        self.changed.emit()


class StatusMappingTable(QTableWidget):
    """One row per status value found in the file: the value, how many rows, the status."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _set_up(self, "statusMappingTable", ["Value in the file", "Rows", "LeadDesk status"], 0)
        self.combos: dict[str, QComboBox] = {}

    def set_values(
        self, values: Counter[str], statuses: list[str], remembered: Mapping[str, str]
    ) -> None:
        known = {name.lower(): name for name in statuses}
        self.combos = {}
        self.setRowCount(0)
        for row, (value, count) in enumerate(values.most_common()):
            self.insertRow(row)
            self.setItem(row, 0, QTableWidgetItem(value or "(empty)"))
            self.setItem(row, 1, QTableWidgetItem(f"{count:,}"))
            combo = QComboBox(self)
            combo.setObjectName(f"status_{value}")
            combo.addItem(CHOOSE, None)
            for name in statuses:
                combo.addItem(name, name)
            if value and value.lower() not in known:
                combo.addItem(NEW_STATUS.format(value), value)
            wanted = remembered.get(value) or known.get(value.lower())
            combo.setCurrentIndex(max(combo.findData(wanted), 0))
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            self.setCellWidget(row, 2, combo)
            self.combos[value] = combo

    def choose(self, value: str, status: str | None) -> None:
        combo = self.combos[value]
        combo.setCurrentIndex(max(combo.findData(status), 0))

    def status_map(self) -> dict[str, str]:
        return {
            value: combo.currentData()
            for value, combo in self.combos.items()
            if combo.currentData() is not None
        }

    def unchosen(self) -> list[str]:
        return [value for value, combo in self.combos.items() if combo.currentData() is None]

    def new_statuses(self, existing: list[str]) -> list[str]:
        known = {name.lower() for name in existing}
        return sorted({s for s in self.status_map().values() if s.lower() not in known})


class OwnerMappingTable(QTableWidget):
    """One row per owner value no user has (as email or name): a drop-down of users."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _set_up(self, "ownerMappingTable", ["Owner in the file", "Rows", "LeadDesk user"], 0)
        self.combos: dict[str, QComboBox] = {}

    def set_values(
        self,
        values: Counter[str],
        users: list[tuple[str, str]],
        remembered: Mapping[str, str],
    ) -> None:
        self.combos = {}
        self.setRowCount(0)
        for row, (value, count) in enumerate(values.most_common()):
            self.insertRow(row)
            self.setItem(row, 0, QTableWidgetItem(value))
            self.setItem(row, 1, QTableWidgetItem(f"{count:,}"))
            combo = QComboBox(self)
            combo.setObjectName(f"owner_{value}")
            combo.addItem(UNKNOWN_OWNER, None)
            # Users whose email starts with the value (a login name) come first.
            login = value.lower().split("@")[0]
            ordered = sorted(users, key=lambda user: user[1].split("@")[0].lower() != login)
            for name, email in ordered:
                combo.addItem(f"{name} <{email}>", email)
            combo.setCurrentIndex(max(combo.findData(remembered.get(value)), 0))
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            self.setCellWidget(row, 2, combo)
            self.combos[value] = combo

    def choose(self, value: str, email: str | None) -> None:
        combo = self.combos[value]
        combo.setCurrentIndex(max(combo.findData(email), 0))

    def owner_map(self) -> dict[str, str]:
        return {
            value: combo.currentData()
            for value, combo in self.combos.items()
            if combo.currentData() is not None
        }


def preview_table(parent: QWidget | None = None) -> QTableWidget:
    table = QTableWidget(parent)
    _set_up(table, "importPreviewTable", list(PREVIEW_HEADERS), -1)
    return table


def fill_preview(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
