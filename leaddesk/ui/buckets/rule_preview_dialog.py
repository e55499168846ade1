"""*Assign all by rule…*: the plan for a bucket's waiting leads, shown before anything changes.

The dialog holds the plan the controller made (who gets which lead, counts per person) and,
on Assign, hands exactly that plan back to the controller: what is shown is what is done, or
the controller refuses because the bucket changed meanwhile and nothing happens.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.reassignment.rule_assign import RuleAssignResult, assign_by_plan
from leaddesk.reassignment.rule_plan import AssignmentPlan
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.passing.note_field import NoteField

RULE_WORDS = {"round_robin": "round robin", "least_loaded": "least loaded"}


def _table(name: str, headers: list[str], rows: list[list[str]], parent: QWidget) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
    return table


class RulePreviewDialog(QDialog):
    def __init__(
        self, context: WindowContext, plan: AssignmentPlan, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.plan = plan
        self._running = False
        self.setObjectName("rulePreviewDialog")
        self.setWindowTitle(f"Assign all by rule: {plan.bucket_name}")
        self.setModal(True)
        self.resize(560, 520)

        count = len(plan.leads)
        rule = RULE_WORDS.get(plan.rule.value, plan.rule.value)
        self.intro = QLabel(
            f"{count:,} lead(s) waiting in {plan.bucket_name} will be assigned by {rule}, as "
            "below. Nothing changes until you choose Assign.",
            self,
        )
        self.intro.setObjectName("rulePreviewIntro")
        self.intro.setWordWrap(True)
        self.counts = _table(
            "rulePreviewCounts",
            ["Person", "Leads"],
            [[name, f"{n:,}"] for name, n in plan.counts()],
            self,
        )
        self.leads = _table(
            "rulePreviewLeads",
            ["Lead", "Goes to"],
            [[lead.lead_name, plan.members[lead.user_id]] for lead in plan.leads],
            self,
        )
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.counts)
        split.addWidget(self.leads)
        split.setSizes([160, 300])
        self.note_field = NoteField(
            "Optional: a note added to every lead and emailed to each new owner.", self
        )
        self.note_field.setMaximumHeight(90)
        self.note_field.validity_changed.connect(self._update_ok)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(f"Assign {count:,} lead(s)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(split, 1)
        layout.addWidget(QLabel("&Note:", self, buddy=self.note_field.edit))
        layout.addWidget(self.note_field)
        layout.addWidget(self.buttons)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.note_field.is_valid() and not self._running)

    def accept(self) -> None:
        if self._running:
            return
        plan, note, actor_id = self.plan, self.note_field.text().strip(), self.context.actor_id

        def work(session: Session) -> RuleAssignResult:
            return assign_by_plan(session, actor_id=actor_id, plan=plan, note=note)

        self._running = True
        self._update_ok()
        self.context.runner.run(work, on_success=self._assigned, on_error=self._failed)

    def _assigned(self, result: RuleAssignResult) -> None:
        if not shiboken6.isValid(self):
            return
        parent = self.parentWidget()
        super().accept()
        shares = ", ".join(f"{name} {n:,}" for name, n in result.counts)
        show_outcome(
            parent,
            "ruleAssignDoneDialog",
            "Leads assigned",
            f"{result.moved:,} lead(s) of {result.bucket_name} assigned.",
            detail=f"{shares}. Edit > Undo pass puts them all back.",
        )

    def _failed(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        parent = self.parentWidget()
        self.reject()
        show_outcome(parent, "ruleAssignErrorDialog", "Nothing assigned", message, error=True)
