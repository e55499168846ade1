"""*File > Keep a copy for offline work…*: this person's copy of the server, on this computer.

Asks first (what is copied, where it goes), then makes the copy off the GUI thread with
``leaddesk.offline.create_replica``; a second request says where the existing copy is.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from leaddesk.offline import ReplicaInfo, create_replica, find_replica
from leaddesk.store.database import default_sqlite_path
from leaddesk.ui.common.feedback import ask_yes_no, show_outcome
from leaddesk.ui.main.main_window import MainWindow
from leaddesk.ui.shell.offline_banner import clock_time, server_label

TITLE = "Keep a copy for offline work"


def replica_path_for(server_url: str, actor_name: str) -> Path:
    """Where a copy goes: the per-user data folder, one file per server and person (the name
    is for finding it by eye; the core's registry is what finds it)."""
    plain = "".join(
        ch if ch.isalnum() else "-" for ch in f"{server_label(server_url)}-{actor_name}"
    )
    name = "-".join(part for part in plain.lower().split("-") if part)
    return default_sqlite_path().parent / "offline" / f"{name[:120]}.sqlite3"


class KeepCopy(QObject):
    """The flow behind the menu entry, for a window on a server."""

    def __init__(self, window: MainWindow, server_url: str) -> None:
        super().__init__(window)
        self.window = window
        self.server_url = server_url
        self.actor = window.context.actor_name
        self.runner = window.context.runner

    def start(self) -> None:
        url, actor = self.server_url, self.actor
        self.runner.background(
            lambda: find_replica(url, actor), self._offer, key="offline-find-copy"
        )

    def _offer(self, existing: str | None) -> None:
        if existing:
            show_outcome(
                self.window,
                "offlineCopyExistsDialog",
                TITLE,
                "This computer already keeps your copy of this server for offline work.",
                detail=f"It is at {existing}. File > Sync now brings it up to date.",
            )
            return
        url, actor = self.server_url, self.actor
        path = replica_path_for(url, actor)
        if not ask_yes_no(
            self.window,
            "keepOfflineCopyDialog",
            TITLE,
            f"Keep a copy of the leads you may see on {server_label(url)} on this computer?",
            "When the server cannot be reached, LeadDesk then opens the copy and you keep "
            "passing leads; the passes are sent when the server is back. The copy is kept "
            f"at {path}.",
        ):
            return

        def make() -> ReplicaInfo:
            path.parent.mkdir(parents=True, exist_ok=True)
            return create_replica(url, str(path), actor=actor)

        self.window.statusBar().showMessage("Copying your leads for offline work…")
        self.runner.background(make, self._made, on_error=self._failed)

    def _made(self, info: ReplicaInfo) -> None:
        self.window.statusBar().clearMessage()
        show_outcome(
            self.window,
            "offlineCopyMadeDialog",
            TITLE,
            f"Your copy for offline work is ready (from {clock_time(info.created_at)}).",
            detail=f"It is kept at {info.path}. File > Sync now brings it up to date.",
        )

    def _failed(self, message: str, _exc: BaseException) -> None:
        self.window.statusBar().clearMessage()
        show_outcome(self.window, "offlineCopyFailedDialog", "No copy made", message, error=True)
