"""A window's context (database, its own operation runner, the actor) for window tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication, QDialog

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


@contextmanager
def contexts_on(database: Database) -> Iterator[Callable[[str], WindowContext]]:
    """``make("Olivia Office")`` inside the block gives a context for a window opened on its
    own; at the end its reads and writes are waited for and stray dialogs closed."""
    made: list[WindowContext] = []

    def make(actor: str) -> WindowContext:
        made.append(window_context(database, actor))
        return made[-1]

    yield make
    for context in made:
        context.runner.wait_idle()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.close()
