"""Sign in: choose who you are from the active users; the choice is remembered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.store import tree_queries
from leaddesk.store.database import Database
from leaddesk.ui.common import icons
from leaddesk.ui.common.settings import app_settings

LAST_USER_KEY = "signIn/lastUser"


def active_user_names(database: Database) -> list[str]:
    with database.read() as session:
        return tree_queries.active_user_names(session)


def remembered_user() -> str | None:
    value = app_settings().value(LAST_USER_KEY)
    return str(value) if value else None


def remember_user(name: str) -> None:
    settings = app_settings()
    settings.setValue(LAST_USER_KEY, name)
    settings.sync()


class SignInDialog(QDialog):
    """``signInDialog`` with the list ``signInList``; inactive users are not offered."""

    def __init__(self, names: list[str], database_label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in to LeadDesk")
        self.setWindowIcon(icons.app_icon())
        intro = QLabel(f"Who are you?\nDatabase: {database_label}", self)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("signInList")
        for name in names:
            item = QListWidgetItem(icons.user_icon(), name)
            self.list.addItem(item)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.resize(360, 420)
        last = remembered_user()
        matches = self.list.findItems(last, Qt.MatchFlag.MatchExactly) if last else []
        self.list.setCurrentItem(matches[0] if matches else self.list.item(0))

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item is not None else None

    def accept(self) -> None:
        name = self.chosen()
        if name is None:
            return
        remember_user(name)
        super().accept()


def ask_who(database: Database, parent: QWidget | None = None) -> str | None:
    """The chosen user's name, or None when the person cancels."""
    dialog = SignInDialog(active_user_names(database), database.display_url, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()
