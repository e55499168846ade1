"""File > Import leads...: pick a CSV file, preview it, map its columns, check, import.

Checking is a dry run of the same import the command line does; nothing is written until
the person presses Import, and then only if the whole file is valid (or "skip invalid rows"
is ticked). The import runs on the operation runner, so open views refresh afterwards.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.data_io.csv_text import read_table
from leaddesk.data_io.lead_import import LEAD_FIELDS, LeadImportReport, column_mapping, import_leads
from leaddesk.ui.common.context import WindowContext

PREVIEW_ROWS = 10
NOT_IN_FILE = "(not in the file)"
MAX_SHOWN_PROBLEMS = 500
FIELD_LABELS = {
    "name": "Lead name *",
    "company": "Company",
    "email": "Email",
    "phone": "Phone",
    "status": "Status *",
    "owner": "Owner (name or email)",
    "office": "Office bucket",
    "pass_group": "Pass group bucket",
}


class ImportDialog(QDialog):
    """``ImportDialog(context, parent)``: object name ``importDialog``."""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.data: bytes | None = None
        self.headers: list[str] = []
        self.last_report: LeadImportReport | None = None
        self._loaded_path = ""
        self.setObjectName("importDialog")
        self.setWindowTitle("Import leads")
        self.resize(860, 640)

        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("importFileEdit")
        self.file_edit.setPlaceholderText("A .csv file (UTF-8 or what Excel saves)")
        self.file_edit.editingFinished.connect(self._path_typed)
        browse = QPushButton("&Browse…")
        browse.setObjectName("importBrowseButton")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_label = QLabel("&File:")
        file_label.setBuddy(self.file_edit)
        file_row.addWidget(file_label)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)

        self.info_label = QLabel("")
        self.info_label.setObjectName("importInfoLabel")
        self.preview = QTableWidget(0, 0)
        self.preview.setObjectName("importPreviewTable")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        mapping_box = QGroupBox("Columns (* required; each row needs an owner, office or group)")
        mapping_form = QFormLayout(mapping_box)
        self.mapping_combos: dict[str, QComboBox] = {}
        for field in LEAD_FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"mapping_{field}")
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.mapping_combos[field] = combo
            mapping_form.addRow(FIELD_LABELS[field] + ":", combo)

        self.skip_invalid = QCheckBox("Skip invalid rows (import the valid ones)")
        self.skip_invalid.setObjectName("skipInvalidCheck")
        self.report_edit = QPlainTextEdit()
        self.report_edit.setObjectName("importReport")
        self.report_edit.setReadOnly(True)
        self.check_button = QPushButton("&Check")
        self.check_button.setObjectName("checkImportButton")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.start_import)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        middle = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.info_label)
        left.addWidget(self.preview, 1)
        middle.addLayout(left, 3)
        middle.addWidget(mapping_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addLayout(middle, 2)
        layout.addWidget(self.skip_invalid)
        layout.addWidget(QLabel("Report:"))
        layout.addWidget(self.report_edit, 1)
        layout.addWidget(buttons)
        self.permission_label = QLabel(
            "Only administrators can import leads. You can still open and check a file here."
        )
        self.permission_label.setObjectName("importPermissionLabel")
        self.permission_label.setVisible(not context.is_admin)
        layout.insertWidget(0, self.permission_label)
        # Buttons wait for the runner: one write at a time per window.
        context.runner.busy_changed.connect(self._update_buttons)
        self._update_buttons()

    # -- choosing and previewing the file --------------------------------------------------

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import leads", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        if path:
            self.load_file(path)

    def _path_typed(self) -> None:
        # editingFinished also fires on focus loss; reread only when the path changed.
        if self.file_edit.text().strip() != self._loaded_path:
            self.load_file(self.file_edit.text())

    def load_file(self, path: str) -> bool:
        """Read the file, show its first rows and guess the column mapping."""
        path = path.strip()
        if not path:
            return False
        self.file_edit.setText(path)
        try:
            self.data = Path(path).read_bytes()
        except OSError as exc:
            self.data = None
            self.report_edit.setPlainText(f"Cannot read {path}: {exc.strerror or exc}")
            self._update_buttons()
            return False
        self._loaded_path = path
        table = read_table(self.data, limit=PREVIEW_ROWS)
        self.headers = table.headers
        self.preview.clear()
        self.preview.setColumnCount(len(table.headers))
        self.preview.setHorizontalHeaderLabels(table.headers)
        self.preview.setRowCount(len(table.rows))
        for row, (_line, cells) in enumerate(table.rows):
            for column, value in enumerate(cells[: len(table.headers)]):
                self.preview.setItem(row, column, QTableWidgetItem(value))
        separator = {",": "commas", ";": "semicolons", "\t": "tabs"}[table.delimiter]
        self.info_label.setText(
            f"{Path(path).name}: {table.encoding}, separated by {separator}; "
            f"first {len(table.rows)} row(s):"
        )
        guessed = column_mapping(table.headers)
        for field, combo in self.mapping_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IN_FILE, None)
            for header in table.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(combo.findData(guessed.get(field)), 0))
            combo.blockSignals(False)
        problems = "\n".join(str(p) for p in table.problems)
        self.report_edit.setPlainText(problems or "Press Check to validate the whole file.")
        self.last_report = None
        self._update_buttons()
        return True

    def mapping(self) -> dict[str, str]:
        return {
            field: combo.currentData()
            for field, combo in self.mapping_combos.items()
            if combo.currentData() is not None
        }

    def set_mapping(self, field: str, header: str | None) -> None:
        combo = self.mapping_combos[field]
        combo.setCurrentIndex(max(combo.findData(header), 0))

    def _mapping_changed(self) -> None:
        self.last_report = None
        self._update_buttons()

    def _update_buttons(self, *_busy: object) -> None:
        loaded = self.data is not None
        self.check_button.setEnabled(loaded and not self.context.runner.busy)
        self.import_button.setEnabled(
            loaded and self.context.is_admin and not self.context.runner.busy
        )

    # -- checking and importing -------------------------------------------------------------

    def check(self) -> None:
        self._run(dry_run=True)

    def start_import(self) -> None:
        self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        if self.data is None:
            return
        data, mapping = self.data, self.mapping()
        skip, actor = self.skip_invalid.isChecked(), self.context.actor_id
        name = Path(self._loaded_path).name

        def work(session: Session) -> LeadImportReport:
            return import_leads(
                session,
                actor_id=actor,
                data=data,
                source_name=name,
                mapping=mapping,
                dry_run=dry_run,
                skip_invalid=skip,
            )

        self.report_edit.setPlainText("Checking…" if dry_run else "Importing…")
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.context.runner.run(
            work, on_success=self._show_report, on_error=self._show_error, write=not dry_run
        )

    def _show_report(self, report: LeadImportReport) -> None:
        self.last_report = report
        lines = [report.summary()]
        if report.ignored_columns:
            lines.append(f"Ignored columns: {', '.join(report.ignored_columns)}")
        if report.ok and report.planned:
            lines += [f"  {count:>8,}  {place}" for place, count in report.per_place()]
        lines += [str(p) for p in report.problems[:MAX_SHOWN_PROBLEMS]]
        if len(report.problems) > MAX_SHOWN_PROBLEMS:
            lines.append(f"... and {len(report.problems) - MAX_SHOWN_PROBLEMS:,} more problem(s).")
        self.report_edit.setPlainText("\n".join(lines))
        self._update_buttons()

    def _show_error(self, message: str, _exc: BaseException) -> None:
        self.report_edit.setPlainText(message)
        self._update_buttons()
