"""A LeadDesk database on the test cluster set up as a shared server, with personal logins.

Logins are cluster-wide, so the demo people's logins (``maria``, ``olivia``, ``victor`` and
the administrator ``ada``) are created once per test run and linked anew in every fresh
database; ``leaddesk server setup`` and the linking run through ``leaddesk`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from leaddesk.cli import main

DEMO_LOGINS = {
    "maria": "Maria Manager",
    "olivia": "Olivia Office",
    "victor": "Victor Outside",
    "ada": "Ada Admin",
}


def ensure_login(admin: Engine, login: str) -> None:
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :login"), {"login": login}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE ROLE "{login}" LOGIN'))


def url_as(url: str, login: str) -> str:
    return make_url(url).set(username=login).render_as_string(hide_password=False)


@dataclass
class ServerDatabase:
    """A set-up database: the owner's URL and raw connections as any login."""

    owner_url: str
    _engines: dict[str, Engine] = field(default_factory=dict)

    def url(self, login: str) -> str:
        return url_as(self.owner_url, login)

    @contextmanager
    def raw(self, login: str) -> Iterator[Connection]:
        """A raw SQL connection as ``login`` (like psql); rolled back at the end."""
        if login not in self._engines:
            self._engines[login] = create_engine(self.url(login), pool_size=1)
        with self._engines[login].connect() as connection:
            yield connection

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def owner_scalar(self, sql: str, **params: object) -> object:
        with self.raw(make_url(self.owner_url).username or "postgres") as connection:
            return connection.execute(text(sql), params).scalar()

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every LeadDesk table, as the owner sees it."""
        tables = (
            "users manager_rights offices office_members pass_groups pass_group_members "
            "statuses leads lead_notes pass_batches pass_history outbox audit_log"
        ).split()
        with self.raw(make_url(self.owner_url).username or "postgres") as connection:
            return {
                table: [
                    tuple(row)
                    for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))
                ]
                for table in tables
            }


def set_up_server(owner_url: str) -> ServerDatabase:
    assert main(["server", "setup", "--db", owner_url]) == 0
    for login, person in DEMO_LOGINS.items():
        assert (
            main(
                ["user", "set", person, "--db-login", login, "--db", owner_url, "--as", "Ada Admin"]
            )
            == 0
        )
    return ServerDatabase(owner_url)
