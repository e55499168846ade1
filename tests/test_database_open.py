"""Finding and opening the database: --db path or URL, LEADDESK_DB, the per-user default,
keyring passwords, copying a SQLite file aside before migrating, unreachable servers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import keyring.errors
import pytest
from alembic import command
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from leaddesk import cli
from leaddesk.errors import DatabaseUnavailableError, InvalidInputError
from leaddesk.store import migrate
from leaddesk.store.database import (
    DB_ENV_VAR,
    default_sqlite_path,
    display_url,
    keyring_account,
    open_database,
    resolve_url,
    store_db_password,
    with_keyring_password,
)
from leaddesk.store.models import Lead, User

UNREACHABLE = "postgresql+psycopg://nobody:s3cret-pw@127.0.0.1:1/x"


def _count(database, model) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(model))


# -- which database ------------------------------------------------------------------------


def test_a_plain_path_is_a_sqlite_file_resolved_to_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = resolve_url("data/leads.sqlite3")
    assert url.drivername == "sqlite+pysqlite"
    assert url.database == str(tmp_path / "data" / "leads.sqlite3")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_url("~/x.sqlite3").database == str(tmp_path / "x.sqlite3")


def test_urls_are_taken_as_given_and_plain_postgresql_gets_psycopg():
    assert resolve_url("postgresql://ann@db.example/sales").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql+psycopg://ann@db.example/sales").host == "db.example"
    assert resolve_url("sqlite+pysqlite:////tmp/x.sqlite3").database == "/tmp/x.sqlite3"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://a@b/c", "works with SQLite and PostgreSQL, not 'mysql'"),
        ("://x", "not a database"),
    ],
)
def test_unsupported_or_malformed_urls_are_refused(raw, message):
    with pytest.raises(InvalidInputError, match=message):
        resolve_url(raw)


def test_db_option_beats_environment_beats_default(tmp_path, monkeypatch):
    default = resolve_url()
    assert default.database == str(default_sqlite_path())
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "from-env.sqlite3"))
    assert resolve_url().database == str(tmp_path / "from-env.sqlite3")
    assert resolve_url(str(tmp_path / "given.sqlite3")).database == str(tmp_path / "given.sqlite3")


def test_the_default_is_a_sqlite_file_in_the_per_user_data_folder(tmp_path_factory):
    path = default_sqlite_path()
    # The autouse fixture points XDG_DATA_HOME at a temporary folder for every test.
    assert path.name == "leaddesk.sqlite3"
    assert path.parent.name == "LeadDesk"
    assert not path.exists()
    database = open_database()
    try:
        assert path.is_file()
        assert migrate.stored_revision(database) == migrate.SCHEMA_HEAD
    finally:
        database.dispose()


def test_the_cli_uses_the_default_file_then_leaddesk_db_then_db(tmp_path, monkeypatch, capsys):
    assert cli.main(["demo"]) == 0
    assert default_sqlite_path().is_file()
    assert "Demo data created" in capsys.readouterr().out

    env_file = tmp_path / "env.sqlite3"
    monkeypatch.setenv(DB_ENV_VAR, str(env_file))
    assert cli.main(["demo", "--json"]) == 0
    assert '"created": true' in capsys.readouterr().out
    assert env_file.is_file()

    given = tmp_path / "given.sqlite3"
    assert cli.main(["--db", str(given), "demo"]) == 0
    assert cli.main(["demo", "--db", str(given)]) == 0
    assert "already present" in capsys.readouterr().out.splitlines()[-1]
    assert given.is_file()


def test_opening_by_url_and_by_environment_reach_the_same_data(db_url, monkeypatch):
    by_url = open_database(db_url)
    monkeypatch.setenv(DB_ENV_VAR, db_url)
    by_env = open_database()
    try:
        assert by_env.url == by_url.url
        assert _count(by_env, Lead) == _count(by_url, Lead) == 19
    finally:
        by_url.dispose()
        by_env.dispose()


def test_db_upgrade_reports_the_head_revision(db_url, capsys):
    assert cli.main(["db", "upgrade", "--db", db_url]) == 0
    assert f"schema at revision {migrate.head_revision()}" in capsys.readouterr().out


# -- copying a SQLite file aside -------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backup_is_a_readable_copy_with_the_same_rows(database):
    backup = migrate.backup_sqlite_file(database, "0000_older")
    assert backup is not None and backup.is_file()
    assert backup.name.startswith(Path(database.url.database).name + ".before-0000_older-")
    copy = sqlite3.connect(str(backup))
    try:
        leads = copy.execute("SELECT id, name, owner_id, version FROM leads ORDER BY id").fetchall()
        users = copy.execute("SELECT count(*) FROM users").fetchone()[0]
    finally:
        copy.close()
    with database.read() as session:
        assert leads == [
            tuple(row)
            for row in session.execute(
                select(Lead.id, Lead.name, Lead.owner_id, Lead.version).order_by(Lead.id)
            )
        ]
    assert users == _count(database, User)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_opening_a_database_at_head_makes_no_backup(db_url):
    folder = Path(make_url(db_url).database).parent
    before = set(folder.glob("*.bak"))
    database = open_database(db_url)
    try:
        assert migrate.upgrade_to_head(database) is None
    finally:
        database.dispose()
    assert set(folder.glob("*.bak")) == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_older_sqlite_file_is_copied_aside_before_it_is_upgraded(db_url, monkeypatch):
    # With one revision there is no real older schema; pretend a newer head exists and record
    # the order of events instead.
    events: list[str] = []
    real_backup = migrate.backup_sqlite_file

    def backup(database, revision):
        events.append(f"backup from {revision}")
        return real_backup(database, revision)

    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9999_future")
    monkeypatch.setattr(migrate, "backup_sqlite_file", backup)
    monkeypatch.setattr(migrate, "run_alembic_upgrade", lambda _database: events.append("upgrade"))
    database = open_database(db_url)
    try:
        leads = _count(database, Lead)
        made = migrate.upgrade_to_head(database)
    finally:
        database.dispose()
    assert events[-2:] == [f"backup from {migrate.head_revision()}", "upgrade"]
    assert made is not None and made.is_file()
    copy = sqlite3.connect(str(made))
    try:
        assert copy.execute("SELECT count(*) FROM leads").fetchone()[0] == leads
    finally:
        copy.close()


# -- knowing the schema is current -----------------------------------------------------------


def test_the_schema_head_constant_is_alembics_head():
    """Adding a migration without updating SCHEMA_HEAD would skip it on every open."""
    assert migrate.head_revision() == migrate.SCHEMA_HEAD


def test_a_current_schema_is_recognised_with_one_query(database):
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        assert migrate.upgrade_to_head(database) is None
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    # SQLite's connection also sends the BEGIN that LeadDesk issues itself (see database.py).
    assert [s for s in statements if s != "BEGIN"] == ["SELECT version_num FROM alembic_version"]


def test_a_database_never_migrated_reads_as_no_revision_and_is_migrated_on_open(make_db_url):
    url = make_db_url(demo=False)
    database = open_database(url, migrate=False)
    try:
        command.downgrade(migrate.alembic_config(database), "base")
        with database.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")
        assert migrate.stored_revision(database) is None
    finally:
        database.dispose()
    reopened = open_database(url)
    try:
        assert migrate.stored_revision(reopened) == migrate.SCHEMA_HEAD
        assert _count(reopened, User) == 0
    finally:
        reopened.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_server_database_is_never_copied_aside(database):
    assert migrate.backup_sqlite_file(database, "0000_older") is None


# -- passwords from the keyring ------------------------------------------------------------


def test_a_postgresql_url_without_password_gets_it_from_the_keyring(memory_keyring):
    url = make_url("postgresql+psycopg://ann@db.example:5433/sales")
    assert with_keyring_password(url).password is None
    store_db_password(url, "from-keyring")
    assert keyring_account(url) == "ann@db.example:5433/sales"
    assert memory_keyring.secrets[("LeadDesk database", "ann@db.example:5433/sales")]
    filled = with_keyring_password(url)
    assert filled.password == "from-keyring"
    assert "from-keyring" not in display_url(filled)
    # A password given in the URL wins; SQLite never asks.
    assert with_keyring_password(url.set(password="given")).password == "given"
    sqlite_url = resolve_url("/tmp/x.sqlite3")
    assert with_keyring_password(sqlite_url) == sqlite_url


def test_a_broken_keyring_means_no_password_not_a_crash(memory_keyring, monkeypatch):
    def broken(_service, _account):
        raise keyring.errors.KeyringError("locked")

    monkeypatch.setattr(memory_keyring, "get_password", broken)
    url = make_url("postgresql+psycopg://ann@db.example/sales")
    assert with_keyring_password(url).password is None


# -- unreachable databases -----------------------------------------------------------------


def test_an_unreachable_server_is_a_clear_error_without_the_password():
    with pytest.raises(DatabaseUnavailableError) as info:
        open_database(UNREACHABLE)
    message = str(info.value)
    assert message.startswith(
        "The database at postgresql+psycopg://nobody@127.0.0.1:1/x cannot be reached: "
    )
    assert "***" not in message
    assert "cannot be reached" in message
    assert "s3cret-pw" not in message
    assert "\n" not in message


def test_the_cli_prints_one_line_for_an_unreachable_server(capsys):
    assert cli.main(["leads", "--db", UNREACHABLE, "--as", "Maria Manager"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("leaddesk: error: The database at ")
    assert "cannot be reached" in lines[0]
    assert "s3cret-pw" not in captured.err


def test_a_sqlite_path_that_cannot_be_opened_is_a_clear_error(tmp_path, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(DatabaseUnavailableError, match="cannot be reached"):
        open_database(str(folder))
    assert cli.main(["--db", str(folder), "outbox"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("leaddesk: error:")


def test_a_database_with_data_goes_down_one_revision_and_up_again_unchanged(db_url):
    """A file made by the previous release upgrades in place with its rows. On SQLite a
    migration that rebuilds a table (Alembic's batch mode: copy, DROP, rename) must not trip
    over foreign keys pointing at the table being rebuilt."""
    database = open_database(db_url)
    try:
        before = (_count(database, User), _count(database, Lead))
        assert before[0] > 0 and before[1] > 0
        previous = migrate.alembic_config(database)
        from alembic.script import ScriptDirectory

        down_to = ScriptDirectory.from_config(previous).get_revision(migrate.SCHEMA_HEAD)
        command.downgrade(previous, down_to.down_revision)
        assert migrate.stored_revision(database) == down_to.down_revision
    finally:
        database.dispose()
    reopened = open_database(db_url)
    try:
        assert migrate.stored_revision(reopened) == migrate.SCHEMA_HEAD
        assert (_count(reopened, User), _count(reopened, Lead)) == before
        if reopened.engine.dialect.name == "sqlite":
            with reopened.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        reopened.dispose()
