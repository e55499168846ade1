"""What every part of the window needs: the database, the operation runner and the actor."""

from __future__ import annotations

from dataclasses import dataclass

from leaddesk.store.database import Database
from leaddesk.ui.common.operations import OperationRunner


@dataclass
class WindowContext:
    database: Database
    runner: OperationRunner
    actor_id: int
    actor_name: str
    is_admin: bool = False
