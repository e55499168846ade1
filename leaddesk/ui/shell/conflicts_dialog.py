"""*Sync conflicts*: offline passes the server did not apply, beside what it has now.

Each conflict keeps the whole offline pass (when, by whom, how, which leads, to whom, the
note) and, per lead, what the server has now (with whom or in which bucket, who changed it,
when). *Pass again* passes those leads again against the server's current state (same rules,
a new batch, the note kept); *Drop* closes the conflict and leaves the server as it is.
Listing and resolving run on the window's read lane; the answer is one line in the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.offline import Conflict, list_conflicts, resolve_conflict
from leaddesk.store.lead_details import METHOD_LABELS
from leaddesk.ui.common.feedback import ask_yes_no
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.common.palettes import readable_text
from leaddesk.ui.common.time_format import local_time
from leaddesk.ui.shell.offline_banner import clock_time, plural

INTRO = (
    "These passes were made offline but not applied: their leads changed on the server "
    "meanwhile. Pass again to pass them against what the server has now (a new pass, "
    "your note kept), or Drop the offline pass and leave the server as it is."
)
ERROR_RED = "#b3261e"
NONE_LEFT = "No sync conflicts: every pass made offline was applied or resolved."


def leads_phrase(conflict: Conflict) -> str:
    """One lead by its name, several by their number."""
    if len(conflict.lead_names) == 1:
        return conflict.lead_names[0]
    return plural(len(conflict.lead_names), "lead", "leads")


def conflict_title(conflict: Conflict) -> str:
    """How the dialog names a conflict: "Harbor Logistics renewal to Jane Doe (10:42)"."""
    return f"{leads_phrase(conflict)} to {conflict.target_label} ({clock_time(conflict.passed_at)})"


def server_headline(conflict: Conflict) -> str:
    """Why the server did not apply it, in the dialog's words (the server's own refusal is
    the tooltip: it was written for someone passing online, "refresh and try again")."""
    sides = conflict.server_now
    moved = [side for side in sides if side.server_version != side.seen_version]
    if not moved:
        return conflict.reason
    if len(sides) == 1:
        return f"{sides[0].lead_name} changed on the server after your copy last saw it."
    return (
        f"{len(moved):,} of the {len(sides):,} leads changed on the server after your copy "
        "last saw them."
    )


def _value(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SyncConflictsDialog(QDialog):
    """``syncConflictsDialog``; ``resolved`` after a conflict was passed again or dropped."""

    resolved = Signal()

    def __init__(self, replica_path: str, runner: OperationRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("syncConflictsDialog")
        self.setWindowTitle("Sync conflicts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.replica_path = replica_path
        self.runner = runner
        self.conflicts: list[Conflict] = []
        self.loaded = False

        intro = QLabel(INTRO, self)
        intro.setObjectName("conflictsIntro")
        intro.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("conflictList")
        self.list.setAccessibleName("Sync conflicts")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(["Passed offline", "Leads", "To"])
        self.list.header().setStretchLastSection(True)
        self.list.setColumnWidth(0, 150)
        self.list.setColumnWidth(1, 300)
        self.list.setMaximumHeight(130)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())

        sides = QWidget(self)
        sides_layout = QHBoxLayout(sides)
        sides_layout.setContentsMargins(0, 0, 0, 0)
        sides_layout.setSpacing(12)
        sides_layout.addWidget(self._offline_side(sides), 2)
        sides_layout.addWidget(self._server_side(sides), 3)
        page = QWidget(self)
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(10)
        page_layout.addWidget(self.list)
        page_layout.addWidget(sides, 1)

        self.empty = QLabel("Reading the conflicts…", self)
        self.empty.setObjectName("conflictsEmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)

        self.outcome = _value("", "conflictOutcome", self)
        self.outcome.hide()
        buttons = QDialogButtonBox(self)
        self.pass_again_button = QPushButton("Pass again", self)
        self.pass_again_button.setObjectName("passAgainButton")
        self.pass_again_button.setToolTip(
            "Pass these leads again from where they are on the server now, with your note"
        )
        self.drop_button = QPushButton("Drop", self)
        self.drop_button.setObjectName("dropConflictButton")
        self.drop_button.setToolTip("Forget this offline pass; the server stays as it is")
        buttons.addButton(self.pass_again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.drop_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("closeConflictsButton")
        # Return closes; passing again or dropping is always a deliberate click.
        for button in (self.pass_again_button, self.drop_button):
            button.setAutoDefault(False)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.pass_again_button.clicked.connect(lambda: self._resolve(pass_again=True))
        self.drop_button.clicked.connect(lambda: self._resolve(pass_again=False))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.setStyleSheet(
            "QTreeWidget::item { padding: 3px 2px; }"
            "QGroupBox { font-weight: 600; } QGroupBox QLabel { font-weight: normal; }"
            "QGroupBox QTreeWidget { font-weight: normal; }"
        )
        self.resize(1000, 480)
        self._set_actions_enabled(False)
        self.reload()

    def _offline_side(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Your offline pass", parent)
        box.setObjectName("offlineSide")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.when_value = _value("", "offlinePassedAt", box)
        self.by_value = _value("", "offlineActor", box)
        self.how_value = _value("", "offlineMethod", box)
        self.leads_value = _value("", "offlineLeads", box)
        self.target_value = _value("", "offlineTarget", box)
        self.note_value = _value("", "offlineNote", box)
        for title, value in (
            ("When", self.when_value),
            ("By", self.by_value),
            ("How", self.how_value),
            ("Leads", self.leads_value),
            ("To", self.target_value),
            ("Note", self.note_value),
        ):
            form.addRow(f"{title}:", value)
        return box

    def _server_side(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("On the server now", parent)
        box.setObjectName("serverSide")
        self.reason_value = _value("", "serverReason", box)
        self.server_tree = QTreeWidget(box)
        self.server_tree.setObjectName("serverNowTree")
        self.server_tree.setRootIsDecorated(False)
        self.server_tree.setAlternatingRowColors(True)
        self.server_tree.setHeaderLabels(["Lead", "Now with", "Changed by", "When"])
        self.server_tree.setUniformRowHeights(True)
        header = self.server_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(box)
        layout.addWidget(self.reason_value)
        layout.addWidget(self.server_tree, 1)
        return box

    # -- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        path = self.replica_path
        self.runner.background(
            lambda: list_conflicts(path),
            self._loaded,
            on_error=self._load_failed,
            key="sync-conflicts",
        )

    def _loaded(self, conflicts: list[Conflict]) -> None:
        kept = self.current_conflict()
        self.conflicts = conflicts
        self.loaded = True
        self.list.clear()
        for conflict in conflicts:
            item = QTreeWidgetItem(
                self.list,
                [local_time(conflict.passed_at), leads_phrase(conflict), conflict.target_label],
            )
            item.setToolTip(1, "\n".join(conflict.lead_names))
            item.setToolTip(2, conflict.reason)
        if not conflicts:
            self.empty.setText(NONE_LEFT)
            self.stack.setCurrentWidget(self.empty)
            self._set_actions_enabled(False)
            return
        self.stack.setCurrentIndex(1)
        ids = [conflict.id for conflict in conflicts]
        row = ids.index(kept.id) if kept and kept.id in ids else 0
        self.list.setCurrentItem(self.list.topLevelItem(row))

    def _load_failed(self, message: str, _exc: BaseException) -> None:
        self.loaded = True
        self.empty.setText(message)
        self.stack.setCurrentWidget(self.empty)

    def current_conflict(self) -> Conflict | None:
        item = self.list.currentItem()
        row = self.list.indexOfTopLevelItem(item) if item is not None else -1
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show_current(self) -> None:
        conflict = self.current_conflict()
        self._set_actions_enabled(conflict is not None)
        if conflict is None:
            return
        self.when_value.setText(local_time(conflict.passed_at))
        self.by_value.setText(conflict.actor_name)
        self.how_value.setText(METHOD_LABELS.get(conflict.method, conflict.method))
        self.leads_value.setText("\n".join(conflict.lead_names))
        self.target_value.setText(conflict.target_label)
        self.note_value.setText(conflict.note or "(no note)")
        self.reason_value.setText(server_headline(conflict))
        self.reason_value.setToolTip(conflict.reason)
        self.server_tree.clear()
        for side in conflict.server_now:
            QTreeWidgetItem(
                self.server_tree,
                [
                    side.lead_name,
                    side.place,
                    side.changed_by or "—",
                    clock_time(side.changed_at) if side.changed_at else "—",
                ],
            )

    # -- resolving -------------------------------------------------------------------

    def _resolve(self, *, pass_again: bool) -> None:
        conflict = self.current_conflict()
        if conflict is None:
            return
        if not pass_again and not ask_yes_no(
            self,
            "dropConflictDialog",
            "Drop the offline pass",
            f"Drop your offline pass of {conflict_title(conflict)}?",
            "The server keeps what it has now; the offline pass is not made.",
        ):
            return
        path, conflict_id = self.replica_path, conflict.id
        self._set_actions_enabled(False)
        self._say("Passing again…" if pass_again else "Dropping…")
        self.runner.background(
            lambda: resolve_conflict(path, conflict_id, pass_again=pass_again),
            self._resolved,
            on_error=self._resolve_failed,
        )

    def _resolved(self, outcome: str) -> None:
        self._say(outcome)
        self.resolved.emit()
        self.reload()

    def _resolve_failed(self, message: str, _exc: BaseException) -> None:
        self._say(message, error=True)
        self._set_actions_enabled(self.current_conflict() is not None)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.outcome.setText(text)
        shown = readable_text(QColor(ERROR_RED)).name() if error else ""
        self.outcome.setStyleSheet(f"color: {shown};" if shown else "")
        self.outcome.show()

    def _set_actions_enabled(self, enabled: bool) -> None:
        self.pass_again_button.setEnabled(enabled)
        self.drop_button.setEnabled(enabled)
