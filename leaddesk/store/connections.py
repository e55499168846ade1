"""Connecting to a shared server by its parts (host, port, database, login, TLS), and saying
in one line why a connection does not work.

Used by the window's *Connect to server…* dialog. The password is only ever passed in memory
(and stored by the caller in the OS keyring); URLs made here carry none, and no message
built here contains it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from leaddesk.errors import DatabaseUnavailableError
from leaddesk.store.migrate import MIGRATIONS_DIR

TLS_MODES = {"off": "disable", "require": "require", "verify-full": "verify-full"}
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class ServerAddress:
    host: str
    database: str
    login: str
    port: int = DEFAULT_PORT
    tls: str = "off"  # off | require | verify-full
    ca_file: str = ""

    def url(self) -> URL:
        """The SQLAlchemy URL, without a password (safe to show and to remember)."""
        query = {"sslmode": TLS_MODES[self.tls]}
        if self.tls == "verify-full" and self.ca_file:
            query["sslrootcert"] = self.ca_file
        return URL.create(
            "postgresql+psycopg",
            username=self.login,
            host=self.host,
            port=self.port,
            database=self.database,
            query=query,
        )

    @classmethod
    def from_url(cls, url: URL) -> ServerAddress:
        mode = str(url.query.get("sslmode", "disable"))
        tls = next((name for name, value in TLS_MODES.items() if value == mode), "off")
        return cls(
            host=url.host or "localhost",
            database=url.database or "",
            login=url.username or "",
            port=url.port or DEFAULT_PORT,
            tls=tls,
            ca_file=str(url.query.get("sslrootcert", "")),
        )


@dataclass(frozen=True)
class ServerCheck:
    """A server that answered and holds a LeadDesk database LeadDesk can open."""

    revision: str
    login: str
    person: str | None  # the LeadDesk user linked to the login, if any


def check_server(address: ServerAddress, password: str) -> ServerCheck:
    """Connect once and look; raises DatabaseUnavailableError with a one-line reason."""
    where = f"{address.host}:{address.port}/{address.database}"
    engine = create_engine(
        address.url().set(password=password or None),
        poolclass=NullPool,
        connect_args={"connect_timeout": 10, "application_name": "LeadDesk"},
    )
    try:
        with engine.connect() as connection:
            has_schema = connection.execute(
                text("SELECT to_regclass('alembic_version') IS NOT NULL")
            ).scalar()
            revision = (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if has_schema
                else None
            )
            if revision is None:
                raise DatabaseUnavailableError(f"{where} is not a LeadDesk database.")
            from alembic.script import ScriptDirectory  # only here: Alembic is slow to load

            known = {
                script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()
            }
            if revision not in known:
                raise DatabaseUnavailableError(
                    f"The database at {where} has a newer schema ({revision}) than this "
                    "LeadDesk knows; update LeadDesk first."
                )
            person = None
            if connection.execute(
                text(
                    "SELECT 1 FROM information_schema.columns"
                    " WHERE table_name = 'users' AND column_name = 'db_login'"
                )
            ).first():
                person = connection.execute(
                    text("SELECT name FROM users WHERE db_login = current_user")
                ).scalar()
            login = str(connection.execute(text("SELECT current_user")).scalar())
    except DBAPIError as exc:
        raise DatabaseUnavailableError(_reason(exc, address, password)) from None
    finally:
        engine.dispose()
    return ServerCheck(revision=revision, login=login, person=person)


def _reason(exc: DBAPIError, address: ServerAddress, password: str) -> str:
    text_ = str(exc.orig if exc.orig is not None else exc).strip()
    first = text_.splitlines()[0] if text_ else "unknown error"
    lowered = text_.lower()
    where = f"{address.host}:{address.port}"
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        reason = f"Wrong login or password for {address.login} at {where}."
    elif "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        reason = f"The server at {where} refused the TLS connection: {first}"
    elif f'database "{address.database.lower()}" does not exist' in lowered:
        reason = f"There is no database {address.database} at {where}."
    elif any(
        marker in lowered
        for marker in (
            "connection refused",
            "could not translate host",
            "timeout",
            "no route to host",
            "network is unreachable",
            "name or service not known",
        )
    ):
        reason = f"The server at {where} cannot be reached."
    else:
        reason = f"Cannot connect to {where}: {first}"
    # The driver never echoes the password, but a message must not carry it even by chance.
    return reason.replace(password, "***") if password else reason
