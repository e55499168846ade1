"""The window offline: working on this computer's copy of a server, and coming back.

Every main window gets an :class:`OfflineMode` (``shell.build``). What it does depends on
the database the window is on:

- **a server**: *File > Keep a copy for offline work…* makes the copy (a replica, see
  ``leaddesk.offline``), *File > Sync now* brings it up to date. When a read or a pass fails
  because the server cannot be reached, the window is replaced by one on the copy of that
  server and person; without a copy, a red strip says the server is unreachable and offers
  *Retry* (tried by itself every 30 s too).
- **a copy (replica)**: an amber strip says so ("Offline: working on this computer's copy
  from 10:42. 3 passes wait to be sent."). Every 30 s, and on *File > Sync now*, the server
  is tried off the GUI thread; when it answers, the copy syncs by itself, the window is
  replaced by one on the server, and a green strip there says what the sync did, with a
  button to the *Sync conflicts* dialog.
- **a plain SQLite file**: nothing (the menu entries are hidden).

All network and file work runs on the window's read lane (``OperationRunner.background``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from leaddesk.errors import LeadDeskError
from leaddesk.store.database import Database, open_database
from leaddesk.store.replica_marker import ReplicaPerson, replica_person
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.main.main_window import MainWindow
from leaddesk.ui.shell.offline_banner import (
    BannerKind,
    OfflineBanner,
    attach_banner,
    clock_time,
    offline_text,
    plural,
    sync_text,
    unreachable_reason,
    unreachable_text,
    waiting_text,
)
from leaddesk.ui.shell.window_switch import replace_window

if TYPE_CHECKING:
    from leaddesk.offline import ReplicaInfo, SyncReport
    from leaddesk.ui.shell.offline_copy import KeepCopy

RETRY_MS = 30_000

# How a window is built (shell.build's build_main_window, handed in to keep imports one way).
WindowBuilder = Callable[[Database, "str | None"], MainWindow]


@dataclass(frozen=True)
class _Back:
    """A finished come-back: what the sync did, and the server opened for the new window."""

    report: SyncReport
    server: Database
    # Passes made on the copy while it synced: they wait in its journal for the next sync.
    waiting: int = 0


def offline_mode_of(window: QWidget) -> OfflineMode | None:
    return window.findChild(OfflineMode, "offlineMode")


class OfflineMode(QObject):
    def __init__(self, window: MainWindow, build_window: WindowBuilder) -> None:
        super().__init__(window)
        self.setObjectName("offlineMode")
        self.window = window
        self.build_window = build_window
        self.context = window.context
        self.runner = window.context.runner
        self.replica: ReplicaInfo | None = None
        self.replica_checked = not self.context.database.is_sqlite
        self.offline_banner: OfflineBanner | None = None
        self.unreachable_banner: OfflineBanner | None = None
        self.notice_banner: OfflineBanner | None = None
        self._busy = False
        self._stopped = False
        self._going_offline = False
        self.retry_timer = QTimer(self)
        self.retry_timer.setObjectName("offlineRetryTimer")
        self.retry_timer.setInterval(RETRY_MS)
        self.retry_timer.timeout.connect(self._retry_by_itself)
        self._add_actions()
        window.closing.connect(self.stop)
        database = self.context.database
        if database.is_sqlite:
            # Whether this file is a copy of a server: one small read off the GUI thread
            # (the offline core loads only for a copy).
            self.runner.query(replica_person, self._on_replica_person, key="offline-replica")
        else:
            self.runner.unreachable.connect(self.connection_lost)

    # -- the menu --------------------------------------------------------------------------

    def _add_actions(self) -> None:
        window = self.window
        self.keep_copy_action = self._action(
            "&Keep a copy for offline work…", "keepOfflineCopyAction", self.keep_copy
        )
        self.keep_copy_flow: KeepCopy | None = None
        self.sync_action = self._action("S&ync now", "syncNowAction", self.sync_now)
        self.conflicts_action = self._action(
            "Sync &conflicts…", "syncConflictsAction", self.open_conflicts
        )
        before = window.refresh_action
        for action in (self.keep_copy_action, self.sync_action, self.conflicts_action):
            window.file_menu.insertAction(before, action)
        window.file_menu.insertSeparator(before)
        if self.context.database.is_sqlite:
            # Shown once the file turns out to be a copy (a plain file has nothing to sync).
            for action in (self.keep_copy_action, self.sync_action, self.conflicts_action):
                action.setVisible(False)

    def _action(self, text: str, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    @property
    def server_url(self) -> str:
        return self.replica.server_url if self.replica else self.context.database.display_url

    @property
    def on_replica(self) -> bool:
        return self.replica is not None

    def _retry_by_itself(self) -> None:
        if self.replica is not None:
            self.try_server()
        elif self.unreachable_banner is not None:
            self.retry_server()

    # -- on a copy ---------------------------------------------------------------------

    def _on_replica_person(self, person: ReplicaPerson | None) -> None:
        if person is None:
            self.replica_checked = True
            return
        path = str(self.context.database.url.database)
        self.runner.background(
            lambda: _core().replica_info(path), self._on_replica_info, key="offline-replica-info"
        )

    def _on_replica_info(self, info: ReplicaInfo | None) -> None:
        self.replica_checked = True
        if self._stopped or info is None:
            return
        first = self.replica is None
        self.replica = info
        if first:
            self.sync_action.setVisible(True)
            self.conflicts_action.setVisible(True)
            self.offline_banner = OfflineBanner(BannerKind.OFFLINE, self.window)
            self.banner_sync_button = self.offline_banner.add_button("Sync now", "bannerSyncButton")
            self.banner_sync_button.setToolTip(f"Try {info.server_url} now and send the passes")
            self.banner_sync_button.clicked.connect(self.sync_now)
            self.banner_conflicts_button = self.offline_banner.add_button(
                "Sync conflicts…", "bannerConflictsButton"
            )
            self.banner_conflicts_button.clicked.connect(self.open_conflicts)
            attach_banner(self.window, self.offline_banner)
            # A pass made here waits in the journal: the count on the strip follows it.
            self.runner.changed.connect(self._reread_replica)
            self.retry_timer.start()
        self._show_offline_text()

    def _reread_replica(self) -> None:
        if self.replica is not None and not self._stopped:
            path = self.replica.path
            self.runner.background(
                lambda: _core().replica_info(path),
                self._on_replica_info,
                key="offline-replica-info",
            )

    def _show_offline_text(self, extra: str = "") -> None:
        info = self.replica
        if info is None or self.offline_banner is None:
            return
        text = offline_text(
            info.last_sync_at or info.created_at, info.pending_passes, info.open_conflicts
        )
        self.offline_banner.set_text(f"{text} {extra}".strip())
        self.offline_banner.setToolTip(f"A copy of {info.server_url} kept at {info.path}")
        self.banner_conflicts_button.setVisible(info.open_conflicts > 0)

    def try_server(self) -> None:
        """On a copy: if the server answers, sync and switch the window back to it."""
        if self.replica is None or self._busy or self._stopped:
            return
        self._set_busy(True)
        path, url = self.replica.path, self.replica.server_url

        def come_back() -> _Back | None:
            if not _core().server_reachable(url):
                return None
            report = _core().sync_replica(path)
            waiting = _core().replica_info(path).pending_passes
            return _Back(report=report, server=open_database(url), waiting=waiting)

        self.runner.background(
            come_back, self._came_back, on_error=self._come_back_failed, key="offline-try-server"
        )

    def _came_back(self, back: _Back | None) -> None:
        self._set_busy(False)
        if self._stopped:
            if back is not None:
                back.server.dispose()
            return
        if back is None:
            self._show_offline_text(f"Tried at {clock_time(_now())}: no answer from the server.")
            return
        assert self.replica is not None
        try:
            new = self.build_window(back.server, self.replica.actor_name)
        except LeadDeskError as exc:
            back.server.dispose()
            self._show_offline_text(f"Synced, but the server's window cannot open: {exc}")
            return
        mode = offline_mode_of(new)
        if mode is not None:
            mode.show_sync_result(back.report, back_online=True, waiting=back.waiting)
        replace_window(self.window, new)

    def _come_back_failed(self, message: str, _exc: BaseException) -> None:
        self._set_busy(False)
        # Unreachable mid-sync (the journal is untouched) or a refusal: one line on the strip.
        self._show_offline_text(f"Tried at {clock_time(_now())}: {message}")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sync_action.setEnabled(not busy)
        if self.offline_banner is not None:
            self.banner_sync_button.setEnabled(not busy)
            self.banner_sync_button.setText("Syncing…" if busy else "Sync now")

    # -- on a server ---------------------------------------------------------------------

    def connection_lost(self, message: str) -> None:
        """A read or pass could not reach the server: carry on on the copy, if there is one."""
        if self._going_offline or self._stopped:
            return
        self._going_offline = True
        url, actor = self.server_url, self.context.actor_name

        def open_copy() -> tuple[ReplicaInfo, Database] | None:
            path = _core().find_replica(url, actor)
            info = _core().replica_info(path) if path else None
            return (info, open_database(info.path)) if info else None

        self.runner.background(
            open_copy,
            lambda found: self._go_offline(found, message),
            on_error=lambda _error, _exc: self._show_unreachable(message),
            key="offline-open-copy",
        )

    def _go_offline(self, found: tuple[ReplicaInfo, Database] | None, message: str) -> None:
        if self._stopped:
            if found is not None:
                found[1].dispose()
            return
        if found is None:
            self._show_unreachable(message)
            return
        info, database = found
        try:
            new = self.build_window(database, info.actor_name)
        except LeadDeskError as exc:
            database.dispose()
            self._show_unreachable(f"{message} (this computer's copy cannot open: {exc})")
            return
        # The box of the read that found the line gone is answered by the copy's window.
        for box in self.window.findChildren(QMessageBox, "loadErrorDialog"):
            box.close()
        replace_window(self.window, new)

    def _show_unreachable(self, message: str) -> None:
        """No copy to work on: one red line, *Retry*, and a try by itself every 30 s."""
        self._going_offline = False
        if self._stopped:
            return
        if self.unreachable_banner is None:
            self.unreachable_banner = OfflineBanner(BannerKind.UNREACHABLE, self.window)
            retry = self.unreachable_banner.add_button("Retry", "bannerRetryButton")
            retry.clicked.connect(self.retry_server)
            attach_banner(self.window, self.unreachable_banner)
        self.unreachable_banner.set_text(
            unreachable_text(self.server_url, unreachable_reason(message))
        )
        self.unreachable_banner.show()
        self.retry_timer.start()

    def retry_server(self) -> None:
        if self._busy or self._stopped:
            return
        self._set_busy(True)
        url = self.server_url

        def reopen() -> Database | None:
            return open_database(url) if _core().server_reachable(url) else None

        self.runner.background(
            reopen,
            self._retried,
            on_error=lambda message, _exc: self._retried(None, message),
            key="offline-retry-server",
        )

    def _retried(self, database: Database | None, message: str = "") -> None:
        self._set_busy(False)
        if self._stopped or self.unreachable_banner is None:
            if database is not None:
                database.dispose()
            return
        if database is None:
            reason = (
                unreachable_reason(message) if message else f"no answer at {clock_time(_now())}"
            )
            self.unreachable_banner.set_text(unreachable_text(self.server_url, reason))
            return
        # A window of its own on the server again: its live refresh and email status start
        # afresh (the old window's listening connection ended with the line).
        try:
            new = self.build_window(database, self.context.actor_name)
        except LeadDeskError as exc:
            database.dispose()
            self.unreachable_banner.set_text(unreachable_text(self.server_url, str(exc)))
            return
        mode = offline_mode_of(new)
        if mode is not None:
            mode.show_notice("Back online: the server answers again.")
        replace_window(self.window, new)

    def keep_copy(self) -> None:
        """*File > Keep a copy for offline work…* (see ``offline_copy``)."""
        from leaddesk.ui.shell.offline_copy import KeepCopy

        if self.keep_copy_flow is None:
            self.keep_copy_flow = KeepCopy(self.window, self.server_url)
        self.keep_copy_flow.start()

    # -- both ------------------------------------------------------------------------------

    def sync_now(self) -> None:
        """*File > Sync now*: on a copy, try the server; on a server, sync its copy (or, when
        the server was out of reach, try it)."""
        if self.on_replica:
            self.try_server()
            return
        if self.unreachable_banner is not None:
            self.retry_server()
            return
        if self._busy:
            return
        url, actor = self.server_url, self.context.actor_name

        def sync() -> SyncReport | None:
            path = _core().find_replica(url, actor)
            return _core().sync_replica(path) if path else None

        self._set_busy(True)
        self.runner.background(sync, self._synced, on_error=self._sync_failed)

    def _synced(self, report: SyncReport | None) -> None:
        self._set_busy(False)
        if self._stopped:
            return
        if report is None:
            show_outcome(
                self.window,
                "noOfflineCopyDialog",
                "Sync now",
                "This computer keeps no copy of this server for you yet.",
                detail="File > Keep a copy for offline work makes one.",
            )
            return
        self.show_sync_result(report, back_online=False)
        if report.applied:
            self.runner.changed.emit()

    def _sync_failed(self, message: str, _exc: BaseException) -> None:
        self._set_busy(False)
        if not self._stopped:
            show_outcome(self.window, "syncFailedDialog", "Sync now", message, error=True)

    def show_sync_result(
        self, report: SyncReport, *, back_online: bool, waiting: int = 0
    ) -> OfflineBanner:
        """The green strip: what the sync did, what still waits, the way to its conflicts."""
        sent = report.applied + report.already_applied
        text = sync_text(sent, report.conflicts, back_online=back_online)
        banner = self.show_notice(f"{text} {waiting_text(waiting)}".strip())
        pulled = plural(report.leads_changed, "lead", "leads")
        banner.setToolTip(f"{pulled} brought up to date from the server into this computer's copy.")
        if waiting:
            send = banner.add_button("Send now", "bannerSendWaitingButton")
            send.setToolTip("Sync the copy again: its waiting passes go to the server")
            send.clicked.connect(self.sync_now)
        if report.conflicts:
            button = banner.add_button("Sync conflicts…", "bannerConflictsButton")
            button.clicked.connect(self.open_conflicts)
        return banner

    def show_notice(self, text: str) -> OfflineBanner:
        """A green strip with ×: something went well and is worth a glance (the newest only)."""
        if self.notice_banner is not None and shiboken6.isValid(self.notice_banner):
            self.notice_banner.dismiss()
        self.notice_banner = OfflineBanner(BannerKind.NOTICE, self.window)
        self.notice_banner.set_text(text)
        attach_banner(self.window, self.notice_banner)
        return self.notice_banner

    def open_conflicts(self) -> QWidget | None:
        from leaddesk.ui.shell.conflicts_dialog import SyncConflictsDialog

        existing = self.window.findChild(SyncConflictsDialog, "syncConflictsDialog")
        if existing is not None:
            existing.show()
            existing.raise_()
            return existing
        if self.replica is not None:
            return self._show_conflicts(self.replica.path)
        url, actor = self.server_url, self.context.actor_name
        self.runner.background(
            lambda: _core().find_replica(url, actor), self._show_conflicts, key="offline-find-copy"
        )
        return None

    def _show_conflicts(self, path: str | None) -> QWidget | None:
        from leaddesk.ui.shell.conflicts_dialog import SyncConflictsDialog

        if self._stopped:
            return None
        if path is None:
            show_outcome(
                self.window,
                "noOfflineCopyDialog",
                "Sync conflicts",
                "This computer keeps no copy of this server for you, so there are no sync "
                "conflicts.",
            )
            return None
        dialog = SyncConflictsDialog(path, self.runner, self.window)
        dialog.resolved.connect(self._reread_replica)
        dialog.resolved.connect(self.runner.changed.emit)
        dialog.show()
        return dialog

    def stop(self) -> None:
        self._stopped = True
        self.retry_timer.stop()


def _now() -> datetime:
    return datetime.now(UTC)


def _core() -> ModuleType:
    """The offline core, loaded at its first use on a worker thread: a window that never
    goes offline does not pay for its import at start."""
    import leaddesk.offline

    return leaddesk.offline
