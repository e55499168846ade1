"""The main window's services beyond passing: email, import/export and administration.

Kept apart from ``main_window`` (which is about the two panes and the pass flow): this adds
File > Import leads… / Export… / Email settings…, View > Reports…, Tools > Administration…
(admins only; the menu does not exist for others), Help > About LeadDesk, and the
status-bar email sender, which starts sending shortly after every write the window's
runner makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDialog, QMenu

from leaddesk.server.changes import Changes
from leaddesk.ui.email.email_status import EmailStatus
from leaddesk.ui.main.main_window import MainWindow

if TYPE_CHECKING:
    from leaddesk.ui.reports.reports_window import ReportsWindow


class WindowServices(QObject):
    """Owns the dialogs it opens so each exists once and is raised when asked again.

    A child of the main window (``window.findChild(WindowServices)``); it stops its email
    sender and closes its dialogs when the window says it is closing.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("windowServices")
        self.window = window
        self.context = window.context
        self.dialogs: dict[str, QDialog] = {}
        # The outbox shows a person their own emails; an administrator sees everyone's.
        self.email_status = EmailStatus(
            self.context.database,
            window,
            recipient_id=None if self.context.is_admin else self.context.actor_id,
        )
        window.set_email_status_widget(self.email_status)
        self.context.runner.changed.connect(self.email_status.notify_pass_done)
        window.closing.connect(self.shutdown)
        self._add_menus()

    def _add_menus(self) -> None:
        window = self.window
        file_menu = window.file_menu
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.import_action = self._action("&Import leads…", "importLeadsAction", self.open_import)
        self.export_action = self._action("&Export…", "exportAction", self.open_export)
        self.email_action = self._action(
            "E&mail settings…", "emailSettingsAction", self.open_email_settings
        )
        self.outbox_action = self._action(
            "&Outbox…", "outboxAction", lambda: self.email_status.open_outbox()
        )
        for action in (self.import_action, self.export_action):
            file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
        for action in (self.email_action, self.outbox_action):
            file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
        # Import writes leads for any owner: administrators only, like the command line.
        self.import_action.setEnabled(self.context.is_admin)
        if not self.context.is_admin:
            self.import_action.setToolTip("Only administrators can import leads.")
        self.admin_action = None
        if self.context.is_admin:
            tools = QMenu("&Tools", window)
            tools.setObjectName("toolsMenu")
            window.menuBar().insertMenu(window.help_menu.menuAction(), tools)
            self.admin_action = self._action(
                "&Administration…", "administrationAction", self.open_administration
            )
            tools.addAction(self.admin_action)
        # Reports are for everyone (each sees what they may): a View menu before Help.
        view = QMenu("&View", window)
        view.setObjectName("viewMenu")
        window.menuBar().insertMenu(window.help_menu.menuAction(), view)
        self.reports_action = self._action("&Reports…", "reportsAction", self.open_reports)
        view.addAction(self.reports_action)
        self.about_action = self._action("&About LeadDesk", "aboutAction", self.open_about)
        window.help_menu.addAction(self.about_action)

    def _action(self, text: str, name: str, slot: object) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _open(self, key: str, make: Callable[[], QDialog]) -> QDialog:
        dialog = self.dialogs.get(key)
        if dialog is None:
            dialog = make()
            self.dialogs[key] = dialog
        if dialog.isVisible() and QGuiApplication.platformName() != "offscreen":
            # Asked again while open: bring it forward (offscreen windows cannot be raised).
            dialog.raise_()
            dialog.activateWindow()
        dialog.show()
        return dialog

    # The dialogs are imported when first opened: importing the administration window's
    # modules alone took a third of a second off the window's start on a big database.

    def open_import(self) -> QDialog:
        from leaddesk.ui.data.import_dialog import ImportDialog

        return self._open("import", lambda: ImportDialog(self.context, self.window))

    def open_export(self) -> QDialog:
        from leaddesk.ui.data.export_dialog import ExportDialog

        return self._open("export", lambda: ExportDialog(self.context, self.window))

    def open_email_settings(self) -> QDialog:
        from leaddesk.ui.email.settings_dialog import EmailSettingsDialog

        return self._open("email", lambda: EmailSettingsDialog(None, self.window))

    def open_administration(self) -> QDialog:
        from leaddesk.ui.admin.admin_window import AdminWindow

        return self._open("admin", lambda: AdminWindow(self.context, self.window))

    def open_reports(self) -> QDialog:
        from leaddesk.ui.reports.reports_window import ReportsWindow

        return self._open("reports", lambda: ReportsWindow(self.context, self.window))

    def open_about(self) -> QDialog:
        from leaddesk.ui.shell.about_dialog import AboutDialog

        return self._open("about", lambda: AboutDialog(self.context.database, self.window))

    def apply_changes_elsewhere(self, changes: Changes) -> None:
        """Pass a change committed elsewhere on to the open dialogs that show live data."""
        reports = self.dialogs.get("reports")
        if reports is not None:
            cast("ReportsWindow", reports).notice_changes(changes)

    def shutdown(self) -> None:
        """Before the database closes: let a running send finish its current email."""
        self.email_status.shutdown()
        for dialog in self.dialogs.values():
            dialog.close()
