"""Schema upgrades through the Alembic migrations shipped inside the package."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from leaddesk.store.database import Database
from leaddesk.store.models import utc_now

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py reuses this connection; the URL (with its password) never goes into a file.
    config.attributes["database"] = database
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite_file(database: Database, revision: str | None) -> Path | None:
    """Copy a SQLite file aside before migrating it, so a failed upgrade loses nothing."""
    path = Path(database.url.database or "")
    if not database.is_sqlite or not path.is_file() or path.stat().st_size == 0:
        return None
    stamp = utc_now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.before-{revision or 'empty'}-{stamp}.bak")
    # The sqlite3 backup API copies a consistent image even with a WAL file beside it.
    source = sqlite3.connect(str(path))
    try:
        destination = sqlite3.connect(str(target))
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def upgrade_to_head(database: Database) -> Path | None:
    """Bring the schema to the newest revision; returns the backup file made, if any."""
    revision = current_revision(database)
    if revision == head_revision():
        return None
    backup = backup_sqlite_file(database, revision) if revision is not None else None
    command.upgrade(alembic_config(database), "head")
    return backup
