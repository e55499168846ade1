"""The window's email sender: sends queued notifications on a worker thread.

:class:`EmailSender` sends shortly after each pass and every minute, never on the GUI
thread; a down or slow SMTP server only delays the worker. :class:`BackgroundCalls` runs
one-off calls (a test email, a retry) the same way. No SQL here: the work is done by
``leaddesk.notify`` functions.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from leaddesk.errors import LeadDeskError
from leaddesk.notify.outbox_view import OutboxCounts, OutboxEntry, list_outbox, outbox_counts
from leaddesk.notify.smtp_settings import SmtpSettingsStore, get_password
from leaddesk.store.database import Database

if TYPE_CHECKING:
    import ssl

    from leaddesk.notify.sender import SendReport

log = logging.getLogger(__name__)

# "0" keeps the window from sending by itself (window tests that inspect the outbox, or a
# desk where only a scheduled `leaddesk outbox send` should send).
AUTOSEND_ENV = "LEADDESK_EMAIL_AUTOSEND"
SEND_INTERVAL_MS = 60_000
# Long enough to gather a burst of passes into one run, short enough to feel immediate.
SEND_DELAY_MS = 1_500


class _Relay(QObject):
    """Lives on the GUI thread; its slots receive the worker's result by queued signal."""

    done = Signal(object)
    error = Signal(str)

    def __init__(
        self, on_done: Callable[[Any], None], on_error: Callable[[str], None] | None
    ) -> None:
        super().__init__()
        self.on_done = on_done
        self.on_error = on_error
        self.done.connect(self._deliver_done)
        self.error.connect(self._deliver_error)
        self.finished: Callable[[_Relay], None] = lambda _relay: None

    @Slot(object)
    def _deliver_done(self, result: object) -> None:
        try:
            self.on_done(result)
        finally:
            self.finished(self)

    @Slot(str)
    def _deliver_error(self, message: str) -> None:
        try:
            if self.on_error is not None:
                self.on_error(message)
        finally:
            self.finished(self)


class _Call(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except LeadDeskError as exc:
            self.relay.error.emit(str(exc))
        except Exception as exc:  # no traceback may reach the user
            log.error("background email work failed: %s", traceback.format_exc())
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            self.relay.error.emit(f"Something went wrong: {first[0] if first else exc!r}")
        else:
            self.relay.done.emit(result)


class BackgroundCalls(QObject):
    """Runs plain functions on its own thread pool and calls back on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, threads: int = 1) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        relay = _Relay(on_done, on_error)
        relay.finished = self._relays.discard
        self._relays.add(relay)
        self.pool.start(_Call(work, relay))

    @property
    def pending(self) -> int:
        return len(self._relays)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


class EmailSender(QObject):
    """Sends the outbox in the background: soon after each pass and every ``interval_ms``."""

    counts_changed = Signal(object)  # OutboxCounts
    run_finished = Signal(object)  # SendReport
    problem = Signal(str)  # a sentence: settings unreadable, database unreachable, ...

    def __init__(
        self,
        database: Database,
        parent: QObject | None = None,
        *,
        settings_store: SmtpSettingsStore | None = None,
        interval_ms: int = SEND_INTERVAL_MS,
        delay_ms: int = SEND_DELAY_MS,
        ssl_context: ssl.SSLContext | None = None,
        recipient_id: int | None = None,
    ) -> None:
        """``recipient_id``: whose emails the outbox lists (None: everyone's, for an admin)."""
        super().__init__(parent)
        self.database = database
        self.recipient_id = recipient_id
        self.settings_store = settings_store or SmtpSettingsStore()
        self.ssl_context = ssl_context
        self.sender_id: str | None = None  # made on the first send (see _send_in_background)
        self.calls = BackgroundCalls(self)
        self.counts = OutboxCounts()
        self.last_report: SendReport | None = None
        self._sending = False
        self._again = False
        self._stopped = False
        self._automatic = False
        # Tells a running send to finish the current email and hand the rest back.
        self._stop_event = threading.Event()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.send_now)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(delay_ms)
        self.soon.timeout.connect(self.send_now)

    @property
    def sending(self) -> bool:
        return self._sending

    def start(self) -> None:
        """Begin the periodic sending, with a first run shortly."""
        self._stopped = False
        self._automatic = True
        self._stop_event.clear()
        self.timer.start()
        self.soon.start()
        self.refresh()

    def notify_pass_done(self) -> None:
        """A pass was made: send its emails shortly (several passes share one run)."""
        if self._automatic and not self._stopped:
            self.soon.start()
        self.refresh()

    @Slot()
    def send_now(self) -> None:
        if self._stopped:
            return
        if self._sending:
            self._again = True  # a pass during a run: go again right after it
            return
        self._sending = True
        self.calls.run(self._send_in_background, self._sent, self._send_problem)

    def refresh(self) -> None:
        """Re-read the counts (after a pass, a retry, or when a dialog opens)."""
        if self._stopped:
            return
        self.calls.run(lambda: outbox_counts(self.database), self._set_counts, self.problem.emit)

    def retry(
        self,
        ids: list[int] | None,
        on_done: Callable[[int], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Queue failed rows again (all of them when ``ids`` is None), then send."""

        def done(count: int) -> None:
            if on_done is not None:
                on_done(count)
            self.refresh()
            self.send_now()

        def retry_in_background() -> int:
            from leaddesk.notify.sender import retry_failed

            return retry_failed(self.database, ids)

        self.calls.run(retry_in_background, done, on_error)

    def list_rows(
        self, on_done: Callable[[list[OutboxEntry]], None], on_error: Callable[[str], None]
    ) -> None:
        self.calls.run(
            lambda: list_outbox(self.database, recipient_id=self.recipient_id), on_done, on_error
        )

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Stop the timers, let a running send finish its current email, and wait for it.

        Returns True when nothing is left running. Call it before the window closes.
        """
        self._stopped = True
        self._automatic = False
        self._stop_event.set()
        self.timer.stop()
        self.soon.stop()
        return self.calls.wait(msecs)

    def _send_in_background(self) -> tuple[SendReport, OutboxCounts]:
        # SMTP, TLS and email modules load here, on the worker, not before the first paint.
        from leaddesk.notify.sender import new_sender_id, send_queued

        if self.sender_id is None:
            self.sender_id = new_sender_id()
        # Each tick also queues the reminders of overdue buckets this login sees (once per
        # bucket and period however many windows tick; see notify.reminders).
        if not self.database.read_only:
            from leaddesk.notify.reminders import queue_reminders
            from leaddesk.reassignment.retry import write_with_retry

            write_with_retry(self.database, queue_reminders)
        # Read settings and password here, not at start: the user may have changed them.
        settings = self.settings_store.load()
        password = get_password(settings)
        report = send_queued(
            self.database,
            settings,
            password,
            sender_id=self.sender_id,
            ssl_context=self.ssl_context,
            stop=self._stop_event,
        )
        return report, outbox_counts(self.database)

    def _sent(self, result: tuple[SendReport, OutboxCounts]) -> None:
        report, counts = result
        self._sending = False
        self.last_report = report
        self._set_counts(counts)
        self.run_finished.emit(report)
        self._maybe_again()

    def _send_problem(self, message: str) -> None:
        self._sending = False
        self.problem.emit(message)
        self._maybe_again()

    def _maybe_again(self) -> None:
        if self._again:
            self._again = False
            self.send_now()

    def _set_counts(self, counts: OutboxCounts) -> None:
        self.counts = counts
        self.counts_changed.emit(counts)
