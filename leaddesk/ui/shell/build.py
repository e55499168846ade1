"""Building the ready main window for a signed-in user on an open database."""

from __future__ import annotations

from leaddesk.server.identity import resolve_actor
from leaddesk.store.database import Database
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.live_refresh import LiveRefresh
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.main.main_window import MainWindow
from leaddesk.ui.shell.database_menu import DatabaseMenu
from leaddesk.ui.shell.offline_mode import OfflineMode
from leaddesk.ui.shell.window_services import WindowServices


def build_main_window(database: Database, actor: str | None) -> MainWindow:
    """The ready window for ``actor`` (name, email or id) on an open database.

    On a server the connected login decides (``actor`` may be None; naming someone else is
    refused unless the login owns the database).
    """
    with database.read() as session:
        user = resolve_actor(session, actor)
        actor_id, actor_name, is_admin = user.id, user.name, user.is_admin
    runner = OperationRunner(database)
    context = WindowContext(
        database=database,
        runner=runner,
        actor_id=actor_id,
        actor_name=actor_name,
        is_admin=is_admin,
    )
    window = MainWindow(context)
    runner.setParent(window)
    services = WindowServices(window)
    DatabaseMenu(window, build_main_window)
    OfflineMode(window, build_main_window)
    live = LiveRefresh(database, window)
    live.changed_elsewhere.connect(window.apply_changes_elsewhere)
    live.changed_elsewhere.connect(services.apply_changes_elsewhere)
    window.closing.connect(live.stop)
    return window
