"""Running controller calls off the GUI thread and reporting back by signals.

Shaped after Anki's ``aqt/operations``: a mutating operation is a small function that takes a
write ``Session`` and returns a result; it runs on a worker thread inside one transaction,
and the GUI hears back through ``succeeded`` / ``failed`` on the GUI thread. Every finished
write also emits ``OperationRunner.changed`` so views refresh from the database.

Reads have a lane of their own (:meth:`OperationRunner.query`): they never wait behind a
long pass, never block the GUI thread (a read over a slow link costs its round trips on a
worker), and a read asked again under the same key drops the older answer, so a view never
shows a result the person has already moved on from. A read names its ``receiver`` (the
window or model the answer is for): an answer arriving after the receiver was deleted (its
window closed, or replaced by File > Connect…) is dropped, instead of running the window's
code on a deleted object. A window that closes drops the answers it asked for (it may be
closed without being deleted: :meth:`OperationRunner.drop_answers_for`) and waits only for
its writes (:meth:`OperationRunner.wait_for_writes`): a read has nothing to lose, while a
pass must not be cut off by the database closing.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from leaddesk.errors import DatabaseUnavailableError, LeadDeskError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leaddesk.store.database import Database

log = logging.getLogger(__name__)

Work = Callable[["Session"], Any]


class _Relay(QObject):
    """Lives on the GUI thread; queued signal delivery moves results back onto it."""

    done = Signal(object)
    error = Signal(str, object)


class _Job(QRunnable):
    # Called on the worker thread once the job has given its connection back.
    ended: Callable[[], None] | None = None

    def __init__(self, database: Database, work: Work, write: bool, relay: _Relay) -> None:
        super().__init__()
        self.database = database
        self.work = work
        self.write = write
        self.relay = relay

    def run(self) -> None:
        try:
            self._run()
        finally:
            if self.ended is not None:
                self.ended()

    def _run(self) -> None:
        # Here, not at the top: the window is built and painted before SQLAlchemy loads.
        from sqlalchemy.exc import SQLAlchemyError

        from leaddesk.reassignment.retry import write_with_retry

        delivered = False

        def fail(message: str, exc: BaseException) -> None:
            if delivered:  # only the read's closing ROLLBACK failed: its answer stands
                log.warning("closing a read failed after its answer: %s", message)
            else:
                self.relay.error.emit(message, exc)

        try:
            if self.write:
                # The controller's write path: a deadlock reruns the work, a database that
                # stays busy becomes one sentence.
                result = write_with_retry(self.database, self.work)
            else:
                with self.database.read() as session:
                    result = self.work(session)
                    # Handed over before the read's ROLLBACK, which then runs while the
                    # GUI thread already shows the answer: behind a slow link that round
                    # trip is off the person's way (a read's answer is plain data).
                    self.relay.done.emit(result)
                    delivered = True
                return
        except LeadDeskError as exc:
            fail(str(exc), exc)
        except SQLAlchemyError as exc:
            log.error("database error in operation: %s", traceback.format_exc())
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            fail(f"The database reported an error: {first}", exc)
        except Exception as exc:  # no traceback may reach the user
            log.error("unexpected error in operation: %s", traceback.format_exc())
            fail(f"Something went wrong: {exc}", exc)
        else:
            self.relay.done.emit(result)


# Three: when the window opens, the Leads to be Assigned tab and the undo offer ask before
# the trees do; with two threads the trees' read waited for one of them to end (behind a
# 50 ms round trip the window was ready about 0.2 s later).
READ_THREADS = 3


class OperationRunner(QObject):
    """Runs writes on a one-thread pool so writes from this window never overlap, and reads
    on a small pool of their own."""

    changed = Signal()
    busy_changed = Signal(bool)
    # A read or write failed because the database cannot be reached (the connection
    # dropped): the offline mode (shell.offline_mode) switches to this computer's copy.
    unreachable = Signal(str)

    def __init__(self, database: Database | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # None while the window's database is still opening (WindowContext.connecting):
        # nothing is run before WindowContext.sign_in sets it.
        self.database = database
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.read_pool = QThreadPool(self)
        self.read_pool.setMaxThreadCount(READ_THREADS)
        self._pending = 0
        self._relays: set[_Relay] = set()
        self._newest_read: dict[str, int] = {}
        self._read_serial = 0
        # The receivers of the reads still on their way, and which of them were dropped.
        self._receivers: dict[int, QObject] = {}
        self._dropped: set[int] = set()
        # Reads started and not yet ended (counted on the reader threads too, hence the
        # lock), and whether the last of them disposes the database (close_database).
        self._reads_lock = threading.Lock()
        self._reads_running = 0
        self._dispose_after_reads = False

    @property
    def busy(self) -> bool:
        return self._pending > 0

    @property
    def idle(self) -> bool:
        """No write or read is on its way and every answer has been handed over; unlike
        ``wait_idle`` this asks without waiting, so the event loop can run meanwhile."""
        return not self._relays

    def run(
        self,
        work: Work,
        *,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[str, BaseException], None] | None = None,
        write: bool = True,
    ) -> None:
        relay = _Relay()
        self._relays.add(relay)
        self._set_pending(self._pending + 1)

        def finished() -> None:
            self._relays.discard(relay)
            self._set_pending(self._pending - 1)
            if write:
                self.changed.emit()

        def done(result: object) -> None:
            try:
                if on_success is not None:
                    on_success(result)
            finally:
                finished()

        def failed(message: str, exc: BaseException) -> None:
            try:
                if on_error is not None:
                    on_error(message, exc)
            finally:
                finished()
                self._tell_if_unreachable(message, exc)

        relay.done.connect(done)
        relay.error.connect(failed)
        self.pool.start(_Job(self.database, work, write, relay))

    def query(
        self,
        read: Work,
        on_done: Callable[[Any], None],
        *,
        on_error: Callable[[str, BaseException], None] | None = None,
        key: str | None = None,
        receiver: QObject | None = None,
    ) -> None:
        """Run ``read`` in a read-only session off the GUI thread; ``on_done(result)`` on it.

        With a ``key``, only the newest request under that key is delivered: a search typed
        on, or a tree reloaded again before the first answer came, drops the older answer.
        With a ``receiver``, nothing is delivered once it has been deleted, or once
        :meth:`drop_answers_for` dropped its answers.
        Reads do not emit ``changed`` and do not count as busy (the busy bar is for writes).
        """
        self._read_serial += 1
        serial = self._read_serial
        if key is not None:
            self._newest_read[key] = serial
        relay = _Relay()
        self._relays.add(relay)
        if receiver is not None:
            self._receivers[serial] = receiver

        def current() -> bool:
            self._receivers.pop(serial, None)
            if serial in self._dropped:
                self._dropped.discard(serial)
                return False
            if receiver is not None and not shiboken6.isValid(receiver):
                return False
            return key is None or self._newest_read.get(key) == serial

        def done(result: object) -> None:
            self._relays.discard(relay)
            if current():
                on_done(result)

        def failed(message: str, exc: BaseException) -> None:
            self._relays.discard(relay)
            if current() and on_error is not None:
                on_error(message, exc)
            self._tell_if_unreachable(message, exc)

        relay.done.connect(done)
        relay.error.connect(failed)
        job = _Job(self.database, read, False, relay)
        job.ended = self._read_ended
        with self._reads_lock:
            self._reads_running += 1
        self.read_pool.start(job)

    def _read_ended(self) -> None:
        """On the reader thread, after the read's session closed."""
        with self._reads_lock:
            self._reads_running -= 1
            dispose = self._dispose_after_reads and self._reads_running == 0
        if dispose and self.database is not None:
            self.database.dispose()

    def close_database(self) -> None:
        """Dispose the database (its window closed) once the reads still on their way have
        given their connections back, now if none is: a connection out when the engine is
        disposed stays open, in a pool nobody closes any more."""
        with self._reads_lock:
            later = self._reads_running > 0
            self._dispose_after_reads = later
        if not later and self.database is not None:
            self.database.dispose()

    def background(
        self,
        task: Callable[[], Any],
        on_done: Callable[[Any], None],
        *,
        on_error: Callable[[str, BaseException], None] | None = None,
        key: str | None = None,
        receiver: QObject | None = None,
    ) -> None:
        """Run ``task()`` (no session of this window's database: a sync, a reachability
        check, another database) on the read lane, with the same reporting as ``query``.

        The session the lane opens is never used, so it never connects.
        """
        self.query(lambda _session: task(), on_done, on_error=on_error, key=key, receiver=receiver)

    def _tell_if_unreachable(self, message: str, exc: BaseException) -> None:
        # The runner may be gone with its window (switched away, deleted on close) while
        # the answer was queued for the GUI thread: nobody is left to tell.
        if isinstance(exc, DatabaseUnavailableError) and shiboken6.isValid(self):
            self.unreachable.emit(message)

    def forget_reads(self, key: str) -> None:
        """Drop whatever answer is still on its way under ``key`` (the view was closed)."""
        self._newest_read.pop(key, None)

    def drop_answers_for(self, owner: QObject) -> None:
        """Drop the answers still on their way to ``owner`` or to anything inside it (its
        window closed; a window that is only closed, not deleted, would still be valid)."""
        for serial, receiver in self._receivers.items():
            if shiboken6.isValid(receiver) and _is_within(receiver, owner):
                self._dropped.add(serial)

    def wait_for_writes(self, msecs: int = 30_000) -> bool:
        """Block until no write is running or waiting: a pass is one transaction, and the
        window closing lets it finish. Reads on their way are not waited for."""
        return self.pool.waitForDone(msecs)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs) and self.read_pool.waitForDone(msecs)

    def _set_pending(self, value: int) -> None:
        was_busy = self.busy
        self._pending = value
        if was_busy != self.busy:
            self.busy_changed.emit(self.busy)


def _is_within(thing: QObject, owner: QObject) -> bool:
    current: QObject | None = thing
    while current is not None:
        if current is owner:
            return True
        current = current.parent()
    return False
