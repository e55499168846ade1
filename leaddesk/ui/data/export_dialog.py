"""File > Export...: leads (optionally one owner / one status) or the pass history to CSV.

The file is UTF-8 with BOM, CRLF, minimal quoting: Excel and LibreOffice open it directly.
Everyone may export what they may see; the export runs on the operation runner (read only).
"""

from __future__ import annotations

from datetime import datetime, time

import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.data_io.export import export_choices, export_history, export_leads
from leaddesk.ui.common.context import WindowContext


class ExportDialog(QDialog):
    """``ExportDialog(context, parent)``: object name ``exportDialog``."""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export to CSV")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("exportKindCombo")
        self.kind_combo.addItem("Leads", "leads")
        self.kind_combo.addItem("Pass history", "history")
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.owner_combo = QComboBox()
        self.owner_combo.setObjectName("exportOwnerCombo")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("exportStatusCombo")
        self.since_check = QCheckBox("only passes since")
        self.since_check.setObjectName("exportSinceCheck")
        self.since_edit = QDateEdit(QDate.currentDate().addMonths(-1))
        self.since_edit.setObjectName("exportSinceEdit")
        self.since_edit.setAccessibleName("History since")
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("exportFileEdit")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_check)
        since_row.addWidget(self.since_edit, 1)
        form = QFormLayout()
        form.addRow("&Export:", self.kind_combo)
        form.addRow("&Owner:", self.owner_combo)
        form.addRow("&Status:", self.status_combo)
        form.addRow("History:", since_row)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.file_edit)
        form.addRow(file_label, file_row)
        self.result_label = QLabel("")
        self.result_label.setObjectName("exportResultLabel")
        self.result_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("E&xport")
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self.export)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self._load_choices()
        self._kind_changed()

    @property
    def loading(self) -> bool:
        """True while the owners and statuses to choose from are being read."""
        return self._loading

    def _load_choices(self) -> None:
        """Fill the owner and status choices off the GUI thread; "All" works meanwhile."""
        self.owner_combo.addItem("All I can see", None)
        self.status_combo.addItem("All statuses", None)
        self._loading = True
        for combo in (self.owner_combo, self.status_combo):
            combo.addItem("Loading…", None)
            combo.model().item(1).setEnabled(False)
            combo.setCursor(Qt.CursorShape.BusyCursor)
        actor_id = self.context.actor_id
        self.context.runner.query(
            lambda session: export_choices(session, actor_id=actor_id),
            self._show_choices,
            on_error=self._show_choices_error,
            key=f"export-choices-{id(self)}",
        )

    def _loaded(self) -> None:
        self._loading = False
        for combo in (self.owner_combo, self.status_combo):
            combo.removeItem(1)  # "Loading…"
            combo.unsetCursor()

    def _show_choices(self, choices: tuple[list[tuple[int, str]], list[tuple[int, str]]]) -> None:
        if not shiboken6.isValid(self):
            return
        self._loaded()
        owners, status_names = choices
        for user_id, name in owners:
            self.owner_combo.addItem(name, user_id)
        for status_id, name in status_names:
            self.status_combo.addItem(name, status_id)

    def _show_choices_error(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._loaded()
        self.result_label.setText(message)

    def _kind_changed(self) -> None:
        leads = self.kind_combo.currentData() == "leads"
        self.owner_combo.setEnabled(leads)
        self.status_combo.setEnabled(leads)
        self.since_check.setEnabled(not leads)
        self.since_edit.setEnabled(not leads)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export to CSV", "leads.csv", "CSV files (*.csv)"
        )
        if path:
            self.file_edit.setText(path)

    def export(self) -> None:
        path = self.file_edit.text().strip()
        if not path:
            self.result_label.setText("Choose a file to export to.")
            return
        actor = self.context.actor_id
        kind = self.kind_combo.currentData()
        owner_id, status_id = self.owner_combo.currentData(), self.status_combo.currentData()
        since = (
            datetime.combine(self.since_edit.date().toPython(), time.min)
            if self.since_check.isChecked()
            else None
        )

        def work(session: Session) -> str:
            if kind == "leads":
                count = export_leads(
                    session, actor_id=actor, path=path, owner_id=owner_id, status_id=status_id
                )
                return f"Exported {count:,} lead(s) to {path}."
            count = export_history(session, actor_id=actor, path=path, since=since)
            return f"Exported {count:,} history row(s) to {path}."

        self.export_button.setEnabled(False)
        self.result_label.setText("Exporting…")
        self.context.runner.run(
            work,
            on_success=self._done,
            on_error=lambda message, _exc: self._done(message),
            write=False,
        )

    def _done(self, message: object) -> None:
        self.result_label.setText(str(message))
        self.export_button.setEnabled(True)
