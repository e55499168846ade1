"""*File > Connect to server…*: host, port, database, login, password, TLS; Test; Connect.

The check runs off the GUI thread (a server over a VPN may take seconds to answer). The
password goes to the OS keyring only, when "Remember password" is on; the rest becomes a URL
without a password in the recent list. A failure is one line, never the password.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.errors import LeadDeskError
from leaddesk.store.connections import DEFAULT_PORT, TLS_MODES, ServerAddress, check_server
from leaddesk.store.database import display_url, store_db_password
from leaddesk.ui.common.form_fields import CaFileRow, password_edit, port_spin


class _CheckRelay(QObject):
    finished = Signal(object, str)  # ServerCheck or None, error line


class _Check(QRunnable):
    def __init__(self, address: ServerAddress, password: str, relay: _CheckRelay) -> None:
        super().__init__()
        self.address, self.password, self.relay = address, password, relay

    def run(self) -> None:
        try:
            result = check_server(self.address, self.password)
        except LeadDeskError as exc:
            self.relay.finished.emit(None, str(exc))
        else:
            self.relay.finished.emit(result, "")


class ConnectDialog(QDialog):
    """Accepted once a Connect check passed; ``chosen_url`` is then the URL to open."""

    def __init__(self, parent: QWidget | None = None, start: ServerAddress | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectDialog")
        self.setWindowTitle("Connect to server – LeadDesk")
        self.setMinimumWidth(460)  # room for a long host name or CA file path
        self.chosen_url: str | None = None
        self._connect_after_check = False
        self.relay = _CheckRelay(self)
        self.relay.finished.connect(self._checked)

        self.host_edit = self._line("hostEdit", start.host if start else "")
        self.port_spin = port_spin("portSpin", start.port if start else DEFAULT_PORT, self)
        self.database_edit = self._line("databaseEdit", start.database if start else "leaddesk")
        self.login_edit = self._line("loginEdit", start.login if start else "")
        self.password_edit = password_edit("passwordEdit", self)
        self.remember_box = QCheckBox("&Remember password (in the system keyring)", self)
        self.remember_box.setObjectName("rememberPasswordBox")
        self.remember_box.setChecked(True)
        self.tls_combo = QComboBox(self)
        self.tls_combo.setObjectName("tlsCombo")
        self.tls_combo.addItems(list(TLS_MODES))
        self.tls_combo.setCurrentText(start.tls if start else "off")
        self.ca_row = CaFileRow(
            edit_name="caFileEdit",
            button_name="caBrowseButton",
            title="CA file",
            parent=self,
        )
        self.ca_row.set_path(start.ca_file if start else "")
        self.tls_combo.currentTextChanged.connect(self._tls_changed)

        form = QFormLayout()
        form.addRow("&Host:", self.host_edit)
        form.addRow("&Port:", self.port_spin)
        form.addRow("&Database:", self.database_edit)
        form.addRow("&Login:", self.login_edit)
        form.addRow("Pass&word:", self.password_edit)
        form.addRow("", self.remember_box)
        form.addRow("&TLS:", self.tls_combo)
        form.addRow("C&A file:", self.ca_row)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("connectResult")
        self.result_label.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.test_button = buttons.addButton("T&est", QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.setObjectName("testConnectionButton")
        self.connect_button = buttons.addButton("&Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setObjectName("connectButton")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.test_button.clicked.connect(lambda: self._start_check(connect=False))
        self.connect_button.clicked.disconnect()
        self.connect_button.clicked.connect(lambda: self._start_check(connect=True))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)
        self._tls_changed(self.tls_combo.currentText())

    def _line(self, name: str, value: str) -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setObjectName(name)
        return edit

    def _tls_changed(self, mode: str) -> None:
        self.ca_row.setEnabled(mode == "verify-full")

    def address(self) -> ServerAddress:
        return ServerAddress(
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip(),
            login=self.login_edit.text().strip(),
            tls=self.tls_combo.currentText(),
            ca_file=self.ca_row.path(),
        )

    def _start_check(self, *, connect: bool) -> None:
        address = self.address()
        missing = [
            label
            for label, value in (
                ("host", address.host),
                ("database", address.database),
                ("login", address.login),
            )
            if not value
        ]
        if missing:
            self.result_label.setText(f"Fill in the {', '.join(missing)}.")
            return
        if address.tls == "verify-full" and not address.ca_file:
            self.result_label.setText("verify-full needs the CA file that signed the server.")
            return
        self._connect_after_check = connect
        self.test_button.setEnabled(False)
        self.connect_button.setEnabled(False)
        self.result_label.setText("Connecting…")
        QThreadPool.globalInstance().start(_Check(address, self.password_edit.text(), self.relay))

    def _checked(self, result: object, error: str) -> None:
        self.test_button.setEnabled(True)
        self.connect_button.setEnabled(True)
        if result is None:
            self.result_label.setText(error)
            return
        person = getattr(result, "person", None)
        who = f"you are {person}" if person else f"login {getattr(result, 'login', '')}"
        self.result_label.setText(f"Connected: a LeadDesk database; {who}.")
        if not self._connect_after_check:
            return
        url = self.address().url()
        password = self.password_edit.text()
        if password and self.remember_box.isChecked():
            store_db_password(url, password)
        self.chosen_url = display_url(url)
        self.accept()
