"""File > Import leads...: pick a CSV file (LeadDesk's own, or another CRM's export), map
its columns and status values, see the first rows as they will be imported, check, import.

The file and LeadDesk's statuses are read on the runner's read lane (``runner.query``);
checking is a dry run of the same import the command line does; nothing is written until
the person presses Import, and then only if the whole file is valid (or "skip invalid rows"
is ticked). The mapping is remembered per source system for the next file from it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.data_io.crm_profiles import PROFILES
from leaddesk.data_io.import_report import import_report_lines
from leaddesk.data_io.import_survey import ImportSurvey, preview_leads, survey_file
from leaddesk.data_io.lead_import import (
    ImportOptions,
    LeadImportReport,
    OnDuplicate,
    import_leads,
)
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.settings import app_settings
from leaddesk.ui.data.import_mapping import (
    ColumnMappingTable,
    OwnerMappingTable,
    StatusMappingTable,
    fill_preview,
    preview_table,
)

MAX_SHOWN_PROBLEMS = 500
AUTO = "auto"
DUPLICATE_CHOICES = {
    OnDuplicate.ERROR: "Stop and list them",
    OnDuplicate.SKIP: "Skip them",
    OnDuplicate.UPDATE: "Update their details and status",
}


def _remembered_key(source: str, part: str) -> str:
    return f"import/{source}/{part}"


class ImportDialog(QDialog):
    """``ImportDialog(context, parent)``: object name ``importDialog``."""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.data: bytes | None = None
        self.survey: ImportSurvey | None = None
        self._status_header: str | None = None
        self._owner_header: str | None = None
        self.last_report: LeadImportReport | None = None
        self._loaded_path = ""
        self.setObjectName("importDialog")
        self.setWindowTitle("Import leads")
        self.resize(1100, 800)

        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("importFileEdit")
        self.file_edit.setPlaceholderText("A .csv file: a LeadDesk export or another CRM's")
        self.file_edit.editingFinished.connect(self._path_typed)
        browse = QPushButton("&Browse…")
        browse.setObjectName("importBrowseButton")
        browse.clicked.connect(self._browse)
        self.source_combo = QComboBox()
        self.source_combo.setObjectName("importSourceCombo")
        self.source_combo.addItem("Recognise it", AUTO)
        for profile in PROFILES.values():
            self.source_combo.addItem(profile.label, profile.key)
        self.source_combo.currentIndexChanged.connect(self._source_chosen)
        top = QGridLayout()
        top.addWidget(QLabel("&File:", buddy=self.file_edit), 0, 0)
        top.addWidget(self.file_edit, 0, 1)
        top.addWidget(browse, 0, 2)
        top.addWidget(QLabel("F&rom:", buddy=self.source_combo), 1, 0)
        top.addWidget(self.source_combo, 1, 1, 1, 2)
        self.info_label = QLabel("")
        self.info_label.setObjectName("importInfoLabel")
        self.info_label.setWordWrap(True)

        self.columns = ColumnMappingTable()
        self.columns.changed.connect(self._columns_changed)
        self.statuses = StatusMappingTable()
        self.statuses.changed.connect(self._mapping_changed)
        self.owners = OwnerMappingTable()
        self.owners.changed.connect(self._mapping_changed)
        self.preview = preview_table()
        self.preview.setAccessibleName("Preview of the first rows")
        self.columns.setAccessibleName("Columns and the LeadDesk field each fills")
        self.statuses.setAccessibleName("Status values found in the file")
        self.owners.setAccessibleName("Owners no LeadDesk user has")
        mapping_split = QSplitter()
        mapping_split.addWidget(
            self._boxed("Columns: which LeadDesk field each one fills", self.columns)
        )
        values_split = QSplitter(Qt.Orientation.Vertical)
        values_split.addWidget(self._boxed("Status values found in the file", self.statuses))
        values_split.addWidget(self._boxed("Owners no LeadDesk user has", self.owners))
        mapping_split.addWidget(values_split)
        values_split.setSizes([180, 120])
        mapping_split.setSizes([480, 560])

        self.fallback_combo = QComboBox()
        self.fallback_combo.setObjectName("ownerFallbackCombo")
        self.fallback_combo.setAccessibleName("Unknown or inactive owner")
        self.fallback_combo.currentIndexChanged.connect(self._mapping_changed)
        self.duplicate_combo = QComboBox()
        self.duplicate_combo.setObjectName("onDuplicateCombo")
        self.duplicate_combo.setAccessibleName("Leads already in LeadDesk")
        for choice, label in DUPLICATE_CHOICES.items():
            self.duplicate_combo.addItem(label, choice.value)
        self.duplicate_combo.currentIndexChanged.connect(self._mapping_changed)
        self.update_owner = QCheckBox("…and give them the file's owner")
        self.update_owner.setObjectName("updateOwnerCheck")
        self.skip_invalid = QCheckBox("Skip invalid rows (import the valid ones)")
        self.skip_invalid.setObjectName("skipInvalidCheck")
        options = QGridLayout()
        options.addWidget(QLabel("Unknown or inactive owner:"), 0, 0)
        options.addWidget(self.fallback_combo, 0, 1)
        options.addWidget(self.skip_invalid, 0, 2)
        options.addWidget(QLabel("Leads already in LeadDesk:"), 1, 0)
        options.addWidget(self.duplicate_combo, 1, 1)
        options.addWidget(self.update_owner, 1, 2)

        self.report_edit = QPlainTextEdit()
        self.report_edit.setObjectName("importReport")
        self.report_edit.setAccessibleName("Import report")
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

        layout = QVBoxLayout(self)
        self.permission_label = QLabel(
            "Only administrators can import leads. You can still open and check a file here."
        )
        self.permission_label.setObjectName("importPermissionLabel")
        self.permission_label.setVisible(not context.is_admin)
        layout.addWidget(self.permission_label)
        layout.addLayout(top)
        layout.addWidget(self.info_label)
        layout.addWidget(mapping_split, 3)
        layout.addWidget(self._boxed("The first rows as they will be imported", self.preview), 2)
        layout.addLayout(options)
        layout.addWidget(self.report_edit, 1)
        layout.addWidget(buttons)
        # Buttons wait for the runner: one write at a time per window.
        context.runner.busy_changed.connect(self._update_buttons)
        self._update_buttons()

    @staticmethod
    def _boxed(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        inner = QHBoxLayout(box)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.addWidget(widget)
        return box

    # -- choosing and reading the file ---------------------------------------------------------

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
        """Read the file's bytes, then survey it on the read lane (``survey`` is set after)."""
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
        self._survey()
        return True

    def _source_chosen(self) -> None:
        if self.data is not None:
            self._survey()

    def _survey(self) -> None:
        data, source = self.data, self.source_combo.currentData()
        self.survey = None
        self.last_report = None
        self.info_label.setText("Reading the file…")
        self._update_buttons()
        # A newer file (or source) chosen before the answer came drops the older answer.
        self.context.runner.query(
            lambda session: survey_file(session, data, source),
            self._show_survey,
            on_error=self._show_error,
            key=f"import-survey-{id(self)}",
            receiver=self,
        )

    def _show_survey(self, survey: ImportSurvey) -> None:
        self.survey = survey
        profile = PROFILES[survey.profile_key]
        separator = {",": "commas", ";": "semicolons", "\t": "tabs"}.get(survey.delimiter, "?")
        self.info_label.setText(
            f"{Path(self._loaded_path).name}: {survey.total_rows:,} row(s), {survey.encoding}, "
            f"separated by {separator}. {survey.detected or f'Read as a {profile.label} export.'}"
        )
        remembered_columns = self._remembered(survey.profile_key, "columns")
        mapping = dict(survey.mapping)
        for header, field_name in remembered_columns.items():
            if header in survey.headers:
                mapping = {f: h for f, h in mapping.items() if h != header and f != field_name}
                if field_name:
                    mapping[field_name] = header
        samples = survey.preview[0] if survey.preview else [""] * len(survey.headers)
        self.columns.blockSignals(True)
        self.columns.set_columns(survey.headers, samples, mapping)
        self.columns.blockSignals(False)
        self._status_header = self._owner_header = None
        self.statuses.set_values(Counter(), [], {})
        self.owners.set_values(Counter(), [], {})
        self.fallback_combo.blockSignals(True)
        self.fallback_combo.clear()
        self.fallback_combo.addItem("Refuse the row", None)
        for office in survey.offices:
            self.fallback_combo.addItem(f"Leads to be Assigned: {office}", office)
        self.fallback_combo.blockSignals(False)
        self._columns_changed()
        problems = "\n".join(survey.problems)
        self.report_edit.setPlainText(problems or "Press Check to validate the whole file.")

    def _columns_changed(self) -> None:
        """The status column may be another one now: list its values again."""
        if self.survey is None:
            return
        header = self.columns.mapping().get("status")
        if header != self._status_header or not self.statuses.combos:
            self._status_header = header
            values = self.survey.values.get(header) if header else None
            # Choices made in this dialog win over the ones remembered from earlier files.
            chosen = {**self._remembered(self.survey.profile_key, "statuses")}
            chosen.update(self.statuses.status_map())
            self.statuses.blockSignals(True)
            self.statuses.set_values(values or Counter(), self.survey.statuses, chosen)
            self.statuses.blockSignals(False)
        owner_header = self.columns.mapping().get("owner")
        if owner_header != self._owner_header:
            self._owner_header = owner_header
            chosen = {**self._remembered(self.survey.profile_key, "owners")}
            chosen.update(self.owners.owner_map())
            self.owners.set_values(
                self.survey.unknown_owners(owner_header), self.survey.users, chosen
            )
        self._mapping_changed()

    def _mapping_changed(self, *_args: object) -> None:
        self.last_report = None
        if self.survey is not None:
            rows = preview_leads(
                self.survey,
                self.columns.mapping(),
                self.statuses.status_map(),
                owner_map=self.owners.owner_map(),
                fallback_office=self.fallback_combo.currentData(),
            )
            fill_preview(self.preview, rows)
        self._update_buttons()

    # -- what the person chose ------------------------------------------------------------

    def mapping(self) -> dict[str, str]:
        return self.columns.mapping()

    def options(self) -> ImportOptions:
        assert self.survey is not None
        status_map = self.statuses.status_map()
        return ImportOptions(
            source=self.survey.profile_key,
            mapping=self.columns.mapping(),
            status_map=status_map,
            owner_map=self.owners.owner_map(),
            create_statuses=bool(self.statuses.new_statuses(self.survey.statuses)),
            owner_fallback_office=self.fallback_combo.currentData(),
            on_duplicate=OnDuplicate(self.duplicate_combo.currentData()),
            update_owner=self.update_owner.isChecked()
            and self.duplicate_combo.currentData() == OnDuplicate.UPDATE.value,
        )

    def _remembered(self, source: str, part: str) -> dict[str, str]:
        text = app_settings().value(_remembered_key(source, part), "")
        try:
            value = json.loads(str(text)) if text else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def _remember(self) -> None:
        assert self.survey is not None
        settings = app_settings()
        chosen = {header: combo.currentData() for header, combo in self.columns.combos.items()}
        settings.setValue(_remembered_key(self.survey.profile_key, "columns"), json.dumps(chosen))
        for part, chosen_now in (
            ("statuses", self.statuses.status_map()),
            ("owners", self.owners.owner_map()),
        ):
            merged = {**self._remembered(self.survey.profile_key, part), **chosen_now}
            settings.setValue(_remembered_key(self.survey.profile_key, part), json.dumps(merged))
        settings.sync()

    def _update_buttons(self, *_busy: object) -> None:
        ready = self.survey is not None and not self.context.runner.busy
        self.check_button.setEnabled(ready)
        self.import_button.setEnabled(ready and self.context.is_admin)

    # -- checking and importing -------------------------------------------------------------

    def check(self) -> None:
        self._run(dry_run=True)

    def start_import(self) -> None:
        self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        if self.data is None or self.survey is None:
            return
        unchosen = self.statuses.unchosen()
        if unchosen:
            self.report_edit.setPlainText(
                "Choose a LeadDesk status for every status value of the file: "
                + ", ".join(f"“{value or '(empty)'}”" for value in unchosen)
                + "."
            )
            return
        data, options = self.data, self.options()
        skip, actor = self.skip_invalid.isChecked(), self.context.actor_id
        name = Path(self._loaded_path).name

        def work(session: Session) -> LeadImportReport:
            return import_leads(
                session,
                actor_id=actor,
                data=data,
                source_name=name,
                options=options,
                dry_run=dry_run,
                skip_invalid=skip,
            )

        if not dry_run:
            self._remember()
        self.report_edit.setPlainText("Checking…" if dry_run else "Importing…")
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.context.runner.run(
            work, on_success=self._show_report, on_error=self._show_error, write=not dry_run
        )

    def _show_report(self, report: LeadImportReport) -> None:
        self.last_report = report
        lines = import_report_lines(report, max_problems=MAX_SHOWN_PROBLEMS, with_mapping=False)
        self.report_edit.setPlainText("\n".join(lines))
        self._update_buttons()

    def _show_error(self, message: str, _exc: BaseException) -> None:
        self.report_edit.setPlainText(message)
        if self.survey is None:
            self.info_label.setText("The file could not be read.")
        self._update_buttons()
