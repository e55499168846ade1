"""Starting while the server cannot be reached: this computer's copy of it, or *Retry*.

``launch`` calls :func:`open_when_unreachable` when opening the chosen server failed for
want of a connection. With a copy of that server for that person (``leaddesk.offline``),
the window opens on the copy (its offline strip comes from ``offline_mode``). Without one,
an interactive start asks in one line whether to try again; a non-interactive start gives
the one-line error back to the caller. Finding and opening happen on a thread of their own
while the start frame keeps painting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from leaddesk.errors import DatabaseUnavailableError
from leaddesk.offline import find_replica, replica_info
from leaddesk.store.database import Database, display_url, open_database, resolve_url

T = TypeVar("T")
log = logging.getLogger(__name__)


def open_when_unreachable(
    chosen: str | None,
    actor: str | None,
    error: DatabaseUnavailableError,
    *,
    interactive: bool,
    keep_painting: Callable[[], None],
    parent: QWidget | None = None,
) -> tuple[Database, str | None, bool] | None:
    """(database, actor, on_copy) to start the window with; None when the person chose
    *Close* after reading the line; a non-interactive start gets ``error`` raised back.

    ``on_copy`` is True when the window opens on this computer's copy instead of the server.
    """
    url = resolve_url(chosen)
    if url.get_backend_name() == "sqlite":
        raise error  # a file that cannot open has no copy elsewhere
    server = display_url(url)
    while True:
        copy = _on_thread(lambda: _open_copy(server, actor), keep_painting)
        if copy is not None:
            database, name = copy
            return database, name, True
        if not interactive:
            raise error
        if not ask_retry(str(error), parent):
            return None
        try:
            return _on_thread(lambda: open_database(chosen), keep_painting), actor, False
        except DatabaseUnavailableError as again:
            error = again


def _open_copy(server: str, actor: str | None) -> tuple[Database, str] | None:
    """This computer's copy of ``server`` for ``actor``, opened; None without a usable one.

    A copy that cannot be found or opened must not hide why the start failed (the server is
    out of reach), so its own trouble is logged and the start goes on without it.
    """
    try:
        path = find_replica(server, actor)
        info = replica_info(path) if path else None
        if info is None:
            return None
        return open_database(info.path), info.actor_name
    except Exception:
        log.exception("this computer's copy of %s could not be opened", server)
        return None


def ask_retry(message: str, parent: QWidget | None = None) -> bool:
    """The one line, *Retry* or *Close*; True to try again."""
    box = QMessageBox(QMessageBox.Icon.Warning, "LeadDesk", message, parent=parent)
    box.setObjectName("serverUnreachableDialog")
    box.setInformativeText(
        "There is no copy of it on this computer to work on offline: once the server "
        "answers, File > Keep a copy for offline work makes one."
    )
    box.setStandardButtons(QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
    box.setDefaultButton(QMessageBox.StandardButton.Retry)
    return box.exec() == QMessageBox.StandardButton.Retry


def _on_thread(work: Callable[[], T], keep_painting: Callable[[], None]) -> T:
    """``work()`` on a thread of its own; the GUI keeps painting until it is done."""
    done = threading.Event()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed back to the GUI thread below
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="leaddesk-offline-start", daemon=True).start()
    while not done.wait(0.02):
        keep_painting()
    if failure:
        raise failure[0]
    return outcome[0]
