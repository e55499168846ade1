"""Fresh databases for every test, on SQLite and PostgreSQL, cloned from templates.

Each backend gets two templates per test run (schema only, and schema + demo data); a test
gets a copy (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), which is
much faster than migrating and seeding every time.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from leaddesk.store.database import open_database
from leaddesk.store.demo import create_demo

_counter = itertools.count(1)


class SqliteFactory:
    name = "sqlite"

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.templates: dict[bool, Path] = {}

    def _template(self, demo: bool) -> Path:
        if demo not in self.templates:
            path = self.work_dir / f"template-{'demo' if demo else 'empty'}.sqlite3"
            database = open_database(str(path))
            if demo:
                create_demo(database)
            with database.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            database.dispose()
            self.templates[demo] = path
        return self.templates[demo]

    def create(self, demo: bool = True) -> str:
        path = self.work_dir / f"test-{next(_counter)}.sqlite3"
        shutil.copyfile(self._template(demo), path)
        return f"sqlite+pysqlite:///{path}"

    def drop(self, url: str) -> None:
        database = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)


class PostgresFactory:
    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_size=1)
        self.templates: dict[bool, str] = {}

    def _url_for(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _template(self, demo: bool) -> str:
        if demo not in self.templates:
            name = f"leaddesk_template_{'demo' if demo else 'empty'}"
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            database = open_database(self._url_for(name))
            if demo:
                create_demo(database)
            database.dispose()
            self.templates[demo] = name
        return self.templates[demo]

    def create(self, demo: bool = True) -> str:
        template = self._template(demo)
        name = f"leaddesk_test_{next(_counter)}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return self._url_for(name)

    def create_blank(self) -> str:
        """A database with no tables at all, not even LeadDesk's schema."""
        name = f"leaddesk_test_{next(_counter)}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return self._url_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def dispose(self) -> None:
        self.admin.dispose()
