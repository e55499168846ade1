"""What ``leaddesk db info`` says about a database: where it is, its schema revision, how much
is in it and how big it is. Read-only: a missing SQLite file is reported, not created, and
an old schema is reported, not upgraded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from leaddesk.store.database import (
    display_url,
    open_database,
    resolve_url,
    translate_connection_errors,
)
from leaddesk.store.migrate import SCHEMA_HEAD, stored_revision
from leaddesk.store.models import Lead, OutboxMessage, PassBatch, User


@dataclass(frozen=True)
class DatabaseInfo:
    location: str  # a file path, or a server URL without its password
    backend: str  # "sqlite" or "postgresql"
    exists: bool
    revision: str | None = None
    newest_revision: str = SCHEMA_HEAD
    size_bytes: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)  # per status

    @property
    def schema_state(self) -> str:
        if not self.exists:
            return "no database yet"
        if self.revision is None:
            return "empty: no LeadDesk schema yet (LeadDesk creates it when it opens the database)"
        if self.revision == self.newest_revision:
            return f"revision {self.revision}, current"
        # Revisions are numbered (0001_...), so an older one sorts first.
        if self.revision < self.newest_revision:
            return (
                f"revision {self.revision}, older than {self.newest_revision}: "
                "run 'leaddesk db upgrade' (a SQLite file is copied aside first)"
            )
        return (
            f"revision {self.revision}, newer than this LeadDesk knows ({self.newest_revision}): "
            "update LeadDesk"
        )

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["schema_current"] = self.revision == self.newest_revision
        return data


def database_info(db: str | None = None) -> DatabaseInfo:
    url = resolve_url(db)
    backend = url.get_backend_name()
    location = display_url(url)
    if backend == "sqlite":
        path = Path(url.database or "")
        if not path.is_file():
            return DatabaseInfo(location=location, backend=backend, exists=False)
    database = open_database(db, migrate=False)
    try:
        with translate_connection_errors(url):
            revision = stored_revision(database)
        counts: dict[str, int] = {}
        outbox: dict[str, int] = {}
        size: int | None = None
        with database.read() as session:
            if revision is not None:
                counts = {
                    name: session.scalar(select(func.count()).select_from(model).where(*where)) or 0
                    for name, model, where in (
                        ("users", User, ()),
                        ("active_users", User, (User.active.is_(True),)),
                        ("leads", Lead, ()),
                        ("pass_batches", PassBatch, ()),
                    )
                }
                outbox = {
                    status: number
                    for status, number in session.execute(
                        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                    )
                }
            if backend == "postgresql":
                size = session.scalar(text("SELECT pg_database_size(current_database())"))
    finally:
        database.dispose()
    if backend == "sqlite":
        # The write-ahead log holds recent changes until a checkpoint: it is part of the data.
        size = sum(
            Path(f"{url.database}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{url.database}{suffix}").is_file()
        )
    return DatabaseInfo(
        location=location,
        backend=backend,
        exists=True,
        revision=revision,
        size_bytes=size,
        counts=counts,
        outbox=outbox,
    )
