"""*File > Connect to server… / Open database file… / Recent*: switching databases.

Switching opens the other database and its own main window (signed in as the server
login's user, or chosen from the list on a SQLite file), then closes this one. Every
database opened is remembered, without its password, and the window starts on the last.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from leaddesk.errors import LeadDeskError
from leaddesk.server.identity import needs_sign_in
from leaddesk.store.connections import ServerAddress
from leaddesk.store.database import Database, open_database
from leaddesk.ui.common.settings import recent_databases, remember_database
from leaddesk.ui.main.main_window import MainWindow
from leaddesk.ui.shell.connect_dialog import ConnectDialog
from leaddesk.ui.shell.window_switch import replace_window

# How a new window is built (shell.build's build_main_window, handed in to keep the
# imports one way).
WindowBuilder = Callable[[Database, "str | None"], MainWindow]


class DatabaseMenu(QObject):
    def __init__(self, window: MainWindow, build_window: WindowBuilder) -> None:
        super().__init__(window)
        self.setObjectName("databaseMenu")
        self.window = window
        self.build_window = build_window
        file_menu = window.file_menu
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.connect_action = self._action(
            "Connect to &server…", "connectServerAction", self.open_connect_dialog
        )
        self.open_file_action = self._action(
            "Open database &file…", "openDatabaseFileAction", self.open_file
        )
        self.recent_menu = QMenu("Recen&t", window)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        file_menu.insertAction(first, self.connect_action)
        file_menu.insertAction(first, self.open_file_action)
        file_menu.insertMenu(first, self.recent_menu)
        file_menu.insertSeparator(first)
        self.fill_recent()

    def _action(self, text: str, name: str, slot: object) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        current = self.window.context.database.display_url
        for url in recent_databases():
            action = self.recent_menu.addAction(url)
            action.setEnabled(url != current)
            action.triggered.connect(lambda _checked=False, chosen=url: self.switch_to(chosen))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def open_connect_dialog(self) -> ConnectDialog:
        database = self.window.context.database
        start = None if database.is_sqlite else ServerAddress.from_url(database.url)
        dialog = ConnectDialog(self.window, start)
        dialog.accepted.connect(lambda: dialog.chosen_url and self.switch_to(dialog.chosen_url))
        dialog.open()
        return dialog

    def open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open a LeadDesk database file",
            "",
            "LeadDesk files (*.sqlite3 *.db);;All files (*)",
        )
        if path:
            self.switch_to(path)

    def switch_to(self, url: str) -> MainWindow | None:
        """Open ``url`` in a new window and close this one; a failure is one line."""
        from leaddesk.ui.shell.sign_in_dialog import ask_who

        database = None
        try:
            database = open_database(url)
            actor = None
            with database.read() as session:
                asks = needs_sign_in(session)
            if asks:
                actor = ask_who(database, self.window)
                if actor is None:
                    database.dispose()
                    return None
            new = self.build_window(database, actor)
        except LeadDeskError as exc:
            if database is not None:
                database.dispose()
            self._show_error(str(exc))
            return None
        remember_database(database.display_url)
        return replace_window(self.window, new)

    def _show_error(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "LeadDesk", message, parent=self.window)
        box.setObjectName("switchDatabaseError")
        box.open()
