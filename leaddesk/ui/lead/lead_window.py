"""The lead window: Details, Notes & History, and the Pass Lead tab (pass method 3).

The window only reads and displays; a pass goes through the reassignment controller on the
operation runner, and the window refreshes from the database whenever the runner reports a
change, so it always shows the lead as it is now.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QPalette, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.errors import LeadDeskError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.lead_overview import LeadOverview, read_lead_overview
from leaddesk.reassignment.requests import (
    LeadRef,
    PassMethod,
    PassResult,
    Selection,
    Target,
)
from leaddesk.reassignment.targets import PassTargets
from leaddesk.server.changes import Changes
from leaddesk.store.lead_details import LeadDetails, TimelineEntry, lead_details
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import ask_yes_no, show_outcome
from leaddesk.ui.common.time_format import local_time
from leaddesk.ui.lead.target_choices import LABEL_ROLE, TARGET_ROLE, fill_target_choices
from leaddesk.ui.lead.timeline_tree import HISTORY_COLUMNS, show_placeholder, show_timeline
from leaddesk.ui.passing.note_field import NoteField


class LeadWindow(QDialog):
    """A non-modal window on one lead; several may be open at once."""

    loaded = Signal()  # a read's answer (or its error) is shown

    def __init__(self, context: WindowContext, lead_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.lead_id = lead_id
        self.details: LeadDetails | None = None
        # The version the actor is looking at; a pass carries it so a lead someone else
        # moved meanwhile is refused as a conflict instead of being overwritten.
        self.version_seen: int | None = None
        self._passing = False
        self._loading = False
        # Reads of this window are keyed to it: a newer read drops an older answer.
        self._read_key = f"lead-window-{id(self)}"
        self.setObjectName("leadWindow")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setSizeGripEnabled(True)
        self.resize(720, 520)
        self.setWindowTitle(f"Lead {lead_id} – LeadDesk")  # until the lead is read

        self.title_label = QLabel(self)
        self.title_label.setObjectName("leadTitle")
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label = QLabel(self)
        self.subtitle_label.setObjectName("leadSubtitle")
        _mute(self.subtitle_label)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("leadLoadError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        self.changed_banner = self._build_changed_banner()

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_details_tab(), "Details")
        self.tabs.addTab(self._build_history_tab(), "Notes && History")
        self.tabs.addTab(self._build_pass_tab(), "Pass Lead")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.changed_banner)
        layout.addSpacing(6)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        context.runner.changed.connect(self.refresh)
        self.refresh()

    # -- building ------------------------------------------------------------------------

    def _build_details_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("detailsTab")
        form = QFormLayout(page)
        form.setContentsMargins(12, 14, 12, 12)
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("name", "Name:"),
            ("company", "Company:"),
            ("email", "Email:"),
            ("phone", "Phone:"),
            ("status", "Status:"),
            ("place", "Owner:"),
            ("version", "Version:"),
            ("updated", "Last changed:"),
            ("created", "Created:"),
            ("origin", "Imported from:"),
        ):
            value = QLabel(page)
            value.setObjectName(f"{key}Value")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(label, value)
        self.place_caption = form.labelForField(self.fields["place"])
        self.origin_caption = form.labelForField(self.fields["origin"])
        # Shown only for an imported lead; hidden from the start so the labels do not shift.
        self.fields["origin"].hide()
        self.origin_caption.hide()
        return page

    def _build_history_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("historyTab")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        self.history_tree = QTreeWidget(page)
        self.history_tree.setObjectName("historyTree")
        self.history_tree.setAccessibleName("Notes and history of the lead")
        self.history_tree.setHeaderLabels(HISTORY_COLUMNS)
        self.history_tree.setRootIsDecorated(False)
        # Notes sit on their own full-width line under each pass, not in a narrow column.
        self.history_tree.setIndentation(0)
        self.history_tree.setItemsExpandable(False)
        self.history_tree.setUniformRowHeights(False)
        self.history_tree.setSelectionMode(QTreeWidget.SelectionMode.SingleSelection)
        header = self.history_tree.header()
        header.setStretchLastSection(False)
        for column in range(len(HISTORY_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HISTORY_COLUMNS.index("To"), QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.history_tree)
        return page

    def _build_pass_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("passLeadTab")
        self.pass_intro = QLabel(page)
        self.pass_intro.setWordWrap(True)
        # Two lines kept for it while the lead loads, so the form below does not move.
        self.pass_intro.setMinimumHeight(2 * self.pass_intro.fontMetrics().lineSpacing())

        self.target_combo = QComboBox(page)
        self.target_combo.setObjectName("passTargetCombo")
        self.target_combo.setAccessibleName("Pass to")
        self.target_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.target_combo.setMinimumContentsLength(28)
        self.target_combo.setPlaceholderText("Choose a user, office or pass group")
        self.target_model = QStandardItemModel(self.target_combo)
        self.target_combo.setModel(self.target_model)
        self.target_combo.currentIndexChanged.connect(self._update_pass_state)

        self.target_hint = QLabel(
            "Only users you have manager rights over are listed. From inside a lead you "
            "cannot pass to yourself; use the Lead Management view for that.",
            page,
        )
        self.target_hint.setObjectName("passTargetHint")
        self.target_hint.setWordWrap(True)
        _mute(self.target_hint)

        self.note_field = NoteField(
            "Optional: why this lead is passed. The note is added to the lead and emailed "
            "to the new owner.",
            page,
        )
        self.note_edit = self.note_field.edit
        self.note_field.validity_changed.connect(self._update_pass_state)

        self.pass_button = QPushButton("Pass Lead", page)
        self.pass_button.setObjectName("passButton")
        self.pass_button.setDefault(False)
        self.pass_button.setAutoDefault(False)
        self.pass_button.clicked.connect(self.pass_lead)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Pass &to:", self.target_combo)
        form.addRow("", self.target_hint)
        form.addRow("&Note:", self.note_field)

        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(self.pass_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 14, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self.pass_intro)
        layout.addLayout(form, 1)
        layout.addLayout(button_row)
        return page

    def _build_changed_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("leadChangedBanner")
        banner.setStyleSheet("#leadChangedBanner { background: #fff4d6; border-radius: 4px; }")
        self.changed_label = QLabel(banner)
        self.changed_label.setObjectName("leadChangedLabel")
        self.changed_label.setWordWrap(True)
        reload_button = QPushButton("&Reload", banner)
        reload_button.setObjectName("leadReloadButton")
        reload_button.clicked.connect(self.refresh)
        row = QHBoxLayout(banner)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.changed_label, 1)
        row.addWidget(reload_button)
        banner.hide()
        return banner

    # -- reading -------------------------------------------------------------------------

    def notice_changes(self, changes: Changes) -> None:
        """Someone else committed a change: say so if it moved this lead, offer a reload.

        Where the lead is now is read off the GUI thread; a newer change asks again and the
        older answer is dropped."""
        if not shiboken6.isValid(self) or not changes.touches_lead(self.lead_id):
            return
        lead_id = self.lead_id

        def read(session: Session) -> LeadDetails | None:
            try:
                return lead_details(session, lead_id)
            except LeadDeskError:
                return None  # gone from sight: moved where this person cannot see it

        # An unreachable database says nothing here; the next change or Reload will tell.
        self.context.runner.query(read, self._show_changed, key=f"{self._read_key}-notice")

    def _show_changed(self, now: LeadDetails | None) -> None:
        if not shiboken6.isValid(self):
            return
        if now is not None and now.version == self.version_seen:
            return  # our own pass, already shown
        where = (
            "no longer visible to you"
            if now is None
            else f"now with {now.owner}"
            if now.owner
            else f"now waiting in {now.bucket}"
        )
        self.changed_label.setText(f"Someone else passed or changed this lead: it is {where}.")
        self.changed_banner.show()

    @property
    def loading(self) -> bool:
        """True while a read of the lead is on its way."""
        return self._loading

    def refresh(self) -> None:
        """Re-read the lead, its timeline and the pass targets, off the GUI thread.

        Until the first answer the window says it is loading; a reload keeps what is shown
        and puts a busy cursor on it. Only the newest read's answer is shown."""
        if not shiboken6.isValid(self):
            return
        lead_id, actor_id = self.lead_id, self.context.actor_id
        self._set_loading(True)
        self.context.runner.query(
            lambda session: read_lead_overview(session, lead_id=lead_id, actor_id=actor_id),
            self._show_read,
            on_error=self._show_read_error,
            key=self._read_key,
        )

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if loading:
            self.tabs.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.tabs.unsetCursor()
        if loading and self.details is None:
            self.title_label.setText("Loading lead…")
            self.subtitle_label.setText("Reading the lead from the database.")
            self._show_timeline_placeholder("Loading…")
            self.pass_intro.setText("Loading…")
            self.target_combo.setPlaceholderText("Loading the users, offices and pass groups…")
        elif not loading:
            self.target_combo.setPlaceholderText("Choose a user, office or pass group")
        self._update_pass_state()

    def _show_read(self, read: LeadOverview) -> None:
        if not shiboken6.isValid(self):
            return
        self.error_label.hide()
        self.changed_banner.hide()
        self.details = read.details
        self.version_seen = read.details.version
        self._show_details(read.details)
        self._show_timeline(read.timeline)
        self._fill_targets(read.targets, read.details)
        self._set_loading(False)
        self.loaded.emit()

    def _show_read_error(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.error_label.setText(message)
        self.error_label.show()
        if self.details is None:
            self.title_label.setText(f"Lead {self.lead_id}")
            self.subtitle_label.setText("")
            self._show_timeline_placeholder("")
        self._set_loading(False)
        self.loaded.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        # An answer still on its way has nobody to show it to.
        self.context.runner.forget_reads(self._read_key)
        self.context.runner.forget_reads(f"{self._read_key}-notice")
        super().closeEvent(event)

    def _show_details(self, lead: LeadDetails) -> None:
        self.setWindowTitle(f"{lead.name} – LeadDesk")
        self.title_label.setText(lead.name)
        where = f"with {lead.owner}" if lead.owner else f"waiting in {lead.bucket}"
        parts = [lead.company, lead.status, where]
        self.subtitle_label.setText("  ·  ".join(part for part in parts if part))
        self.fields["name"].setText(lead.name)
        self.fields["company"].setText(lead.company or "—")
        self.fields["email"].setText(lead.email or "—")
        self.fields["phone"].setText(lead.phone or "—")
        self.fields["status"].setText(lead.status + ("  (closed)" if lead.status_closed else ""))
        if lead.owner is not None:
            self.place_caption.setText("Owner:")
            self.fields["place"].setText(lead.owner)
        else:
            self.place_caption.setText("Waiting in:")
            self.fields["place"].setText(lead.place)
        self.fields["version"].setText(str(lead.version))
        self.fields["updated"].setText(local_time(lead.updated_at))
        self.fields["created"].setText(local_time(lead.created_at))
        # Only a lead brought in from another system has an origin to show.
        self.fields["origin"].setText(lead.origin)
        self.fields["origin"].setVisible(bool(lead.origin))
        self.origin_caption.setVisible(bool(lead.origin))
        self.pass_intro.setText(
            f"Pass “{lead.name}” (now {where}) to another user, or into the Leads to be "
            "Assigned bucket of an office or a pass group."
        )

    def _show_timeline_placeholder(self, text: str) -> None:
        show_placeholder(self.history_tree, text)

    def _show_timeline(self, timeline: list[TimelineEntry]) -> None:
        show_timeline(self.history_tree, timeline)

    def _fill_targets(self, targets: PassTargets, lead: LeadDetails) -> None:
        previous = self.target_combo.currentData(TARGET_ROLE)
        self.target_combo.blockSignals(True)
        fill_target_choices(
            self.target_model, self.target_combo, targets, lead, actor_id=self.context.actor_id
        )
        self.target_combo.setCurrentIndex(self.target_index(previous) if previous else -1)
        self.target_combo.blockSignals(False)

    # -- passing -------------------------------------------------------------------------

    def target_index(self, target: Target | None) -> int:
        """The combo row of ``target`` (-1 when it is not offered)."""
        for row in range(self.target_model.rowCount()):
            if target is not None and self.target_model.item(row).data(TARGET_ROLE) == target:
                return row
        return -1

    def select_target(self, target: Target) -> None:
        """Choose a target programmatically (keyboard users and tests)."""
        self.target_combo.setCurrentIndex(self.target_index(target))

    def selected_target(self) -> Target | None:
        target = self.target_combo.currentData(TARGET_ROLE)
        return target if isinstance(target, Target) else None

    def _update_pass_state(self) -> None:
        ready = (
            self.details is not None
            and not self._loading
            and self.selected_target() is not None
            and self.note_field.is_valid()
            and not self._passing
        )
        self.pass_button.setEnabled(ready)

    def pass_lead(self) -> None:
        """Confirm, then pass this lead to the chosen target through the controller."""
        target = self.selected_target()
        lead = self.details
        if target is None or lead is None or self._passing:
            return
        note = self.note_field.text().strip()
        to_label = str(self.target_combo.currentData(LABEL_ROLE))
        detail = (
            "Your note will be added to the lead and sent with the email notification."
            if note
            else "No note will be added."
        )
        if not ask_yes_no(
            self,
            "confirmPassDialog",
            "Pass lead",
            f"Are you sure you want to pass “{lead.name}” from {lead.place} to {to_label}?",
            detail,
        ):
            return
        version = self.version_seen
        actor_id = self.context.actor_id

        def work(session: object) -> PassResult:
            return pass_leads(
                session,  # type: ignore[arg-type]
                actor_id=actor_id,
                selection=Selection.of_leads([LeadRef(lead.id, version)]),
                target=target,
                note=note,
                method=PassMethod.LEAD_TAB,
            )

        self._set_passing(True)
        self.context.runner.run(work, on_success=self._pass_done, on_error=self._pass_failed)

    def _set_passing(self, passing: bool) -> None:
        self._passing = passing
        self.pass_button.setText("Passing…" if passing else "Pass Lead")
        self._update_pass_state()

    def _pass_done(self, result: PassResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_passing(False)
        self.note_field.clear()
        self.target_combo.setCurrentIndex(-1)
        name = self.details.name if self.details else "The lead"
        show_outcome(
            self,
            "passDoneDialog",
            "Lead pass successful",
            "Lead pass successful.",
            detail=f"“{name}” is now with {result.target_name}.",
        )

    def _pass_failed(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_passing(False)
        # The runner's ``changed`` refresh shows where the lead really is now.
        show_outcome(self, "passErrorDialog", "Lead not passed", message, error=True)


def _mute(label: QLabel) -> None:
    """Secondary text: the text colour blended towards the background (light or dark)."""
    palette = label.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mixed = QColor(
        (text.red() * 3 + back.red() * 2) // 5,
        (text.green() * 3 + back.green() * 2) // 5,
        (text.blue() * 3 + back.blue() * 2) // 5,
    )
    palette.setColor(QPalette.ColorRole.WindowText, mixed)
    label.setPalette(palette)
