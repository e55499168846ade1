"""Offboarding: where do the leads of a leaving user go? (user, office or pass group + note)"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.admin.snapshot import AdminSnapshot
from leaddesk.admin.users import UserRow
from leaddesk.reassignment.requests import Target


class OffboardDialog(QDialog):
    """Asked when an administrator deactivates a user who still owns leads."""

    def __init__(self, snapshot: AdminSnapshot, leaver: UserRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("offboardDialog")
        self.setWindowTitle(f"Deactivate {leaver.name}")
        intro = QLabel(
            f"{leaver.name} still owns {leaver.lead_count:,} lead(s). Choose who takes them "
            "(or which Leads to be Assigned bucket they go to). The note goes with every "
            f"lead and into the email. Then {leaver.name} is deactivated; their history stays."
        )
        intro.setWordWrap(True)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("offboardTargetCombo")
        for user in snapshot.active_users():
            if user.id != leaver.id:
                self.target_combo.addItem(user.name, Target.user(user.id))
        for office in snapshot.offices:
            self.target_combo.addItem(
                f"Office: {office.name} (Leads to be Assigned)", Target.office(office.id)
            )
        for group in snapshot.groups:
            self.target_combo.addItem(
                f"Pass group: {group.name} (Leads to be Assigned)", Target.group(group.id)
            )
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText(f"e.g. {leaver.name} has left; please follow up.")
        form = QFormLayout()
        form.addRow("Pass &all leads to:", self.target_combo)
        form.addRow("&Note:", self.note_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Pass leads and deactivate")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def target(self) -> Target:
        return self.target_combo.currentData()

    def note(self) -> str:
        return self.note_edit.toPlainText()
