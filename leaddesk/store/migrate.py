"""Schema upgrades through the Alembic migrations shipped inside the package.

Opening a database whose schema is current costs one query and no Alembic import: the stored
revision is compared with ``SCHEMA_HEAD``, the newest revision this build ships. Alembic (and
its parsing of every migration script) is loaded only when an upgrade is due.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from leaddesk.errors import InvalidInputError, ReadOnlyDatabaseError
from leaddesk.store.database import Database
from leaddesk.store.models import utc_now

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# The newest revision under migrations/versions. Adding a migration means updating this;
# tests/test_database_open.py compares it with Alembic's own head.
SCHEMA_HEAD = "0007_offline_tombstones"

_UNDEFINED_TABLE_SQLSTATE = "42P01"


def alembic_config(database: Database) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py reuses this connection; the URL (with its password) never goes into a file.
    config.attributes["database"] = database
    return config


def head_revision() -> str:
    """The newest revision as Alembic finds it by reading every migration script."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    try:
        return ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision) is not None
    except CommandError:
        return False


def _refuse_foreign_tables(database: Database) -> None:
    with database.engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())
    if tables:
        listed = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise InvalidInputError(
            f"{database.display_url} already holds tables of another program ({listed}); "
            "it is not a LeadDesk database, so LeadDesk leaves it alone."
        )


def stored_revision(database: Database) -> str | None:
    """The revision the database is at (one query); None for a database never migrated."""
    with database.engine.connect() as connection:
        try:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except DBAPIError as exc:
            if not _is_missing_table(exc):
                raise
            return None


def _is_missing_table(exc: DBAPIError) -> bool:
    if getattr(exc.orig, "sqlstate", None) == _UNDEFINED_TABLE_SQLSTATE:
        return True
    return isinstance(exc.orig, sqlite3.OperationalError) and "no such table" in str(exc.orig)


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


def run_alembic_upgrade(database: Database) -> None:
    from alembic import command

    command.upgrade(alembic_config(database), "head")


def upgrade_to_head(database: Database) -> Path | None:
    """Bring the schema to the newest revision; returns the backup file made, if any.

    Refuses, changing nothing, a database made by a newer LeadDesk, a database holding
    another program's tables, and any upgrade of a read-only database.
    """
    revision = stored_revision(database)
    if revision == SCHEMA_HEAD:
        return None
    if revision is None:
        _refuse_foreign_tables(database)
    elif not is_known_revision(revision):
        raise InvalidInputError(
            f"This database was made by a newer LeadDesk (revision {revision}); "
            "install the newer version."
        )
    if database.read_only:
        raise ReadOnlyDatabaseError(
            "This database is read-only and needs an upgrade to this LeadDesk's schema; "
            "ask someone who may change it to run 'leaddesk db upgrade'."
        )
    database.created = revision is None
    backup = backup_sqlite_file(database, revision) if revision is not None else None
    run_alembic_upgrade(database)
    return backup
