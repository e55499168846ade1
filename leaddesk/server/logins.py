"""Linking LeadDesk users to PostgreSQL logins, creating logins, and keeping each login's
group roles and LOGIN/NOLOGIN in step with the user (active, administrator).

The role changes run inside the database (``leaddesk_create_login``/``leaddesk_sync_login``,
created by ``leaddesk server setup``), executable only by the owner and administrators'
logins, and they commit or roll back with the user change that caused them.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.store.models import DB_LOGIN_MAX_LENGTH, User

# Plain identifiers only: what people type at psql without quoting.
_LOGIN_PATTERN = re.compile(r"[a-z_][a-z0-9_.\-]*")


def clean_login(login: str) -> str:
    value = login.strip()
    if not _LOGIN_PATTERN.fullmatch(value) or len(value) > DB_LOGIN_MAX_LENGTH:
        raise InvalidInputError(
            f"'{login}' is not a usable login name: lower-case letters, digits, _ . - "
            f"(starting with a letter or _), at most {DB_LOGIN_MAX_LENGTH} characters."
        )
    return value


def server_is_set_up(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    found = session.scalar(text("SELECT to_regprocedure('leaddesk_sync_login(text)')"))
    return found is not None


def require_server(session: Session) -> None:
    """Logins exist only on a PostgreSQL server that ``leaddesk server setup`` prepared."""
    if session.get_bind().dialect.name != "postgresql":
        raise InvalidInputError(
            "Logins belong to a shared PostgreSQL server; a SQLite file has none."
        )
    if not server_is_set_up(session):
        raise InvalidInputError(
            "This server is not set up for personal logins yet: run "
            "'leaddesk server setup --db URL' as the database owner first."
        )


def create_login(session: Session, login: str, password: str) -> None:
    if not password:
        raise InvalidInputError("No password was entered; the login was not created.")
    session.execute(
        text("SELECT leaddesk_create_login(:login, :password)"),
        {"login": login, "password": password},
    )


def sync_login(session: Session, login: str | None) -> None:
    """Bring a login's roles and LOGIN/NOLOGIN in line with its (flushed) user row.

    Without ``server setup`` LeadDesk manages no roles, so there is nothing to bring in line.
    """
    if login is None or not server_is_set_up(session):
        return
    session.flush()
    session.execute(text("SELECT leaddesk_sync_login(:login)"), {"login": login})


def sync_user_login(session: Session, user: User) -> None:
    sync_login(session, user.db_login)
