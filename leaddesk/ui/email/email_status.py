"""The status-bar item that shows the outbox: "3 emails waiting", "1 email failed", "All
emails sent"; a click opens the outbox list with a Retry button."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from leaddesk.notify.outbox_view import OutboxCounts
from leaddesk.notify.smtp_settings import SmtpSettingsStore
from leaddesk.store.database import Database
from leaddesk.ui.email.sender import AUTOSEND_ENV, SEND_DELAY_MS, SEND_INTERVAL_MS, EmailSender

if TYPE_CHECKING:
    import ssl

    from leaddesk.notify.sender import SendReport
    from leaddesk.ui.email.outbox_dialog import OutboxDialog


class EmailStatus(QWidget):
    """The status-bar item: how many emails wait or failed; a click opens the outbox."""

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        settings_store: SmtpSettingsStore | None = None,
        interval_ms: int = SEND_INTERVAL_MS,
        delay_ms: int = SEND_DELAY_MS,
        ssl_context: ssl.SSLContext | None = None,
        start: bool | None = None,
        recipient_id: int | None = None,
    ) -> None:
        """``start=None`` starts sending unless ``LEADDESK_EMAIL_AUTOSEND=0`` is set."""
        super().__init__(parent)
        self.setObjectName("emailStatus")
        self.email_sender = EmailSender(
            database,
            self,
            settings_store=settings_store,
            interval_ms=interval_ms,
            delay_ms=delay_ms,
            ssl_context=ssl_context,
            recipient_id=recipient_id,
        )
        self.button = QToolButton(self)
        self.button.setObjectName("emailStatusButton")
        self.button.setAutoRaise(True)
        self.button.setText("Email: checking…")
        self.button.setToolTip("Open the outbox: the emails LeadDesk sends about passes")
        self.button.clicked.connect(self.open_outbox)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        self.dialog: OutboxDialog | None = None
        self._problem = ""
        self.email_sender.counts_changed.connect(self._show_counts)
        self.email_sender.run_finished.connect(self._show_report)
        self.email_sender.problem.connect(self._show_problem)
        if start is None:
            start = os.environ.get(AUTOSEND_ENV, "1") != "0"
        if start:
            self.email_sender.start()
        else:
            self.email_sender.refresh()

    @property
    def text(self) -> str:
        return self.button.text()

    def notify_pass_done(self) -> None:
        self.email_sender.notify_pass_done()

    def open_outbox(self) -> OutboxDialog:
        from leaddesk.ui.email.outbox_dialog import OutboxDialog

        if self.dialog is None:
            self.dialog = OutboxDialog(self.email_sender, self.window())
        self.dialog.reload()
        if self.dialog.isVisible() and QGuiApplication.platformName() != "offscreen":
            # Bring an open list to the front (offscreen windows cannot be raised).
            self.dialog.raise_()
            self.dialog.activateWindow()
        self.dialog.show()
        return self.dialog

    def shutdown(self, msecs: int = 30_000) -> bool:
        return self.email_sender.shutdown(msecs)

    def _show_counts(self, counts: OutboxCounts) -> None:
        self.button.setText(counts.summary())

    def _show_report(self, report: SendReport) -> None:
        self._problem = ""
        tip = f"Last run: {report}."
        if report.last_error:
            tip += f"\nLast error: {report.last_error}"
        self.button.setToolTip(tip + "\nClick to open the outbox.")

    def _show_problem(self, message: str) -> None:
        self._problem = message
        self.button.setToolTip(f"Email cannot be sent: {message}\nClick to open the outbox.")
