"""Checks on a SQLite file before LeadDesk's engine touches it.

The engine's first connection already writes (``PRAGMA journal_mode=WAL`` rewrites the file
header), so everything that must leave a file alone is decided here with a plain read-only
connection: a missing folder, a file that is not SQLite at all, a SQLite file of another
program, and whether the file may be written by this user at all.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL

from leaddesk.errors import InvalidInputError

SQLITE_HEADER = b"SQLite format 3\x00"
# How many foreign table names a refusal lists.
LISTED_TABLES = 5


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL (also in ``file:`` URI form); None for in-memory."""
    database = url.database or ""
    if url.query.get("uri") == "true" and database.startswith("file:"):
        database = database[len("file:") :]
    if not database or database == ":memory:":
        return None
    return Path(database)


def is_read_only_url(url: URL) -> bool:
    return url.query.get("mode") == "ro" or url.query.get("immutable") == "1"


def check_before_opening(path: Path, *, may_create_folder: bool) -> None:
    """Refuse a missing folder (unless it is LeadDesk's own), a non-SQLite file and a SQLite
    file whose tables belong to another program. Changes nothing on disk."""
    if not path.parent.is_dir():
        if not may_create_folder:
            raise InvalidInputError(
                f"There is no folder {path.parent}; "
                "LeadDesk makes a new database only in an existing folder."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise InvalidInputError(f"{path} is not a SQLite database; LeadDesk leaves it alone.")
    tables = _table_names(path)
    if tables and "alembic_version" not in tables:
        listed = ", ".join(sorted(tables)[:LISTED_TABLES])
        more = ", …" if len(tables) > LISTED_TABLES else ""
        raise InvalidInputError(
            f"{path} already holds tables of another program ({listed}{more}); "
            "it is not a LeadDesk database, so LeadDesk leaves it alone."
        )


def _table_names(path: Path) -> list[str]:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(f"{path} cannot be read as a SQLite database ({exc}).") from exc
    finally:
        connection.close()


def may_write(path: Path) -> bool:
    """Whether this user may change the file (and, for a new file, create it).

    ``os.access`` asks with the real user's rights, which is what a person at a desk has;
    root passes every check, as root can indeed write any file.
    """
    if path.exists():
        return os.access(path, os.W_OK)
    return os.access(path.parent, os.W_OK)


def read_only_url(path: Path) -> URL:
    """Open the file without ever writing to it.

    A database in WAL mode needs its ``-shm`` file; in a folder this user cannot write, and
    with no ``-wal`` file left by a writer, ``immutable`` lets SQLite read without one.
    """
    query = {"mode": "ro", "uri": "true"}
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.parent, os.W_OK) and not wal.exists():
        query = {"immutable": "1", "uri": "true"}
    return URL.create("sqlite+pysqlite", database=f"file:{path}", query=query)
