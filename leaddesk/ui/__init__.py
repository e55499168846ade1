"""The Qt window. Nothing outside this package imports Qt.

``main_window(db_url, actor)`` is the automation contract: it opens the database and returns
the ready main window (object name ``mainWindow``) signed in as ``actor``.
"""

from __future__ import annotations

# Imported first on purpose: importing a submodule binds its name on this package, and the
# submodule ``main_window`` would otherwise replace the function below the first time
# anything imports it.
from leaddesk.ui import main_window as _main_window_module


def main_window(db_url: str, actor: str) -> _main_window_module.MainWindow:
    """Open ``db_url`` and return the ready main window for ``actor`` (not yet shown).

    The window owns the database: closing it waits for a running pass and disposes it.
    """
    from leaddesk.store.database import open_database

    database = open_database(db_url)
    try:
        window = _main_window_module.build_main_window(database, actor)
    except BaseException:
        database.dispose()
        raise
    window.setProperty("ownsDatabase", True)
    return window


__all__ = ["main_window"]
