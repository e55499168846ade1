"""File > Email settings...: where notification emails go out, and a test send.

The fields are saved to the per-user settings file; the password goes to the OS keyring
only. "Send test email" uses the values on screen (saved or not) and runs on a worker
thread, so a slow or unreachable server never freezes the window.
"""

from __future__ import annotations

import ssl

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.errors import LeadDeskError
from leaddesk.notify.smtp_connection import send_test_email
from leaddesk.notify.smtp_settings import (
    DEFAULT_PORTS,
    Security,
    SmtpSettings,
    SmtpSettingsStore,
)
from leaddesk.ui.common.form_fields import CaFileRow, password_edit, port_spin
from leaddesk.ui.email.sender import BackgroundCalls

SECURITY_LABELS = {
    Security.NONE: "None (plain SMTP)",
    Security.STARTTLS: "STARTTLS",
    Security.SSL: "SSL/TLS",
}


class EmailSettingsDialog(QDialog):
    def __init__(
        self,
        store: SmtpSettingsStore | None = None,
        parent: QWidget | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emailSettingsDialog")
        self.setWindowTitle("Email settings")
        self.setMinimumWidth(520)  # the placeholders read in full
        self.store = store or SmtpSettingsStore()
        self.ssl_context = ssl_context
        self.calls = BackgroundCalls(self)
        self._security = Security.NONE
        self._stored: SmtpSettings | None = None

        self.host = QLineEdit(self)
        self.host.setObjectName("smtpHost")
        self.port = port_spin("smtpPort", DEFAULT_PORTS[Security.NONE], self)
        self.security = QComboBox(self)
        self.security.setObjectName("smtpSecurity")
        for value, label in SECURITY_LABELS.items():
            self.security.addItem(label, value.value)
        self.user = QLineEdit(self)
        self.user.setObjectName("smtpUser")
        self.user.setPlaceholderText("leave empty if the server needs no login")
        self.password = password_edit(
            "smtpPassword", self, "kept in the system keyring, never in a file"
        )
        self.from_address = QLineEdit(self)
        self.from_address.setObjectName("smtpFrom")
        self.ca_row = CaFileRow(
            edit_name="smtpCaFile",
            button_name="caFileBrowse",
            title="Trusted CA file",
            parent=self,
            placeholder="optional: a PEM file of your company's CA",
        )

        form = QFormLayout()
        form.addRow("SMTP &server:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("S&ecurity:", self.security)
        form.addRow("&User name:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("&From address:", self.from_address)
        form.addRow("Trusted &CA file:", self.ca_row)

        self.test_address = QLineEdit(self)
        self.test_address.setObjectName("testAddress")
        self.test_address.setPlaceholderText("send a test email to this address")
        self.test_button = QPushButton("Send test email", self)
        self.test_button.setObjectName("sendTestButton")
        self.test_button.clicked.connect(self.send_test)
        # The CA file's and the test address's lines end in one column, like the fields above.
        self.ca_row.browse_button.setMinimumWidth(self.test_button.sizeHint().width())
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_address)
        test_row.addWidget(self.test_button)
        test_label = QLabel("&Test:", self)
        test_label.setBuddy(self.test_address)
        form.addRow(test_label, test_row)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)

        self.error = QLabel(self)
        self.error.setObjectName("emailSettingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.test_result)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._load()
        self.security.currentIndexChanged.connect(self._security_changed)

    def settings_on_screen(self) -> SmtpSettings:
        """The settings as typed, checked; raises InvalidInputError with a sentence."""
        stored = self._stored or SmtpSettings()
        return stored.with_overrides(
            host=self.host.text(),
            port=self.port.value(),
            security=self.security.currentData(),
            user=self.user.text().strip(),
            from_address=self.from_address.text(),
            ca_file=self.ca_row.path(),
        ).validated()

    def save(self) -> None:
        """Save the file and the keyring entry; on a mistake, say so and stay open."""
        try:
            settings = self.settings_on_screen()
            password = self.password.text()
            if password and not settings.user:
                raise LeadDeskError("Enter the user name that goes with the password.")
            self.store.save(settings)
            if settings.user:
                self.store.set_password(settings, password)
            previous = self._stored
            if previous and previous.user and previous.keyring_account != settings.keyring_account:
                # The old account's password would otherwise linger in the keyring.
                self.store.set_password(previous, "")
        except LeadDeskError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self._stored = settings
        self.accept()

    def send_test(self) -> None:
        try:
            settings = self.settings_on_screen()
        except LeadDeskError as exc:
            self.test_result.setText(str(exc))
            return
        to_address = self.test_address.text().strip() or settings.from_address
        password = self.password.text() or None
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Sending a test email to {to_address}…")
        context = self.ssl_context

        def work() -> str:
            send_test_email(settings, password, to_address, ssl_context=context)
            return to_address

        self.calls.run(work, self._test_sent, self._test_failed)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        return self.calls.wait(msecs)

    def _test_sent(self, to_address: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(f"Test email sent to {to_address}.")

    def _test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(f"Test email not sent: {message}")

    def _load(self) -> None:
        try:
            self._stored = self.store.load()
        except LeadDeskError as exc:
            self._stored = None
            self.error.setText(f"{exc} The defaults are shown; Save replaces the file.")
        settings = self._stored or SmtpSettings()
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.security.setCurrentIndex(self.security.findData(settings.security.value))
        self._security = settings.security
        self.user.setText(settings.user)
        self.password.setText(self.store.password(settings) or "")
        self.from_address.setText(settings.from_address)
        self.ca_row.set_path(settings.ca_file)

    def _security_changed(self) -> None:
        new = Security(self.security.currentData())
        # Follow the usual port of the new security unless the user chose a special one.
        if self.port.value() == DEFAULT_PORTS[self._security]:
            self.port.setValue(DEFAULT_PORTS[new])
        self._security = new
