"""Help > About LeadDesk: the version, the Qt and Python it runs on, the database in use and
the keyring that holds its passwords; the text can be selected and copied for support."""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from leaddesk.about import AboutFacts, about_facts
from leaddesk.store.database import Database
from leaddesk.ui.common import icons

ICON_SIZE = 64


def window_facts(database: Database) -> AboutFacts:
    kind = "SQLite" if database.is_sqlite else "PostgreSQL"
    return about_facts(
        f"{kind}: {database.display_url}", qt=f"{qVersion()} (PySide6 {pyside_version})"
    )


class AboutDialog(QDialog):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About LeadDesk")
        self.setMinimumWidth(440)
        facts = window_facts(database)

        icon = QLabel(self)
        icon.setPixmap(icons.app_icon().pixmap(ICON_SIZE, ICON_SIZE))
        title = QLabel(f"<b>LeadDesk</b> {facts.version}", self)
        title.setObjectName("aboutTitle")
        blurb = QLabel(
            "Passes leads between people: drag a lead, a status or a whole user onto a "
            "user, office or pass group.",
            self,
        )
        blurb.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(blurb)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        form = QFormLayout()
        for label, value, name in (
            ("Version", facts.version, "versionValue"),
            ("Qt", facts.qt, "qtValue"),
            ("Python", facts.python, "pythonValue"),
            ("Database", facts.database, "databaseValue"),
            ("Keyring", facts.keyring, "keyringValue"),
        ):
            field = QLabel(value, self)
            field.setObjectName(name)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", field)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(buttons)
