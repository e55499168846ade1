"""The administration window (Tools > Administration..., administrators only).

Tabs for users, manager rights, offices, pass groups, statuses and the audit log. Every
change is a small function run on the window's :class:`OperationRunner` (one transaction,
off the GUI thread) through the Qt-free services in :mod:`leaddesk.admin`; the runner's
``changed`` signal then reloads this window and every other open view from the database.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.admin.snapshot import AdminSnapshot, load_snapshot
from leaddesk.errors import LeadDeskError
from leaddesk.ui.admin.host import AdminWork
from leaddesk.ui.admin.people_tabs import RightsTab, UsersTab
from leaddesk.ui.admin.place_tabs import AuditTab, PlaceTab, StatusesTab
from leaddesk.ui.admin.tables import clear_loading, show_loading
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome


class AdminWindow(QDialog):
    """``AdminWindow(context, parent)``; non-modal, so the main window stays usable."""

    loaded = Signal()  # a read's answer (or its error) is shown

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.snapshot: AdminSnapshot | None = None
        self._loading = False
        self._read_key = f"admin-window-{id(self)}"
        self._after_next_load: list[Callable[[], None]] = []
        self.setObjectName("adminWindow")
        self.setWindowTitle("LeadDesk — Administration")
        self.resize(1040, 620)  # every column of the Users table readable without scrolling

        self.denied_label = QLabel(
            "Only administrators can change users, manager rights, offices, pass groups "
            "and statuses. Ask an administrator."
        )
        self.denied_label.setObjectName("adminDeniedLabel")
        self.denied_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        self.users_tab = UsersTab(self)
        self.rights_tab = RightsTab(self)
        self.offices_tab = PlaceTab(self, kind="office")
        self.groups_tab = PlaceTab(self, kind="group")
        self.statuses_tab = StatusesTab(self)
        self.audit_tab = AuditTab(self)
        for tab, title in (
            (self.users_tab, "&Users"),
            (self.rights_tab, "&Manager rights"),
            (self.offices_tab, "&Offices"),
            (self.groups_tab, "&Pass groups"),
            (self.statuses_tab, "&Statuses"),
            (self.audit_tab, "&Audit"),
        ):
            self.tabs.addTab(tab, title)
        self.status_label = QLabel("")
        self.status_label.setObjectName("adminStatusLabel")
        self.status_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.denied_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)

        context.runner.changed.connect(self.reload)
        self._set_allowed(context.is_admin)

    # -- loading ------------------------------------------------------------------------

    def _set_allowed(self, allowed: bool) -> None:
        self.denied_label.setVisible(not allowed)
        self.tabs.setEnabled(allowed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    @property
    def loading(self) -> bool:
        """True while a read of the tables is on its way."""
        return self._loading

    def reload(self) -> None:
        """Read everything again off the GUI thread (a handful of small queries); the
        newest answer fills the tables."""
        # A hidden window reloads when shown again instead of on every pass elsewhere.
        if not self.context.is_admin or not self.isVisible():
            return
        actor_id = self.context.actor_id
        self._set_loading(True)
        self.context.runner.query(
            lambda session: load_snapshot(session, actor_id),
            self._show_snapshot,
            on_error=self._show_read_error,
            key=self._read_key,
        )

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if loading:
            self.tabs.setCursor(Qt.CursorShape.BusyCursor)
            if self.snapshot is None:
                self.status_label.setText("Loading…")
                for table in self.tabs.findChildren(QTableWidget):
                    show_loading(table)
        else:
            self.tabs.unsetCursor()

    def _show_snapshot(self, snapshot: AdminSnapshot) -> None:
        if not shiboken6.isValid(self):
            return
        first = self.snapshot is None
        self.snapshot = snapshot
        if first:
            for table in self.tabs.findChildren(QTableWidget):
                clear_loading(table)
        for tab in (
            self.users_tab,
            self.rights_tab,
            self.offices_tab,
            self.groups_tab,
            self.statuses_tab,
            self.audit_tab,
        ):
            tab.populate(snapshot)
        if first and self.status_label.text() == "Loading…":
            self.status_label.setText("")
        self._set_loading(False)
        follow_ups, self._after_next_load = self._after_next_load, []
        for follow_up in follow_ups:
            follow_up()
        self.loaded.emit()

    def _show_read_error(self, message: str, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if self.snapshot is None:
            for table in self.tabs.findChildren(QTableWidget):
                clear_loading(table)
        if isinstance(exc, LeadDeskError):
            # E.g. the actor lost the admin right meanwhile: lock the window, say why.
            self._set_allowed(False)
        self.status_label.setText(message)
        self._set_loading(False)
        self.loaded.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        # An answer still on its way is not needed; showing the window again reads anew.
        self.context.runner.forget_reads(self._read_key)
        super().hideEvent(event)

    # -- writing ------------------------------------------------------------------------

    def run(self, work: AdminWork, after: Callable[[], None] | None = None) -> None:
        """Run one change in its own transaction; success text goes to the status line."""
        self.status_label.setText("Working…")

        def succeeded(message: object) -> None:
            self.status_label.setText(str(message))
            if after is not None:
                # The runner emits ``changed`` (and so reloads this window) right after this
                # callback; the follow-up (select the new row, clear the form) must see the
                # reloaded data, so it runs when that read has been shown.
                self._after_next_load.append(after)

        def failed(message: str, _exc: BaseException) -> None:
            self.status_label.setText(message)
            show_outcome(self, "adminErrorDialog", "Administration", message, error=True)

        self.context.runner.run(work, on_success=succeeded, on_error=failed)

    @property
    def actor_id(self) -> int:
        return self.context.actor_id
