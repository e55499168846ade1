"""Assign leads waiting in a Leads to be Assigned bucket to a user, with an optional note."""

from __future__ import annotations

from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.reassignment.controller import assign_from_bucket
from leaddesk.reassignment.requests import LeadRef, PassResult
from leaddesk.reassignment.targets import TargetUser, bucket_assignees
from leaddesk.store.queries import LeadRow
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.passing.note_field import NoteField


class BucketAssignDialog(QDialog):
    """Choose a user and a note; OK runs ``assign_from_bucket`` on the operation runner."""

    def __init__(
        self,
        context: WindowContext,
        leads: Sequence[LeadRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        # The versions the actor saw in the tree: a lead assigned meanwhile is a conflict.
        self.leads = list(leads)
        self.result_message = ""
        self._running = False
        self._loading = False
        self._read_key = f"bucket-assignees-{id(self)}"
        self.setObjectName("bucketAssignDialog")
        self.setWindowTitle("Assign lead" if len(self.leads) == 1 else "Assign leads")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setModal(True)
        self.resize(520, 340)

        if len(self.leads) == 1:
            what = f"“{self.leads[0].name}”"
        else:
            what = f"these {len(self.leads)} leads"
        places = sorted({lead.bucket or "" for lead in self.leads})
        where = places[0] if len(places) == 1 else "several buckets"
        self.intro = QLabel(f"Assign {what}, waiting in {where}, to a user.", self)
        self.intro.setObjectName("assignIntro")
        self.intro.setWordWrap(True)

        self.user_combo = QComboBox(self)
        self.user_combo.setObjectName("assigneeCombo")
        self.user_combo.setAccessibleName("Assign to")
        self.user_combo.setMinimumContentsLength(24)
        self.user_combo.setPlaceholderText("Choose a user")
        self.user_combo.currentIndexChanged.connect(self._update_ok)
        self.note_field = NoteField(
            "Optional: a note for the new owner. It is added to the lead and emailed to them.",
            self,
        )
        self.note_edit = self.note_field.edit
        self.note_field.validity_changed.connect(self._update_ok)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("assignLoadError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Assign")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Assign &to:", self.user_combo)
        form.addRow("&Note:", self.note_field)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addWidget(self.error_label)
        layout.addLayout(form, 1)
        layout.addWidget(self.buttons)

        self._load_assignees()
        self._update_ok()

    @property
    def loading(self) -> bool:
        """True while the users who may take the leads are being read."""
        return self._loading

    def _load_assignees(self) -> None:
        """Read who may take every one of the leads, off the GUI thread."""
        actor_id, lead_ids = self.context.actor_id, [lead.id for lead in self.leads]
        self._loading = True
        self.user_combo.setEnabled(False)
        self.user_combo.setPlaceholderText("Loading who can take them…")
        self.user_combo.setCursor(Qt.CursorShape.BusyCursor)
        self.context.runner.query(
            lambda session: bucket_assignees(session, actor_id=actor_id, lead_ids=lead_ids),
            self._show_assignees,
            on_error=self._show_read_error,
            key=self._read_key,
        )

    def _loaded(self) -> None:
        self._loading = False
        self.user_combo.unsetCursor()
        self.user_combo.setPlaceholderText("Choose a user")
        self.user_combo.setCurrentIndex(-1)
        self._update_ok()

    def _show_assignees(self, users: list[TargetUser]) -> None:
        if not shiboken6.isValid(self):
            return
        for user in users:
            suffix = " (you)" if user.id == self.context.actor_id else ""
            self.user_combo.addItem(user.name + suffix, user.id)
        self.user_combo.setEnabled(bool(users))
        if not users:
            self.error_label.setText("Nobody can take all of these leads; assign them one by one.")
            self.error_label.show()
        self._loaded()

    def _show_read_error(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.error_label.setText(message)
        self.error_label.show()
        self._loaded()

    def done(self, result: int) -> None:
        # Closed before the users arrived: their answer has nobody to show it to.
        self.context.runner.forget_reads(self._read_key)
        super().done(result)

    def select_user(self, user_id: int) -> None:
        self.user_combo.setCurrentIndex(self.user_combo.findData(user_id))

    def selected_user(self) -> int | None:
        data = self.user_combo.currentData()
        return data if isinstance(data, int) else None

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(
            self.selected_user() is not None
            and self.note_field.is_valid()
            and not self._running
            and not self._loading
        )

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not running)
        self.ok_button.setText("Assigning…" if running else "Assign")
        self._update_ok()

    def accept(self) -> None:
        """Run the assignment; the dialog closes when the controller has answered."""
        user_id = self.selected_user()
        if user_id is None or self._running:
            return
        refs = [LeadRef(lead.id, lead.version) for lead in self.leads]
        note = self.note_field.text().strip()
        actor_id = self.context.actor_id

        def work(session: Session) -> PassResult:
            return assign_from_bucket(
                session, actor_id=actor_id, leads=refs, user_id=user_id, note=note
            )

        self._set_running(True)
        self.context.runner.run(work, on_success=self._assigned, on_error=self._failed)

    def _assigned(self, result: PassResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_running(False)
        owner = result.target_name
        if result.moved == 1:
            headline, detail = "Lead assigned.", f"“{self.leads[0].name}” is now with {owner}."
        else:
            headline, detail = f"{result.moved} leads assigned.", f"They are now with {owner}."
        self.result_message = f"{headline} {detail}"
        parent = self.parentWidget()
        super().accept()
        show_outcome(parent, "assignDoneDialog", "Lead assigned", headline, detail=detail)

    def _failed(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_running(False)
        self.result_message = message
        # The tab refreshes from the database now, so the leads this dialog holds may be
        # stale; close it and let the actor choose again from what is really waiting.
        parent = self.parentWidget()
        self.reject()
        show_outcome(parent, "assignErrorDialog", "Lead not assigned", message, error=True)
