"""Reaching a replica's server: as the person's own login (the password from the keyring),
at the schema this LeadDesk knows, with "cannot reach it" as one ServerUnreachableError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leaddesk.errors import DatabaseUnavailableError, InvalidInputError, PermissionDeniedError
from leaddesk.offline.types import ServerUnreachableError
from leaddesk.server.identity import resolve_actor
from leaddesk.store.database import (
    PG_SESSION_OPTIONS,
    Database,
    display_url,
    looks_unreachable,
    resolve_url,
    with_keyring_password,
)
from leaddesk.store.migrate import SCHEMA_HEAD, is_known_revision, stored_revision
from leaddesk.store.models import User


def server_url_of(raw: str) -> URL:
    """The server's URL as a replica remembers it: PostgreSQL, without a password."""
    url = resolve_url(raw)
    if url.get_backend_name() != "postgresql":
        raise InvalidInputError(
            "A replica is a copy of a shared PostgreSQL server "
            "(postgresql+psycopg://login@host/database), not of a file."
        )
    return url._replace(password=None)


def connect_server(url: URL, *, timeout_s: float = 10.0) -> Database:
    """A Database on the server (no connection is made yet); the keyring gives the password.

    One connection, reused by every transaction of a sync (a push sends one per journal
    entry) and closed with it (``dispose``); a dropped server ends the sync.
    """
    engine = create_engine(
        with_keyring_password(url),
        pool_size=1,
        max_overflow=1,
        connect_args={
            "options": PG_SESSION_OPTIONS,
            "connect_timeout": max(1, round(timeout_s)),
            "application_name": "LeadDesk sync",
        },
    )
    return Database(url=url, engine=engine)


@contextmanager
def reaching(url: URL, waiting: int = 0) -> Iterator[None]:
    """Turn every way of not reaching the server (refused, dropped mid-way, timed out)
    into one line; what waits in the journal stays there."""
    try:
        yield
    except ServerUnreachableError:
        raise
    except (DatabaseUnavailableError, DBAPIError) as exc:
        if isinstance(exc, DBAPIError):
            detail = str(exc.orig if exc.orig is not None else exc)
            if not (exc.connection_invalidated or looks_unreachable(detail)):
                raise
        passes = "1 pass waits" if waiting == 1 else f"{waiting} passes wait"
        kept = f"; {passes} in the journal" if waiting else ""
        raise ServerUnreachableError(
            f"The server {display_url(url)} cannot be reached{kept}; nothing was lost, "
            "sync again when it is back."
        ) from exc


def require_known_schema(server: Database) -> str:
    """The server's schema revision, which must be the one this LeadDesk writes."""
    revision = stored_revision(server)
    if revision == SCHEMA_HEAD:
        return revision
    if revision is None:
        raise InvalidInputError(f"{server.display_url} is not a LeadDesk database.")
    if not is_known_revision(revision):
        raise InvalidInputError(
            f"The server {server.display_url} has a newer schema ({revision}) than this "
            "LeadDesk; update LeadDesk before syncing."
        )
    raise InvalidInputError(
        f"The server {server.display_url} has an older schema ({revision}); its owner "
        "should run 'leaddesk server setup' (or 'leaddesk db upgrade') first."
    )


def server_actor(session: Session, name: str | None, *, expected_id: int | None = None) -> User:
    """The person on the server: the login's own user, or whom an owner login names."""
    actor = resolve_actor(session, name)
    if expected_id is not None and actor.id != expected_id:
        raise PermissionDeniedError(
            f"This offline copy belongs to {name}, but the server login acts as {actor.name}."
        )
    return actor


def is_server_reachable(url: URL, timeout_s: float) -> bool:
    server = connect_server(url, timeout_s=timeout_s)
    try:
        with server.engine.connect() as connection:
            connection.execute(select(text("1")))
        return True
    except DBAPIError:
        return False
    finally:
        server.dispose()


@contextmanager
def snapshot_session(server: Database) -> Iterator[Session]:
    """A read-only REPEATABLE READ session: every query sees one snapshot of the server."""
    with server.engine.connect() as connection:
        consistent = connection.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind=consistent) as session:
            yield session
