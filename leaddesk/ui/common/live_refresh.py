"""Live refresh: other people's passes and administrative changes reach the open window.

A watcher thread (``leaddesk.server.changes``: LISTEN on PostgreSQL, ``data_version`` on a
SQLite file) hands what it hears to the GUI thread by a queued signal; what arrives within a
quarter of a second is coalesced into one :class:`Changes`, so a burst of passes (or our own
pass, which the window already reloaded for) costs one reload, not many.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from leaddesk.server.changes import ChangeListener, Changes, DataVersionWatcher, watch_changes
from leaddesk.store.database import Database

COALESCE_MS = 250


class LiveRefresh(QObject):
    """Emits ``changed_elsewhere(Changes)`` on the GUI thread after commits elsewhere."""

    changed_elsewhere = Signal(object)
    _heard = Signal(object)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveRefresh")
        self._pending: Changes | None = None
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._flush)
        self._heard.connect(self._collect, Qt.ConnectionType.QueuedConnection)
        self.watcher: ChangeListener | DataVersionWatcher | None = None
        try:
            self.watcher = watch_changes(database.url, self._relay)
        except Exception:
            # No listening connection (the server refused a second one): the window still
            # works and reloads after its own changes; it only misses other people's live.
            self.watcher = None

    @property
    def listening(self) -> bool:
        return self.watcher is not None

    def _relay(self, changes: Changes) -> None:
        """Runs on the watcher's thread; the window may be gone by then."""
        if shiboken6.isValid(self):
            self._heard.emit(changes)

    def _collect(self, changes: Changes) -> None:
        if self._stopped:  # heard before stop(), delivered after: the window has closed
            return
        self._pending = changes if self._pending is None else self._pending.merged(changes)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        changes, self._pending = self._pending, None
        if changes is not None and not self._stopped:
            self.changed_elsewhere.emit(changes)

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        if self.watcher is not None:
            watcher, self.watcher = self.watcher, None
            watcher.stop()
