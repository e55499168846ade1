"""``leaddesk demo --reset``: replace a database's contents with the demo data, safely.

A database that holds only demo data (see :func:`leaddesk.store.demo.not_only_demo`) is
reset by anyone: nothing real can be lost. Any other database is reset only by an active
administrator who types the database's name back (``--confirm NAME``), after a copy of the
SQLite file is kept next to it; a PostgreSQL database cannot be copied from here, so it
also needs ``--force-without-backup NAME``. Every reset leaves an audit line in the new
data saying who replaced what.

The check, the copy and the replacement happen while this transaction holds the write
lock (SQLite) or locks the tables against writers (PostgreSQL), so nothing can be added
between "this is only demo data" and the delete.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from leaddesk.admin.audit import require_admin
from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.store.database import Database
from leaddesk.store.demo import clear_all, create_named, mark_demo, not_only_demo
from leaddesk.store.lookup import find_user
from leaddesk.store.models import AuditEntry, Lead, User, utc_now

RESET_ACTION = "demo.reset"


@dataclass(frozen=True)
class ResetResult:
    removed_users: int
    removed_leads: int
    # Where the SQLite file was copied before the reset; None when only demo data was there
    # or on PostgreSQL.
    backup: Path | None


def database_name(database: Database) -> str:
    """The name an administrator types back: the SQLite file's name or the database's."""
    name = database.url.database or ""
    return Path(name).name if database.is_sqlite else name


def reset_to_demo(
    database: Database,
    *,
    actor: str | None = None,
    confirm: str | None = None,
    force_without_backup: str | None = None,
) -> ResetResult:
    """Delete everything and create the named demo data again, if allowed (see above)."""
    name = database_name(database)
    with database.write() as session:
        if not database.is_sqlite:
            session.execute(text("LOCK TABLE users, leads IN SHARE ROW EXCLUSIVE MODE"))
        reason = not_only_demo(session)
        admin = None
        if reason is not None:
            admin = _confirmed_admin(session, name, reason, actor, confirm)
            if not database.is_sqlite and force_without_backup != name:
                raise InvalidInputError(
                    f"LeadDesk cannot copy a PostgreSQL database aside; back up {name} "
                    f"(pg_dump) and repeat with --force-without-backup {name}."
                )
        users = session.scalar(select(func.count()).select_from(User)) or 0
        leads = session.scalar(select(func.count()).select_from(Lead)) or 0
        backup = _copy_sqlite_file(database) if admin is not None and database.is_sqlite else None
        clear_all(session)
        create_named(session)
        mark_demo(session)
        session.add(
            AuditEntry(
                actor_id=None,
                action=RESET_ACTION,
                detail=_audit_text(admin, reason, users, leads, backup),
                created_at=utc_now(),
            )
        )
    return ResetResult(removed_users=users, removed_leads=leads, backup=backup)


def _confirmed_admin(
    session: Session, name: str, reason: str, actor: str | None, confirm: str | None
) -> str:
    if not actor:
        raise PermissionDeniedError(
            f"{name} holds more than demo data ({reason}); only an administrator can replace "
            f"it: --as ADMIN --confirm {name}"
        )
    user = find_user(session, actor)
    admin = require_admin(session, user.id)
    if confirm != name:
        raise InvalidInputError(
            f"{name} holds more than demo data ({reason}). To delete all of it, type the "
            f"database's name back: --confirm {name}"
        )
    return admin.name


def _copy_sqlite_file(database: Database) -> Path:
    """A consistent copy of the file, taken through SQLite's backup API by a second
    connection: it reads the last committed state, which cannot change while this
    transaction holds the write lock."""
    source_path = Path(database.url.database or "")
    stamp = utc_now().strftime("%Y%m%d-%H%M%S")
    target = source_path.with_name(f"{source_path.stem}.before-reset-{stamp}{source_path.suffix}")
    source, copy = sqlite3.connect(source_path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target


def _audit_text(
    admin: str | None, reason: str | None, users: int, leads: int, backup: Path | None
) -> str:
    removed = f"removed {users:,} user(s) and {leads:,} lead(s)"
    if admin is None:
        return f"Reset the demo data (the database held only demo data); {removed}."
    kept = f"; the old file was copied to {backup}" if backup else "; no copy was kept"
    return (
        f"{admin} (administrator) replaced everything with the demo data after typing the "
        f"database's name ({reason}); {removed}{kept}."
    )


__all__ = ["RESET_ACTION", "ResetResult", "database_name", "reset_to_demo"]
