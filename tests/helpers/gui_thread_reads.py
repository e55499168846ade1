"""Catching the window waiting for the database on the GUI thread.

``gui_thread_statements(engine)`` records every statement the engine sends, and every new
connection it opens, from the GUI thread (Python's main thread, where Qt runs) while the
block is open. Over a slow link each of those is a round trip the window freezes for; work
on the operation runner's threads is not recorded, which is the point. Each record names
the innermost LeadDesk frame that sent it, so a failing test says where to look.

    with gui_thread_statements(database.engine) as gui:
        window = LeadWindow(context, lead_id)
        ...
    assert gui.statements == []
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, event


@dataclass
class GuiThreadLog:
    statements: list[str] = field(default_factory=list)

    def record(self, what: str) -> None:
        self.statements.append(f"{what}  [{_sender()}]")


def _sender() -> str:
    """Where the call came from: the window code that asked (the innermost frame under
    ``leaddesk/ui/``) and the query that sent it (the innermost under ``leaddesk/``)."""
    frames = [
        (frame.filename.replace("\\", "/"), frame) for frame in reversed(traceback.extract_stack())
    ]
    ours = [
        (f"{path.rsplit('/leaddesk/', 1)[1]}:{frame.lineno} {frame.name}", path)
        for path, frame in frames
        if "/leaddesk/" in path and not path.endswith("/leaddesk/store/database.py")
    ]
    if not ours:
        return "outside LeadDesk"
    window = next((where for where, path in ours if "/leaddesk/ui/" in path), None)
    query = ours[0][0]
    return query if window is None or window == query else f"{window} -> {query}"


def _on_gui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def gui_thread_statements(engine: Engine) -> Iterator[GuiThreadLog]:
    log = GuiThreadLog()

    def statement(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        if _on_gui_thread():
            log.record(sql.strip().splitlines()[0])

    def connected(_dbapi_connection: object, _record: object) -> None:
        if _on_gui_thread():
            log.record("(new connection)")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "connect", connected)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "connect", connected)
