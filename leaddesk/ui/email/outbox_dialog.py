"""The outbox list: every notification with its status, tries and last error; Retry failed.

Opened from the status-bar item (:class:`leaddesk.ui.email.email_status.EmailStatus`). Listing,
retrying and sending run through the window's :class:`EmailSender` on its worker thread.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.notify.outbox_view import OutboxCounts, OutboxEntry
from leaddesk.ui.email.sender import EmailSender

if TYPE_CHECKING:
    from leaddesk.notify.sender import SendReport


class OutboxDialog(QDialog):
    """The outbox list: every email with its status and last error; Retry for failed ones."""

    HEADERS = ("ID", "To", "Subject", "Status", "Tries", "Next try", "Last error")

    def __init__(self, sender: EmailSender, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.email_sender = sender
        self.setObjectName("outboxDialog")
        self.setWindowTitle("Outbox")
        self.resize(900, 420)
        self.entries: list[OutboxEntry] = []
        self._reads = 0  # reloads asked for; an answer to an older one is dropped
        self._loading = False

        self.summary = QLabel(self)
        self.summary.setObjectName("outboxSummary")
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setObjectName("outboxTable")
        self.table.setAccessibleName("Queued emails")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.message = QLabel(self)
        self.message.setObjectName("outboxMessage")
        self.message.setWordWrap(True)

        self.retry_button = QPushButton("Retry failed", self)
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setToolTip("Queue the selected failed emails (or all failed) again")
        self.retry_button.clicked.connect(self.retry)
        self.send_button = QPushButton("Send now", self)
        self.send_button.setObjectName("sendNowButton")
        self.send_button.clicked.connect(self.email_sender.send_now)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self.email_sender.run_finished.connect(self._after_run)
        self.email_sender.counts_changed.connect(self._show_counts)
        self._show_counts(self.email_sender.counts)
        self._update_buttons()

    @property
    def loading(self) -> bool:
        """True while the list of emails is being read."""
        return self._loading

    def reload(self) -> None:
        """Read the list on the sender's thread; only the newest answer fills the table."""
        self._reads += 1
        serial = self._reads
        self._loading = True
        self.table.setCursor(Qt.CursorShape.BusyCursor)
        if not self.entries:
            self.table.setRowCount(1)
            placeholder = QTableWidgetItem("Loading…")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.table.setItem(0, 1, placeholder)

        def filled(entries: list[OutboxEntry]) -> None:
            if serial == self._reads:
                self._loaded()
                self._fill(entries)

        def failed(message: str) -> None:
            if serial == self._reads:
                self._loaded()
                if not self.entries:
                    self.table.setRowCount(0)
                self._show_error(message)

        self.email_sender.list_rows(filled, failed)

    def _loaded(self) -> None:
        self._loading = False
        self.table.unsetCursor()

    def retry(self) -> None:
        selected = [
            self.entries[index.row()].id
            for index in self.table.selectionModel().selectedRows()
            if self.entries[index.row()].status == "failed"
        ]
        self.retry_button.setEnabled(False)
        self.email_sender.retry(selected or None, self._retried, self._show_error)

    def _retried(self, count: int) -> None:
        noun = "email" if count == 1 else "emails"
        self.message.setText(f"{count} failed {noun} queued again; sending…")
        self.reload()

    def _after_run(self, report: SendReport) -> None:
        text = f"Last run: {report}."
        if report.last_error:
            text += f" Last error: {report.last_error}"
        self.message.setText(text)
        if self.isVisible():
            self.reload()

    def _show_counts(self, counts: OutboxCounts) -> None:
        self.summary.setText(
            f"{counts.summary()}. Sent: {counts.sent:,}; waiting: {counts.waiting:,}; "
            f"failed: {counts.failed:,}."
        )
        self._update_buttons()

    def _show_error(self, message: str) -> None:
        self.message.setText(message)
        self._update_buttons()

    def _fill(self, entries: list[OutboxEntry]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (
                str(entry.id),
                entry.recipient,
                entry.subject,
                entry.status,
                str(entry.attempts),
                _next_try(entry),
                entry.last_error or "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 6 and value:
                    item.setToolTip(value)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def _update_buttons(self) -> None:
        any_failed = self.email_sender.counts.failed > 0 or any(
            entry.status == "failed" for entry in self.entries
        )
        self.retry_button.setEnabled(any_failed)


def _next_try(entry: OutboxEntry) -> str:
    """When a waiting email is tried again, in local time; empty when that is 'now'."""
    if entry.status != "queued" or entry.attempts == 0 or entry.next_attempt_at is None:
        return ""
    local = entry.next_attempt_at.replace(tzinfo=UTC).astimezone()
    return local.strftime("%H:%M:%S")
