"""Opening the database on a thread of its own while the GUI thread keeps painting.

Started once the start frame has painted (``launch``): SQLAlchemy's import and the schema
check then overlap the frame's first seconds on screen without holding up its first paint
(the GIL would: started before Qt's import it cost the first paint about 0.4 s). Nothing here
imports Qt or SQLAlchemy until the thread runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leaddesk.store.database import Database


class DatabaseOpening:
    """``open_database(db)`` on its own thread, started at once; ``wait`` for the result."""

    def __init__(self, db: str | None) -> None:
        self._db = db
        self._done = threading.Event()
        self._database: Database | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._open, name="leaddesk-open-database", daemon=True).start()

    def _open(self) -> None:
        try:
            # What the window reads with first is loaded here too, beside Qt's import.
            import leaddesk.store.lookup
            import leaddesk.store.tree_queries  # noqa: F401
            from leaddesk.store.database import open_database

            self._database = open_database(self._db)
        except BaseException as exc:  # handed to the GUI thread by wait()
            self._error = exc
        finally:
            self._done.set()

    def wait(self, keep_painting: Callable[[], None]) -> Database:
        """The open database, or the opening's exception; the GUI keeps painting meanwhile."""
        while not self._done.wait(0.02):
            keep_painting()
        if self._error is not None:
            raise self._error
        assert self._database is not None
        return self._database
