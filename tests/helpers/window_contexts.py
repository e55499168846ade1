"""A window's context (database, its own operation runner, the actor) for window tests."""

from __future__ import annotations

from leaddesk.store.database import Database
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.operations import OperationRunner
from tests.helpers.demo_names import user_id


def window_context(database: Database, actor: str) -> WindowContext:
    """``actor`` (a demo name) acting on ``database``; Ada Admin is the administrator."""
    return WindowContext(
        database=database,
        runner=OperationRunner(database),
        actor_id=user_id(database, actor),
        actor_name=actor,
        is_admin=actor == "Ada Admin",
    )
