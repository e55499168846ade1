"""The Leads to be Assigned tab: the buckets the actor sees and the leads waiting in them.

Office managers see their office's bucket, pass-group members their group's bucket, admins
every bucket. Leads are assigned with the Assign... button (a dialog) or by dragging them
onto a user in the target pane; either way the controller does it and this tab refreshes
when the operation runner reports a change.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.ui.buckets.bucket_model import BUCKET_KEY_ROLE, COLUMNS, BucketModel
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.passing.drag_view import PassDragView
from leaddesk.ui.passing.pass_source import PASS_SOURCE_MIME_TYPE, PassSource

if TYPE_CHECKING:
    from leaddesk.reassignment.rule_plan import AssignmentPlan
    from leaddesk.store.queries import BucketLeads, LeadRow
    from leaddesk.ui.buckets.bucket_assign_dialog import BucketAssignDialog
    from leaddesk.ui.buckets.rule_preview_dialog import RulePreviewDialog
    from leaddesk.ui.lead.lead_window import LeadWindow

EMPTY_HEADLINE = "Nothing is waiting to be assigned"
NO_BUCKETS_TEXT = (
    "You see no Leads to be Assigned bucket: an office's bucket is shown to its office "
    "managers, a pass group's bucket to its members."
)


def _loading_state() -> str:
    return "<p style='font-size:large; font-weight:600'>Loading…</p><p>&nbsp;</p>"


def _empty_state(explanation: str) -> str:
    return (
        f"<p style='font-size:large; font-weight:600'>{EMPTY_HEADLINE}</p>"
        f"<p>{html.escape(explanation)}</p>"
    )


class BucketTab(QWidget):
    waiting_count_changed = Signal(int)
    loaded = Signal()  # a read's answer (or its error) is shown

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("bucketTab")
        self._waiting = -1  # not read yet
        self._loading = False
        self._read_key = f"bucket-tab-{id(self)}"
        self._seen_buckets: set[tuple[str, int]] = set()
        self.lead_windows: list[LeadWindow] = []

        self.intro = QLabel(
            "Leads passed to an office or a pass group wait here for an owner. Select leads "
            "and choose Assign…, or drag them onto a user in the target pane.",
            self,
        )
        self.intro.setWordWrap(True)

        self.model = BucketModel(self)
        self.tree = PassDragView(self)
        self.tree.setObjectName("bucketTree")
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setAccessibleName("Leads to be Assigned")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # Activation is a double-click, or Enter, as the platform defines it.
        self.tree.activated.connect(self._on_activated)
        self.tree.customContextMenuRequested.connect(self._show_menu)
        self.tree.selectionModel().selectionChanged.connect(self._update_buttons)
        self.tree.selectionModel().currentChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("bucketEmptyLabel")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.empty_label.setMargin(24)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty_label)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("bucketLoadError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()

        self.open_button = QPushButton("Open Lead", self)
        self.open_button.setObjectName("openLeadButton")
        self.open_button.clicked.connect(self.open_selected_lead)
        self.assign_button = QPushButton("Assign…", self)
        self.assign_button.setObjectName("assignButton")
        self.assign_button.clicked.connect(self.open_assign_dialog)
        self.rule_button = QPushButton("Assign all by &rule…", self)
        self.rule_button.setObjectName("assignByRuleButton")
        self.rule_button.setToolTip(
            "Preview, then assign every lead waiting in the current bucket by its rule"
        )
        self.rule_button.clicked.connect(self.assign_all_by_rule)
        self.rule_dialog: RulePreviewDialog | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.rule_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.assign_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(self.intro)
        layout.addWidget(self.error_label)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        context.runner.changed.connect(self.refresh)
        self._update_buttons()
        if context.is_connecting:  # the window reads once its database is open
            self._set_loading(True)
        else:
            self.refresh()

    # -- reading -------------------------------------------------------------------------

    @property
    def waiting_count(self) -> int:
        return max(self._waiting, 0)

    def current_source(self) -> PassSource | None:
        """What the selected leads would pass (as their drag would); None without a selection."""
        mime = self.model.mimeData(self.tree.selectionModel().selectedRows(0))
        if mime is None or not mime.hasFormat(PASS_SOURCE_MIME_TYPE):
            return None
        return PassSource.decode(mime.data(PASS_SOURCE_MIME_TYPE).data())

    @property
    def loading(self) -> bool:
        """True while a read of the buckets is on its way."""
        return self._loading

    def refresh(self) -> None:
        """Re-read the buckets off the GUI thread; the newest answer is shown, keeping which
        buckets are open and which leads are selected."""
        if not shiboken6.isValid(self):
            return
        # The store's reads load with SQLAlchemy, after the window's first paint.
        from leaddesk.store.lead_details import buckets_of_actor

        actor_id = self.context.actor_id
        self._set_loading(True)
        self.context.runner.query(
            lambda session: buckets_of_actor(session, actor_id),
            self._show_buckets,
            on_error=self._show_read_error,
            key=self._read_key,
        )

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if not loading:
            self.stack.unsetCursor()
        elif self._waiting < 0:
            # The first read: say so where the leads will be, in the empty state's place.
            self.empty_label.setText(_loading_state())
            self.stack.setCurrentWidget(self.empty_label)
            self.stack.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.stack.setCursor(Qt.CursorShape.BusyCursor)

    def _show_read_error(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.error_label.setText(message)
        self.error_label.show()
        if self._waiting < 0:
            self.empty_label.setText("")
        self._set_loading(False)
        self.loaded.emit()

    def _show_buckets(self, buckets: list[BucketLeads]) -> None:
        if not shiboken6.isValid(self):
            return
        self.error_label.hide()
        collapsed = {
            key
            for key in self._seen_buckets
            if not self.tree.isExpanded(self.model.bucket_index(key))
        }
        selected = {lead.id for lead in self.selected_leads()}
        current = self.model.lead_at(self.tree.currentIndex())
        self.model.set_buckets(buckets)
        self._seen_buckets = {(bucket.kind, bucket.id) for bucket in buckets}
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            # New buckets open expanded: the point of the tab is the leads inside.
            self.tree.setExpanded(index, index.data(BUCKET_KEY_ROLE) not in collapsed)
        self._restore_selection(selected, current.id if current else None)
        self._show_empty_state(buckets)
        total = self.model.total_waiting()
        self._waiting = total
        self._set_loading(False)
        self.waiting_count_changed.emit(total)
        self.loaded.emit()

    def _restore_selection(self, lead_ids: set[int], current_id: int | None) -> None:
        selection = self.tree.selectionModel()
        flags = (
            selection.SelectionFlag.Select | selection.SelectionFlag.Rows  # type: ignore[operator]
        )
        for lead_id in lead_ids:
            index = self.model.lead_index(lead_id)
            if index.isValid():
                selection.select(index, flags)
        if current_id is not None:
            index = self.model.lead_index(current_id)
            if index.isValid():
                selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)

    def _show_empty_state(self, buckets: list) -> None:
        if not buckets:
            self.empty_label.setText(_empty_state(NO_BUCKETS_TEXT))
            self.stack.setCurrentWidget(self.empty_label)
        elif self.model.total_waiting() == 0:
            watched = " or ".join(
                f"the {'office' if bucket.kind == 'office' else 'pass group'} {bucket.name}"
                for bucket in buckets
            )
            self.empty_label.setText(_empty_state(f"Leads passed to {watched} will appear here."))
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.tree)

    # -- selection and actions -----------------------------------------------------------

    def selected_leads(self) -> list[LeadRow]:
        """Selected leads in tree order (bucket rows are ignored)."""
        rows = self.tree.selectionModel().selectedRows(0)
        leads: list[LeadRow] = []
        for index in sorted(rows, key=lambda i: (i.parent().row(), i.row())):
            lead = self.model.lead_at(index)
            if lead is not None:
                leads.append(lead)
        return leads

    def select_leads(self, lead_ids: list[int]) -> None:
        """Select exactly these leads (keyboard users, automation and tests)."""
        self.tree.clearSelection()
        self._restore_selection(set(lead_ids), lead_ids[0] if lead_ids else None)

    def current_bucket(self) -> BucketLeads | None:
        """The bucket of the current row; the only bucket when there is just one."""
        bucket = self.model.bucket_at(self.tree.currentIndex())
        if bucket is None and self.model.rowCount() == 1:
            bucket = self.model.bucket_at(self.model.index(0, 0))
        return bucket

    def assign_all_by_rule(self) -> None:
        """Ask the controller for the plan (off the GUI thread), then show it to confirm."""
        from leaddesk.reassignment.rule_plan import plan_by_rule
        from leaddesk.store.bucket_rules import BucketKey

        bucket = self.current_bucket()
        if bucket is None or not bucket.leads:
            return
        key = (
            BucketKey(office_id=bucket.id)
            if bucket.kind == "office"
            else BucketKey(group_id=bucket.id)
        )
        actor_id = self.context.actor_id
        self.rule_button.setEnabled(False)
        self.context.runner.query(
            lambda session: plan_by_rule(session, actor_id=actor_id, bucket=key),
            self._show_plan,
            on_error=self._plan_refused,
            key="bucketRulePlan",
        )

    def _show_plan(self, plan: AssignmentPlan) -> None:
        if not shiboken6.isValid(self):
            return
        from leaddesk.ui.buckets.rule_preview_dialog import RulePreviewDialog

        self._update_buttons()
        self.rule_dialog = RulePreviewDialog(self.context, plan, self)
        self.rule_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rule_dialog.open()

    def _plan_refused(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._update_buttons()
        show_outcome(self, "rulePlanErrorDialog", "Assign all by rule", message, error=True)

    def _update_buttons(self) -> None:
        leads = self.selected_leads()
        bucket = self.current_bucket()
        self.rule_button.setEnabled(bucket is not None and bool(bucket.leads))
        self.assign_button.setEnabled(bool(leads))
        self.open_button.setEnabled(len(leads) == 1)

    def open_assign_dialog(self) -> BucketAssignDialog | None:
        leads = self.selected_leads()
        if not leads:
            return None
        from leaddesk.ui.buckets.bucket_assign_dialog import BucketAssignDialog

        dialog = BucketAssignDialog(self.context, leads, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_lead(self, lead_id: int) -> LeadWindow:
        from leaddesk.ui.lead.lead_window import LeadWindow

        window = LeadWindow(self.context, lead_id, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.lead_windows = [w for w in self.lead_windows if shiboken6.isValid(w)]
        self.lead_windows.append(window)
        window.show()
        return window

    def open_selected_lead(self) -> LeadWindow | None:
        leads = self.selected_leads()
        return self.open_lead(leads[0].id) if len(leads) == 1 else None

    def _on_activated(self, index: QModelIndex) -> None:
        lead = self.model.lead_at(index)
        if lead is not None:
            self.open_lead(lead.id)

    def _show_menu(self, position: QPoint) -> None:
        leads = self.selected_leads()
        if not leads:
            return
        menu = QMenu(self)
        open_action = menu.addAction("Open Lead")
        open_action.setEnabled(len(leads) == 1)
        open_action.triggered.connect(self.open_selected_lead)
        assign_action = menu.addAction("Assign…")
        assign_action.triggered.connect(self.open_assign_dialog)
        menu.exec(self.tree.viewport().mapToGlobal(position))
