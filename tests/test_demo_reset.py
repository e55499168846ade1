"""``leaddesk demo --reset`` cannot destroy real data, on SQLite and PostgreSQL.

Only demo data: anyone may reset. Anything else: an administrator types the database's name
back, after a copy of the SQLite file (PostgreSQL: a second flag naming the database, as
no copy can be made); an audit line says who did it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from leaddesk import cli
from leaddesk.admin.reset import RESET_ACTION, database_name
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.store.database import open_database
from leaddesk.store.models import AuditEntry, Lead, PassHistory, User
from tests.helpers.demo_names import user_id
from tests.helpers.engine_checks import full_snapshot


def run(capsys, db_url, *args):
    code = cli.main(["--db", db_url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


def _counts(database):
    with database.read() as session:
        return (
            session.scalar(select(func.count()).select_from(User)),
            session.scalar(select(func.count()).select_from(Lead)),
            session.scalar(select(func.count()).select_from(PassHistory)),
        )


def _reset_lines(database):
    with database.read() as session:
        return list(
            session.scalars(select(AuditEntry.detail).where(AuditEntry.action == RESET_ACTION))
        )


def _with_a_real_user(capsys, db_url):
    code, _out, err = run(
        capsys, db_url, "user", "add", "--as", "Ada Admin", "--name", "Rita Real",
        "--email", "rita@real.example",
    )  # fmt: skip
    assert code == 0, err


def test_a_database_with_only_demo_data_is_reset_by_anyone(db, db_url, capsys):
    maria, john, jane = (user_id(db, n) for n in ("Maria Manager", "John Smith", "Jane Doe"))
    with db.write() as session:  # trying the demo: passes between its own people
        pass_leads(
            session, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
        )
    code, out, err = run(capsys, db_url, "demo", "--reset")
    assert (code, err) == (0, ""), err
    assert "Removed 8 user(s) and 19 lead(s)." in out
    assert "Demo data created" in out
    assert _counts(db) == (8, 19, 0)
    assert _reset_lines(db) == [
        "Reset the demo data (the database held only demo data); removed 8 user(s) and 19 lead(s)."
    ]


def test_plain_demo_on_other_data_no_longer_suggests_reset(make_db_url, capsys):
    url = make_db_url(demo=False)
    assert run(capsys, url, "user", "add", "--name", "Rita Real", "--email", "r@x.example")[0] == 0
    code, _out, err = run(capsys, url, "demo")
    assert code == 1
    assert "--reset" not in err
    assert err == (
        "leaddesk: error: This database already holds other data; demo data goes into an "
        "empty database, for example a new file: leaddesk --db demo.sqlite3 demo\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "holds more than demo data (it has 9 users, not the demo's 8); "
             "only an administrator can replace it: --as ADMIN --confirm {name}"),
        (("--as", "Maria Manager", "--confirm", "{name}"),
         "Only administrators can do this; Maria Manager is not an administrator."),
        (("--as", "Ada Admin"), "To delete all of it, type the database's name back: "
                                "--confirm {name}"),
        (("--as", "Ada Admin", "--confirm", "leaddesk"), "--confirm {name}"),
    ],
)  # fmt: skip
def test_real_data_is_refused_without_an_admin_and_the_typed_name(
    db, db_url, capsys, args, message
):
    _with_a_real_user(capsys, db_url)
    name = database_name(db)
    before = full_snapshot(db), _counts(db)
    code, _out, err = run(capsys, db_url, "demo", "--reset", *(a.format(name=name) for a in args))
    assert code == 1
    assert err.startswith("leaddesk: error: ") and err.count("\n") == 1
    assert message.format(name=name) in err
    assert (full_snapshot(db), _counts(db)) == before


def test_rows_added_without_an_audit_line_still_count_as_real_data(db, db_url, capsys):
    with db.write() as session:
        session.execute(
            text("INSERT INTO users (name, email, active, is_admin, created_at) "
                 "VALUES ('Raw Rob', 'rob@raw.example', true, false, '2026-01-01')")
        )  # fmt: skip
    code, _out, err = run(capsys, db_url, "demo", "--reset")
    assert code == 1
    assert "(it has 9 users, not the demo's 8)" in err
    assert _counts(db)[0] == 9


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_admin_resets_a_sqlite_file_after_a_copy_is_kept(db, db_url, capsys):
    _with_a_real_user(capsys, db_url)
    name = database_name(db)
    code, out, err = run(capsys, db_url, "demo", "--reset", "--as", "Ada Admin", "--confirm", name)
    assert (code, err) == (0, ""), err
    backup = Path(out.split("the old file is kept at ")[1].split(".\n")[0])
    assert backup.is_file()
    with sqlite3.connect(backup) as copy:
        kept = copy.execute("SELECT name FROM users WHERE email = 'rita@real.example'").fetchall()
    assert kept == [("Rita Real",)]
    assert _counts(db) == (8, 19, 0)
    [line] = _reset_lines(db)
    assert line.startswith("Ada Admin (administrator) replaced everything with the demo data")
    assert f"the old file was copied to {backup}" in line


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_needs_the_name_twice_since_no_copy_can_be_made(db, db_url, capsys):
    _with_a_real_user(capsys, db_url)
    name = database_name(db)
    before = _counts(db)
    code, _out, err = run(capsys, db_url, "demo", "--reset", "--as", "Ada Admin", "--confirm", name)
    assert code == 1
    assert err == (
        f"leaddesk: error: LeadDesk cannot copy a PostgreSQL database aside; back up {name} "
        f"(pg_dump) and repeat with --force-without-backup {name}.\n"
    )
    assert _counts(db) == before
    code, _out, err = run(
        capsys, db_url, "demo", "--reset", "--as", "Ada Admin", "--confirm", name,
        "--force-without-backup", name,
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert _counts(db) == (8, 19, 0)
    [line] = _reset_lines(db)
    assert line.endswith("removed 9 user(s) and 19 lead(s); no copy was kept.")
