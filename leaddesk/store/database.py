"""Where the database is, how to connect to it, and sessions for reading and writing.

``open_database`` is the one entry point: it resolves the URL (``--db``, ``LEADDESK_DB``,
or the per-user SQLite file), fills in a password from the OS keyring, migrates the schema
(copying a SQLite file aside first) and returns a :class:`Database`.
"""

from __future__ import annotations

import os
import re
import select
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from leaddesk.errors import (
    DatabaseUnavailableError,
    InvalidInputError,
    LeadDeskError,
    ReadOnlyDatabaseError,
)
from leaddesk.store import sqlite_file
from leaddesk.system_keyring import system_keyring

APP_NAME = "LeadDesk"
KEYRING_DB_SERVICE = "LeadDesk database"
DB_ENV_VAR = "LEADDESK_DB"
SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_CACHE_KIB = 64 * 1024
READ_ONLY_CHANGES = "This database is read-only; changes are not possible."
READ_ONLY_PASSES = "This database is read-only; passes are not possible."
# "scheme://user:password@" -> "scheme://user@", for echoing a URL that could not be parsed.
_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*):[^@]*@")


def default_sqlite_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_NAME)) / "leaddesk.sqlite3"


def resolve_url(db: str | None = None) -> URL:
    """``--db`` beats ``LEADDESK_DB`` beats the per-user default file.

    A value with ``://`` is a SQLAlchemy URL; anything else is a path to a SQLite file.
    """
    raw = db or os.environ.get(DB_ENV_VAR) or str(default_sqlite_path())
    if "://" not in raw:
        return URL.create("sqlite+pysqlite", database=str(Path(raw).expanduser().absolute()))
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        # ValueError: a port that is not a number. Never echo the password.
        shown = _PASSWORD_IN_URL.sub(r"\1@", raw)
        raise InvalidInputError(f"'{shown}' is not a database URL or file path.") from exc
    if url.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInputError(
            f"LeadDesk works with SQLite and PostgreSQL, not '{url.get_backend_name()}'."
        )
    if url.port is not None and not 1 <= url.port <= 65535:
        raise InvalidInputError(
            f"The port {url.port} in the database URL is not between 1 and 65535."
        )
    return url


