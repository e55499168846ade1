"""Building the main window: at once in a loading state, then signed in on its database.

``connecting_window`` needs no database and loads no SQLAlchemy, so the window paints its
frame and "Loading…" rows first (``launch``); ``sign_in_window`` then fills it once the
database is open. ``build_main_window`` does both for a database that is already open (the
tests, opening another database, going offline and back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.main.main_window import MainWindow

if TYPE_CHECKING:
    from leaddesk.store.database import Database


def connecting_window() -> MainWindow:
    """The main window before its database is open: the frame and a loading state."""
    context = WindowContext.connecting()
    window = MainWindow(context)
    context.runner.setParent(window)
    return window


def sign_in_window(window: MainWindow, database: Database, actor: str | None) -> MainWindow:
    """Sign ``actor`` (name, email or id) in on the open ``database`` and fill ``window``.

    On a server the connected login decides (``actor`` may be None; naming someone else is
    refused unless the login owns the database): a refusal raises before the window changes.
    """
    from leaddesk.server.identity import resolve_actor
    from leaddesk.ui.common.live_refresh import LiveRefresh
    from leaddesk.ui.passing.preload import preload_pass_flow
    from leaddesk.ui.shell.database_menu import DatabaseMenu
    from leaddesk.ui.shell.offline_mode import OfflineMode
    from leaddesk.ui.shell.window_services import WindowServices

    with database.read() as session:
        user = resolve_actor(session, actor)
        actor_id, actor_name, is_admin = user.id, user.name, user.is_admin
    window.context.sign_in(database, actor_id, actor_name, is_admin)
    window.start()
    # While the trees load: the first drop then finds the pass flow loaded and knows
    # whether the login may write.
    preload_pass_flow(window.context.runner, database)
    services = WindowServices(window)
    DatabaseMenu(window, build_main_window)
    OfflineMode(window, build_main_window)
    live = LiveRefresh(database, window)
    live.changed_elsewhere.connect(window.apply_changes_elsewhere)
    live.changed_elsewhere.connect(services.apply_changes_elsewhere)
    window.closing.connect(live.stop)
    return window


def build_main_window(database: Database, actor: str | None) -> MainWindow:
    """The ready window for ``actor`` on an open database (its trees on their way)."""
    window = connecting_window()
    try:
        return sign_in_window(window, database, actor)
    except BaseException:
        import shiboken6

        shiboken6.delete(window)  # now, on the GUI thread (see launch._start_failed)
        raise
