"""What every part of the window needs: the database, the operation runner and the actor.

A window is built before its database is open, so that it paints its frame and a loading
state at once (``shell.build``): until :meth:`WindowContext.sign_in` the context is
*connecting*, with no database and nobody signed in, and nothing may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leaddesk.ui.common.operations import OperationRunner

if TYPE_CHECKING:
    from leaddesk.store.database import Database


@dataclass
class WindowContext:
    database: Database
    runner: OperationRunner
    actor_id: int
    actor_name: str
    is_admin: bool = False

    @classmethod
    def connecting(cls) -> WindowContext:
        """A context whose database is still opening (its runner waits for it)."""
        return cls(database=None, runner=OperationRunner(None), actor_id=0, actor_name="")  # type: ignore[arg-type]

    @property
    def is_connecting(self) -> bool:
        return self.database is None

    def sign_in(self, database: Database, actor_id: int, actor_name: str, is_admin: bool) -> None:
        """The database is open and the actor known: the window may read from now on."""
        self.database = database
        self.runner.database = database
        self.actor_id, self.actor_name, self.is_admin = actor_id, actor_name, is_admin
