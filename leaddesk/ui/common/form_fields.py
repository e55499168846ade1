"""Fields of the forms that set up a connection (a database server, an SMTP server): a
port, a password, and a CA file to trust with its Browse… button."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget


def port_spin(name: str, port: int, parent: QWidget) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setObjectName(name)
    spin.setRange(1, 65535)
    spin.setValue(port)
    return spin


def password_edit(name: str, parent: QWidget, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class CaFileRow(QWidget):
    """A line for the path of a CA certificate file, and a Browse… button that picks one.

    Its label's mnemonic (a form's buddy) focuses the line; ``title`` names the line for a
    screen reader (the form's label is the row's, not the line's) and the file chooser.
    """

    def __init__(
        self,
        *,
        edit_name: str,
        button_name: str,
        title: str,
        parent: QWidget,
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.edit = QLineEdit(self)
        self.edit.setObjectName(edit_name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(title)
        self.browse_button = QPushButton("&Browse…", self)
        self.browse_button.setObjectName(button_name)
        self.browse_button.clicked.connect(self._choose)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # lines up with the form's other fields
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse_button)
        self.setFocusProxy(self.edit)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str) -> None:
        self.edit.setText(path)

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.title, "", "Certificates (*.pem *.crt);;All files (*)"
        )
        if path:
            self.edit.setText(path)
