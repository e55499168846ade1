"""What an administration tab needs from its window: the actor, the data, a way to write.

The tabs depend on this small protocol rather than on ``AdminWindow`` itself, so the window
imports its tabs and never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from leaddesk.admin.snapshot import AdminSnapshot

# One administrative change: runs in its own transaction, returns the line to show.
AdminWork = Callable[[Session], str]


class AdminHost(Protocol):
    @property
    def actor_id(self) -> int: ...

    @property
    def snapshot(self) -> AdminSnapshot | None: ...

    def run(self, work: AdminWork, after: Callable[[], None] | None = None) -> None: ...
