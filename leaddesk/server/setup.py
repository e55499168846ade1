"""``leaddesk server setup``: migrate a PostgreSQL database and install its enforcement.

Run by the database owner (or a superuser). Idempotent: running it again re-creates the
functions and policies in place and brings every linked login in line with its user.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.server.identity import connected_login
from leaddesk.server.policies import ALL_TABLES, setup_statements
from leaddesk.store.database import Database
from leaddesk.store.migrate import SCHEMA_HEAD, stored_revision, upgrade_to_head
from leaddesk.store.models import User


@dataclass(frozen=True)
class SetupReport:
    migrated_from: str | None  # the revision before, when the schema was upgraded
    statements: int
    tables: int
    logins: tuple[str, ...]  # linked logins brought in line with their users


def _require_owner(database: Database) -> tuple[str, str]:
    """The quoted schema and database names, after checking who is connected."""
    if database.is_sqlite:
        raise InvalidInputError(
            "Server setup is for a shared PostgreSQL database; a SQLite file belongs to "
            "whoever can open it and has no logins."
        )
    with database.read() as session:
        login = connected_login(session)
        assert login is not None
        if not login.owns_database:
            raise PermissionDeniedError(
                f"Run server setup as the database owner or a superuser, not as {login.name}."
            )
        schema, name = session.execute(
            text("SELECT quote_ident(current_schema()), quote_ident(current_database())")
        ).one()
    return schema, name


def planned_sql(database: Database) -> list[str]:
    """What setup would run (``--dry-run``): the migration step as a comment, then the SQL."""
    schema, name = _require_owner(database)
    revision = stored_revision(database)
    lines = []
    if revision != SCHEMA_HEAD:
        lines.append(
            f"-- migrate the schema from {revision or 'empty'} to {SCHEMA_HEAD} "
            "(the migrations shipped with LeadDesk)"
        )
    return lines + [f"{statement};" for statement in setup_statements(schema, name)]


def set_up_server(database: Database) -> SetupReport:
    schema, name = _require_owner(database)
    before = stored_revision(database)
    upgrade_to_head(database)
    statements = setup_statements(schema, name)
    with database.write() as session:
        for statement in statements:
            session.execute(text(statement))
        linked = list(
            session.scalars(
                select(User.db_login).where(User.db_login.is_not(None)).order_by(User.id)
            )
        )
        for login in linked:
            session.execute(text("SELECT leaddesk_sync_login(:login)"), {"login": login})
    return SetupReport(
        migrated_from=before if before != SCHEMA_HEAD else None,
        statements=len(statements),
        tables=len(ALL_TABLES),
        logins=tuple(login for login in linked if login),
    )
