"""Opening a database safely: malformed URLs, foreign and misplaced SQLite files, databases
from a newer LeadDesk, a broken keyring, and read-only databases (issue 8, items 7, 8, 12, 13).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

import keyring.errors
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from leaddesk import cli
from leaddesk.errors import ReadOnlyDatabaseError
from leaddesk.store import database as database_module
from leaddesk.store import migrate
from leaddesk.store.database import open_database
from tests.helpers.demo_names import leads_of

MARIA = "Maria Manager"
READ_ONLY_PASS = "leaddesk: error: This database is read-only; passes are not possible.\n"
_role_numbers = itertools.count(1)


def run(capsys, *args):
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- item 7: malformed or unusable URLs --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "post gres://user:secret@host/db",
            "leaddesk: error: 'post gres://user@host/db' is not a database URL or file path.",
        ),
        (
            "postgresql://user:secret@host:abc/db",
            "leaddesk: error: 'postgresql://user@host:abc/db' is not a database URL or file path.",
        ),
        (
            "postgresql://user:secret@host:99999/db",
            "leaddesk: error: The port 99999 in the database URL is not between 1 and 65535.",
        ),
        (
            "postgresql+psycopg2://user:secret@host/db",
            "leaddesk: error: The database driver 'postgresql+psycopg2' is not installed; "
            "use postgresql+psycopg://… (psycopg 3 comes with LeadDesk).",
        ),
        (
            "postgresql+nosuchdriver://user:secret@host/db",
            "leaddesk: error: The database driver 'postgresql+nosuchdriver' is not installed; "
            "use postgresql+psycopg://… (psycopg 3 comes with LeadDesk).",
        ),
        (
            "oracle://user:secret@host/db",
            "leaddesk: error: LeadDesk works with SQLite and PostgreSQL, not 'oracle'.",
        ),
        (
            "nosuchdialect://user:secret@host/db",
            "leaddesk: error: LeadDesk works with SQLite and PostgreSQL, not 'nosuchdialect'.",
        ),
    ],
)
def test_a_malformed_or_unusable_url_is_one_line_without_the_password(capsys, url, message):
    code, out, err = run(capsys, "--db", url, "leads", "--as", MARIA)
    assert (code, out) == (1, "")
    assert one_error_line(err) == message
    assert "secret" not in err


def test_postgres_scheme_is_taken_as_postgresql():
    url = database_module.resolve_url("postgres://ann@db.example/sales")
    assert url.drivername == "postgresql+psycopg"


# -- item 8: foreign files, missing folders, new databases -------------------------------------


def test_a_sqlite_file_of_another_program_is_refused_and_left_untouched(tmp_path, capsys):
    foreign = tmp_path / "accounts.sqlite3"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.execute("INSERT INTO invoices (total) VALUES (12.5)")
    connection.commit()
    connection.close()
    before = foreign.read_bytes()

    code, out, err = run(capsys, "--db", str(foreign), "leads", "--as", MARIA)

    assert (code, out) == (1, "")
    assert one_error_line(err) == (
        f"leaddesk: error: {foreign} already holds tables of another program "
        "(invoices); it is not a LeadDesk database, so LeadDesk leaves it alone."
    )
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.sqlite3"]


def test_a_file_that_is_not_sqlite_at_all_is_refused_and_left_untouched(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just some words that go on for a while\n" * 20)
    before = notes.read_bytes()
    code, out, err = run(capsys, "--db", str(notes), "leads", "--as", MARIA)
    assert (code, out) == (1, "")
    assert one_error_line(err) == (
        f"leaddesk: error: {notes} is not a SQLite database; LeadDesk leaves it alone."
    )
    assert notes.read_bytes() == before


def test_a_path_in_a_missing_folder_creates_nothing(tmp_path, capsys):
    path = tmp_path / "typo" / "deeper" / "leads.sqlite3"
    code, out, err = run(capsys, "--db", str(path), "leads", "--as", MARIA)
    assert (code, out) == (1, "")
    assert one_error_line(err) == (
        f"leaddesk: error: There is no folder {path.parent}; "
        "LeadDesk makes a new database only in an existing folder."
    )
    assert not (tmp_path / "typo").exists()


def test_a_new_database_is_announced_on_stderr_once(tmp_path, capsys):
    path = tmp_path / "fresh.sqlite3"
    code, _out, err = run(capsys, "--db", str(path), "user", "add", "--name", "Ada Admin",
                         "--email", "ada@example.com")  # fmt: skip
    assert code == 0, err
    assert one_error_line(err) == f"leaddesk: created a new LeadDesk database at {path}"
    code, _out, err = run(capsys, "--db", str(path), "users", "--as", "Ada Admin")
    assert (code, err) == (0, "")


def test_a_new_postgresql_database_is_announced_and_a_foreign_one_refused(postgres_factory, capsys):
    if postgres_factory is None:
        pytest.skip("no PostgreSQL")
    empty = postgres_factory.create_blank()
    try:
        code, _out, err = run(capsys, "--db", empty, "leads", "--as", "1")
        assert code == 1
        assert err.splitlines()[-1] == "leaddesk: error: There is no user called '1'."
        assert err.splitlines()[0].startswith("leaddesk: created a new LeadDesk database at ")
        engine = create_engine(empty)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE invoices (id integer)"))
            connection.execute(text("DROP TABLE alembic_version"))
        engine.dispose()
        code, _out, err = run(capsys, "--db", empty, "leads", "--as", "1")
        assert code == 1
        assert "already holds tables of another program" in one_error_line(err)
    finally:
        postgres_factory.drop(empty)


# -- item 12: a database from a newer LeadDesk, a broken keyring -------------------------------


def test_a_database_made_by_a_newer_leaddesk_is_one_line(db_url, capsys):
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_future'"))
    engine.dispose()
    code, out, err = run(capsys, "--db", db_url, "leads", "--as", MARIA)
    assert (code, out) == (1, "")
    assert one_error_line(err) == (
        "leaddesk: error: This database was made by a newer LeadDesk (revision "
        "0099_from_future); install the newer version."
    )


def test_db_password_without_a_working_keyring_is_one_line(memory_keyring, monkeypatch, capsys):
    def broken(_service, _account, _password):
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    monkeypatch.setattr(memory_keyring, "set_password", broken)
    monkeypatch.setattr("getpass.getpass", lambda _prompt: "typed-secret")
    code, out, err = run(capsys, "db", "password", "--db", "postgresql://ann@db.example/sales")
    assert (code, out) == (1, "")
    assert one_error_line(err) == (
        "leaddesk: error: The system keyring refused to store the password: No recommended "
        "backend was available."
    )
    assert "typed-secret" not in err


# -- item 13: read-only databases --------------------------------------------------------------


def _sqlite_path(db_url: str) -> Path:
    return Path(make_url(db_url).database)


def _assert_views_work_and_passes_are_refused(capsys, url: str, lead_id: int) -> None:
    code, out, err = run(capsys, "--db", url, "leads", "--as", MARIA)
    assert (code, err) == (0, ""), err
    assert "12 lead(s)." in out
    code, out, err = run(capsys, "--db", url, "history", "--lead", str(lead_id), "--as", MARIA)
    assert (code, err) == (0, ""), err
    code, out, err = run(capsys, "--db", url, "buckets", "--as", MARIA)
    assert (code, err) == (0, ""), err
    code, out, err = run(
        capsys, "--db", url, "pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Jane Doe"
    )
    assert (code, out, err) == (1, "", READ_ONLY_PASS)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sqlite_file_opened_read_only_can_be_viewed_but_not_passed(db_url, database, capsys):
    lead_id = leads_of(database, "John Smith")[0].id
    database.dispose()
    path = _sqlite_path(db_url)
    before = path.read_bytes()
    read_only_url = f"sqlite:///file:{path}?mode=ro&uri=true"
    _assert_views_work_and_passes_are_refused(capsys, read_only_url, lead_id)
    assert path.read_bytes() == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sqlite_file_the_user_may_not_write_is_opened_read_only(
    db_url, database, capsys, monkeypatch
):
    lead_id = leads_of(database, "John Smith")[0].id
    database.dispose()
    path = _sqlite_path(db_url)
    path.chmod(0o444)
    if os.geteuid() == 0:
        # Root ignores permission bits; ask os.access what an ordinary user would be told.
        real_access = os.access

        def as_ordinary_user(target, mode, **kwargs):
            if Path(target) == path and mode & os.W_OK:
                return False
            return real_access(target, mode, **kwargs)

        monkeypatch.setattr(database_module.os, "access", as_ordinary_user)
    before = path.read_bytes()
    database = open_database(str(path))
    try:
        assert database.read_only
    finally:
        database.dispose()
    _assert_views_work_and_passes_are_refused(capsys, str(path), lead_id)
    assert path.read_bytes() == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_old_read_only_sqlite_file_is_not_upgraded(db_url, monkeypatch):
    path = _sqlite_path(db_url)
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "0099_from_future")
    upgrades = []
    monkeypatch.setattr(migrate, "run_alembic_upgrade", lambda *_args: upgrades.append(1))
    with pytest.raises(ReadOnlyDatabaseError, match="read-only and needs an upgrade"):
        open_database(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert upgrades == []


@pytest.fixture
def select_only_url(db_url, postgres_factory):
    """The same PostgreSQL database through a login that may only SELECT."""
    role = f"leaddesk_viewer_{os.getpid()}_{next(_role_numbers)}"
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
        # On a server a login acts as the user linked to it (leaddesk server's identity).
        connection.execute(
            text("UPDATE users SET db_login = :role WHERE name = 'Maria Manager'"), {"role": role}
        )
    yield make_url(db_url).set(username=role).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role"),
            {"role": role},
        )
        connection.execute(text(f"DROP OWNED BY {role}"))
        connection.execute(text(f"DROP ROLE {role}"))
    admin.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_select_only_postgresql_login_can_view_but_not_pass(select_only_url, database, capsys):
    database_is_read_only = open_database(select_only_url)
    try:
        assert database_is_read_only.read_only
        with pytest.raises(ReadOnlyDatabaseError), database_is_read_only.write():
            pass
    finally:
        database_is_read_only.dispose()
    assert not database.read_only
    lead_id = leads_of(database, "John Smith")[0].id
    _assert_views_work_and_passes_are_refused(capsys, select_only_url, lead_id)
