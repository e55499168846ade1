"""Building the ready main window for a signed-in user on an open database."""

from __future__ import annotations

from leaddesk.errors import PermissionDeniedError
from leaddesk.store.database import Database
from leaddesk.store.lookup import find_user
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from leaddesk.ui.main.main_window import MainWindow
from leaddesk.ui.shell.window_services import WindowServices


def build_main_window(database: Database, actor: str) -> MainWindow:
    """The ready window for ``actor`` (name, email or id) on an open database."""
    with database.read() as session:
        user = find_user(session, actor)
        if not user.active:
            raise PermissionDeniedError(f"{user.name} is inactive and cannot sign in.")
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
    WindowServices(window)
    return window