def keyring_account(url: URL) -> str:
    """The keyring account name for a server database: user@host:port/database."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def with_keyring_password(url: URL) -> URL:
    if url.get_backend_name() == "sqlite" or url.password is not None:
        return url
    # keyring takes a tenth of a second to import; only a server login without a password
    # in its URL needs it.
    keyring = system_keyring()
    try:
        secret = keyring.get_password(KEYRING_DB_SERVICE, keyring_account(url))
    except keyring.errors.KeyringError:
        secret = None
    return url.set(password=secret) if secret else url


# libpq's words when the server wants a password the connection did not bring, or refused
# the one it brought (a stale ~/.pgpass): then, and only then, the keyring is asked.
_PASSWORD_WANTED = ("no password supplied", "password authentication failed")


def _ask_keyring_when_the_server_asks(database: Database) -> None:
    """Connect with what the URL and libpq's own sources give (trust, peer, ~/.pgpass); ask
    the keyring only when the server wants a password, as psql does.

    Importing keyring and finding its backend costs about 70 ms of every command's start,
    which a login that needs no password paid for nothing. A password login pays one
    refused attempt, at its first connection only: the password found goes into every
    later connection, and into ``database.url`` for the change listener's own connection.
    """
    found: dict[str, str] = {}

    @event.listens_for(database.engine, "do_connect")
    def _connect(dialect: Any, _record: object, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        if "password" in found:
            cparams["password"] = found["password"]
            return None  # SQLAlchemy connects with it
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as exc:
            if not any(words in str(exc) for words in _PASSWORD_WANTED):
                raise
            secret = with_keyring_password(database.url).password
            if secret is None:
                raise
            found["password"] = secret
            database.url = database.url.set(password=secret)
            cparams["password"] = secret
            return None


def store_db_password(url: URL, password: str) -> None:
    keyring = system_keyring()
    try:
        keyring.set_password(KEYRING_DB_SERVICE, keyring_account(url), password)
    except keyring.errors.KeyringError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LeadDeskError(f"The system keyring refused to store the password: {reason}") from exc


def display_url(url: URL) -> str:
    """A URL safe to show or log: never contains the password."""
    if url.get_backend_name() == "sqlite":
        path = sqlite_file.sqlite_path(url)
        return str(path) if path else ":memory:"
    # URL.set() ignores None, which would leave "***" in the text; drop the password itself.
    return url._replace(password=None).render_as_string(hide_password=True)


def _install_sqlite_pragmas(engine: Engine) -> None:
    read_only = sqlite_file.is_read_only_url(engine.url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not read_only:  # switching the journal mode writes the file header
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # The default 2 MB page cache thrashes on a pass of 100,000 leads (the leads table
        # and its indexes are read and rewritten); 64 MB keeps them in memory.
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: object) -> None:
        # Writers take the write lock up front: a deferred transaction that later tries to
        # write can fail with "database is locked" instead of waiting its turn.
        write = conn.get_execution_options().get("leaddesk_write", False)  # type: ignore[attr-defined]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")  # type: ignore[attr-defined]


# A pooled server connection idle longer than this is pinged before use (a NAT or firewall
# may have dropped it silently); one used more recently is pinged only when the server
# has written to it meanwhile, which is how a closed connection shows.
PING_AFTER_IDLE_SECONDS = 30.0


def _check_connections_on_checkout(engine: Engine) -> None:
    """What ``pool_pre_ping`` does, without its round trip on every checkout.

    A ping on every checkout cost one round trip per read and per pass. A server that
    restarted, or a connection that was terminated or cut by a proxy, has sent its
    goodbye (or an end of file) to the idle socket: the socket is readable, which is seen
    locally; only then, or after a long idle spell, is the connection pinged, and one that
    fails the ping is replaced (``DisconnectionError``). A server that went away without a
    word is still noticed at the first statement, which fails as unreachable (the offline
    switch listens for that), and SQLAlchemy then replaces every older pooled connection.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: object, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None:  # just connected
            return
        idle = time.monotonic() - idle_since
        if idle < PING_AFTER_IDLE_SECONDS and not _has_unread_input(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a pooled connection failed its check: {exc}") from exc


def _has_unread_input(dbapi_connection: Any) -> bool:
    """Whether the server wrote to this idle connection (an error, an end of file)."""
    try:
        readable, _writable, broken = select.select(
            [dbapi_connection.fileno()], [], [dbapi_connection.fileno()], 0
        )
    except Exception:  # no usable socket (closed, broken): let the ping decide
        return True
    return bool(readable or broken)


# A server behind a dropped line (no TCP reset) must not hold LeadDesk for minutes: the
# connection attempt gives up after connect_timeout seconds, and an open connection whose
# packets go unanswered (keepalives, tcp_user_timeout in ms) is declared dead in about 30 s,
# so the window switches to its offline copy instead of waiting on the kernel's retries.
# LeadDesk's statements are short (key look-ups and set-based writes of the rows a pass
# names), but under the server's row-level security and with batches of very different
# sizes the planner can estimate one over ``jit_above_cost``; compiling it then took about
# 0.45 s of a statement that runs in 5 ms. So LeadDesk's sessions run without JIT.
PG_SESSION_OPTIONS = "-c jit=off"

_PG_CONNECT_DEFAULTS: dict[str, object] = {
    "options": PG_SESSION_OPTIONS,
    "connect_timeout": 10,
    "application_name": "LeadDesk",
    "keepalives": 1,
    "keepalives_idle": 20,
    "keepalives_interval": 5,
    "keepalives_count": 2,
    "tcp_user_timeout": 30000,
}


def create_db_engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _install_sqlite_pragmas(engine)
            return engine
        # What the URL says wins (``?connect_timeout=3``); the rest comes from here.
        connect_args = {
            name: value for name, value in _PG_CONNECT_DEFAULTS.items() if name not in url.query
        }
        engine = create_engine(url, connect_args=connect_args)
        _check_connections_on_checkout(engine)
        return engine
    except (NoSuchModuleError, ImportError) as exc:
        raise InvalidInputError(
            f"The database driver '{url.drivername}' is not installed; "
            "use postgresql+psycopg://… (psycopg 3 comes with LeadDesk)."
        ) from exc


@dataclass
class Database:
    """An open database: its engine and session factories for readers and writers."""

    url: URL
    engine: Engine
    # Set when opening made the LeadDesk schema in an empty database.
    created: bool = False
    _read_only: bool | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(leaddesk_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end."""
        with translate_connection_errors(self.url), self._read() as session:
            yield session

    @property
    def read_only(self) -> bool:
        """A read-only SQLite file or a PostgreSQL login that may not change leads; asked
        once, on first use, so opening a database for reading costs nothing more."""
        if self._read_only is None:
            if self.is_sqlite:
                self._read_only = sqlite_file.is_read_only_url(self.url)
            else:
                with translate_connection_errors(self.url), self.engine.connect() as connection:
                    self._read_only = bool(connection.scalar(_PG_READ_ONLY))
        return self._read_only

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session committed at the end, or rolled back entirely on any error."""
        if self.read_only:
            raise ReadOnlyDatabaseError(READ_ONLY_CHANGES)
        with translate_connection_errors(self.url), self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close the database's connections, first letting those still out come back (up
        to DISPOSE_WAIT_S): a window's read hands its answer over before its closing
        ROLLBACK, so whoever is done with the database may get here while that connection
        is on its way back. Disposed without it, the connection would go back to a pool
        nobody closes and be closed only by the garbage collector."""
        checked_out = getattr(self.engine.pool, "checkedout", None)
        deadline = time.monotonic() + DISPOSE_WAIT_S
        while checked_out is not None and checked_out() > 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        self.engine.dispose()


# A read's closing ROLLBACK is one round trip; a read still running when its window went is
# not waited for longer than this (the window's own database waits for its reads without
# blocking: OperationRunner.close_database).
DISPOSE_WAIT_S = 2.0


# A standby or read-only session, or a login that may update no column of leads (or, before
# the schema exists, without CREATE in its schema). Column privileges count: a server login
# gets UPDATE on the place columns of leads only (leaddesk server setup).
_PG_READ_ONLY = text(
    "SELECT current_setting('transaction_read_only') = 'on' OR NOT CASE"
    " WHEN to_regclass('leads') IS NULL THEN has_schema_privilege(current_schema(), 'CREATE')"
    " ELSE has_any_column_privilege('leads', 'UPDATE') END"
)


@contextmanager
def translate_connection_errors(url: URL) -> Iterator[None]:
    """Turn driver-level 'cannot connect' errors into one clear LeadDesk error."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if looks_unreachable(text):
            reason = text.strip().splitlines()[0]
            raise DatabaseUnavailableError(
                f"The database at {display_url(url)} cannot be reached: {reason}"
            ) from exc
        raise


def looks_unreachable(text: str) -> bool:
    markers = (
        "connection refused",
        "could not connect",
        "connection failed",
        "server closed the connection",
        "timeout expired",
        "unable to open database",
        "could not translate host",
        "password authentication failed",
        "no password supplied",
        "does not exist",
        "terminating connection",
        "connection is closed",
        "consuming input failed",
    )
    lowered = text.lower()
    return any(marker in lowered for marker in markers)


def open_database(db: str | None = None, *, migrate: bool = True) -> Database:
    """Resolve, connect, migrate; raises DatabaseUnavailableError with a clear sentence."""
    from leaddesk.store.migrate import upgrade_to_head

    url = resolve_url(db)
    path = sqlite_file.sqlite_path(url) if url.get_backend_name() == "sqlite" else None
    if path is not None:
        # Only LeadDesk's own per-user folder is made on demand; a typo in --db is not. Which
        # folder is ours (platformdirs) is asked only when the folder is missing.
        own_folder = not path.parent.is_dir() and path.parent == default_sqlite_path().parent
        sqlite_file.check_before_opening(path, may_create_folder=own_folder)
        if not sqlite_file.is_read_only_url(url) and not sqlite_file.may_write(path):
            url = sqlite_file.read_only_url(path)
    engine = create_db_engine(url)
    database = Database(url=url, engine=engine)
    if url.get_backend_name() != "sqlite" and url.password is None:
        _ask_keyring_when_the_server_asks(database)
    if migrate:
        try:
            with translate_connection_errors(url):
                upgrade_to_head(database)
        except BaseException:
            database.dispose()  # a refused database leaves no connection behind
            raise
        if database.is_sqlite:
            from leaddesk.store.replica_marker import prime

            prime(engine)
    return database
