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

from leaddesk.errors import LeadDeskError
from leaddesk.reassignment.controller import assign_from_bucket
from leaddesk.reassignment.requests import LeadRef, PassResult
from leaddesk.reassignment.targets import TargetUser, bucket_assignees
from leaddesk.store.queries import LeadRow
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.passing.note_field import NoteField


def common_assignees(
    session: Session, *, actor_id: int, lead_ids: Sequence[int]
) -> list[TargetUser]:
    """Users every one of the leads may be assigned to (selections can span buckets)."""
    common: list[TargetUser] | None = None
    for lead_id in lead_ids:
        users = bucket_assignees(session, actor_id=actor_id, lead_id=lead_id)
        if common is None:
            common = users
        else:
            allowed = {user.id for user in users}
            common = [user for user in common if user.id in allowed]
    return common or []


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

    def _load_assignees(self) -> None:
        try:
            with self.context.database.read() as session:
                users = common_assignees(
                    session,
                    actor_id=self.context.actor_id,
                    lead_ids=[lead.id for lead in self.leads],
                )
        except LeadDeskError as exc:
            users = []
            self.error_label.setText(str(exc))
            self.error_label.show()
        for user in users:
            suffix = " (you)" if user.id == self.context.actor_id else ""
            self.user_combo.addItem(user.name + suffix, user.id)
        if not users and self.error_label.isHidden():
            self.error_label.setText("Nobody can take all of these leads; assign them one by one.")
            self.error_label.show()
        self.user_combo.setCurrentIndex(-1)

    def select_user(self, user_id: int) -> None:
        self.user_combo.setCurrentIndex(self.user_combo.findData(user_id))

    def selected_user(self) -> int | None:
        data = self.user_combo.currentData()
        return data if isinstance(data, int) else None

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(
            self.selected_user() is not None and self.note_field.is_valid() and not self._running
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
