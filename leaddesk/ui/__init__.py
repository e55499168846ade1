"""The Qt window, arranged by window. Nothing outside this package imports Qt.

``main_window(db_url, actor)`` is the automation contract: it opens the database and returns
the ready main window (object name ``mainWindow``) signed in as ``actor``.

The rooms and the one-way arrows between them (a test walks the imports to keep it so)::

    shell → {main, admin, email, data};  main → buckets → lead;  {main, buckets, lead} → passing
    every room → common;  common imports only Qt and the layers below ``ui``
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leaddesk.ui.main.main_window import MainWindow


def main_window(db_url: str, actor: str | None) -> MainWindow:
    """Open ``db_url`` and return the ready main window for ``actor`` (not yet shown).

    Ready means its trees hold their first data: the window reads them off the GUI thread,
    and this lets the event loop run until they have arrived. The window owns the database:
    closing it waits for a running pass and disposes it.
    """
    from leaddesk.store.database import open_database
    from leaddesk.ui.shell.build import build_main_window
    from leaddesk.ui.shell.launch import wait_until_loaded

    database = open_database(db_url)
    try:
        window = build_main_window(database, actor)
    except BaseException:
        database.dispose()
        raise
    window.setProperty("ownsDatabase", True)
    wait_until_loaded(window)
    return window


__all__ = ["main_window"]
