"""The bad-input table: the command line fed wrong types, unknown and ambiguous names, empty
and huge values, stale batches, hostile CSV files, broken URLs and missing files, on SQLite
and PostgreSQL. Each row asserts the exact one-line message, the exit code, and that nothing
changed (row counts and a checksum of leads, history, notes, outbox, audit log, users and
manager rights). A subset also runs through the installed ``leaddesk`` script.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from leaddesk import cli
from leaddesk.store.database import open_database
from leaddesk.store.models import (
    AuditEntry,
    Lead,
    LeadNote,
    ManagerRight,
    OutboxMessage,
    PassBatch,
    PassHistory,
    User,
)
from tests.conftest import BACKENDS
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.engine_checks import pass_all_leads

MARIA = "Maria Manager"
ADA = "Ada Admin"
E = "leaddesk: error: "
CHECKED = (Lead, PassHistory, LeadNote, OutboxMessage, AuditEntry, User, ManagerRight, PassBatch)
HEADER = "name,company,email,phone,status,owner,office,pass_group\r\n"


@dataclass(frozen=True)
class Bad:
    """One bad input: the arguments after ``--db URL``, the one line on stderr, the exit code.

    ``{lead:NAME}``, ``{batch:stale}``, ``{file:NAME}``, ``{dir}`` and ``{db}`` in arguments
    and message are filled in per database; ``db`` replaces the ``--db`` value when given.
    """

    name: str
    args: tuple[str, ...]
    message: str
    code: int = 1
    db: str | None = None
    only: str | None = None  # one backend only


def usage(command: str, text: str) -> str:
    return f"leaddesk {command}: error: {text} (see 'leaddesk {command} --help')"


TABLE = [
    # -- who acts
    Bad("no actor", ("leads",), E + "Say who acts with --as NAME."),
    Bad("empty actor", ("leads", "--as", ""), E + "Say who acts with --as NAME."),
    Bad("unknown actor", ("leads", "--as", "Nobody"), E + "There is no user called 'Nobody'."),
    Bad("actor by unknown id", ("leads", "--as", "99999"), E + "There is no user called '99999'."),
    Bad("inactive actor", ("leads", "--as", "Ivy Inactive"),
        E + "Ivy Inactive is inactive and cannot sign in."),
    Bad("ambiguous actor", ("leads", "--as", "jane.doe@example.com"),
        E + "'jane.doe@example.com' matches more than one user (Jane Doe <jane.doe@example.com>, "
        "jane.doe@example.com <twin@example.com>); use the email address."),
    Bad("actor with control codes", ("leads", "--as", "No\nbody\x1b[2J"),
        E + "There is no user called 'No body[2J'."),
    # -- leads and filters
    Bad("unknown owner", ("leads", "--as", MARIA, "--owner", "Nobody"),
        E + "There is no user called 'Nobody'."),
    Bad("unknown status", ("leads", "--as", MARIA, "--status", "NOPE"),
        E + "There is no status called 'NOPE'."),
    # -- pass: wrong types, unknown names, rules
    Bad("lead id not a number", ("pass", "--as", MARIA, "--lead", "abc", "--to-user", "Jane Doe"),
        usage("pass", "argument --lead: invalid int value: 'abc'"), code=2),
    Bad("no source", ("pass", "--as", MARIA, "--to-user", "Jane Doe"),
        usage("pass", "one of the arguments --lead --user is required"), code=2),
    Bad("two targets", ("pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Jane Doe",
                        "--to-office", "Downtown Office"),
        usage("pass", "argument --to-office: not allowed with argument --to-user"), code=2),
    Bad("unknown lead", ("pass", "--as", MARIA, "--lead", "987654", "--to-user", "Jane Doe"),
        E + "There is no lead with id 987654."),
    Bad("empty source user", ("pass", "--as", MARIA, "--user", "", "--to-user", "Jane Doe"),
        E + "No user name was given."),
    Bad("unknown target", ("pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Nobody"),
        E + "There is no user called 'Nobody'."),
    Bad("unknown office", ("pass", "--as", MARIA, "--user", "John Smith", "--to-office", "Mars"),
        E + "There is no office called 'Mars'."),
    Bad("unknown group", ("pass", "--as", MARIA, "--user", "John Smith", "--to-group", "Nobody"),
        E + "There is no pass group called 'Nobody'."),
    Bad("status with --lead", ("pass", "--as", MARIA, "--lead", "{lead:Lakeside Realty signage}",
                               "--status", "LEAD", "--to-user", "Jane Doe"),
        E + "--status goes with --user, not with --lead."),
    Bad("no manager right", ("pass", "--as", MARIA, "--user", "John Smith", "--to-user",
                             "Pat Group"),
        E + "Maria Manager has no manager right over Pat Group. Only an administrator can give "
        "it. Ask Ada Admin."),
    Bad("inactive target", ("pass", "--as", MARIA, "--user", "John Smith", "--to-user",
                            "Ivy Inactive"),
        E + "Ivy Inactive is inactive and cannot receive leads."),
    Bad("huge note", ("pass", "--as", MARIA, "--user", "Sam Field", "--to-user", "Jane Doe",
                      "--note", "n" * 4001),
        E + "The note has 4,001 characters; at most 4,000 are allowed."),
    # -- buckets, history, undo
    Bad("assign an owned lead", ("assign", "--as", "Olivia Office", "--lead",
                                 "{lead:Lakeside Realty signage}", "--to-user", "Sam Field"),
        E + "Lead {lead:Lakeside Realty signage} (Lakeside Realty signage) is not in a Leads "
        "to be Assigned bucket."),
    Bad("history of an unknown lead", ("history", "--as", MARIA, "--lead", "987654"),
        E + "There is no lead with id 987654."),
    Bad("history without an actor", ("history", "--lead", "{lead:Lakeside Realty signage}"),
        E + "Say who acts with --as NAME."),
    Bad("history of a lead not visible", ("history", "--as", MARIA, "--lead",
                                          "{lead:Redwood Winery labels}"),
        E + "Maria Manager may not see lead {lead:Redwood Winery labels}."),
    Bad("undo an unknown batch", ("undo", "--as", MARIA, "--batch", "987654"),
        E + "There is no pass batch 987654."),
    Bad("undo a stale batch", ("undo", "--as", MARIA, "--batch", "{batch:stale}"),
        E + "Pass {batch:stale} cannot be undone: lead(s) {stale_leads} changed since."),
    # -- outbox and email settings
    Bad("outbox without an actor", ("outbox",), E + "Say who acts with --as NAME."),
    Bad("retry an unknown email", ("outbox", "retry", "--id", "999"),
        E + "There is no email 999 in the outbox; nothing was retried."),
    Bad("SMTP port out of range", ("outbox", "send", "--smtp-host", "h", "--smtp-port", "70000"),
        E + "SMTP port 70000 is not between 1 and 65535."),
    Bad("sender address with a comma", ("outbox", "send", "--smtp-host", "h", "--from",
                                        "a,b@x.example"),
        E + "'a,b@x.example' is not an email address to send from."),
    # -- administration
    Bad("address with a comma", ("user", "add", "--as", ADA, "--name", "New Person", "--email",
                                 "a,b@x.example"),
        E + "'a,b@x.example' is not a valid email address."),
    Bad("empty user name", ("user", "add", "--as", ADA, "--name", " ", "--email",
                            "new@example.com"),
        E + "The user name cannot be empty."),
    Bad("huge user name", ("user", "add", "--as", ADA, "--name", "x" * 201, "--email",
                           "new@example.com"),
        E + "The user name has 201 characters; at most 200 are allowed."),
    Bad("numeric user name", ("user", "add", "--as", ADA, "--name", "12345", "--email",
                              "new@example.com"),
        E + "The user name cannot be only digits ('12345')."),
    Bad("not an administrator", ("user", "add", "--as", MARIA, "--name", "New Person",
                                 "--email", "new@example.com"),
        E + "Only administrators can do this; Maria Manager is not an administrator."),
    Bad("db password for a file", ("db", "password"), E + "A SQLite file has no password.",
        only="sqlite"),
    # -- files
    Bad("missing import file", ("import", "leads", "{dir}/nothing.csv", "--as", ADA),
        E + "There is no file {dir}/nothing.csv."),
    Bad("empty CSV file", ("import", "leads", "{file:empty.csv}", "--as", ADA),
        E + "empty.csv is empty; nothing was imported."),
    Bad("workbook, not CSV", ("import", "leads", "{file:book.xlsx}", "--as", ADA),
        E + "book.xlsx is an Excel workbook (.xlsx), not CSV; save it as CSV first; "
        "nothing was imported."),
    Bad("UTF-16 CSV with a NUL", ("import", "leads", "{file:utf16-nul.csv}", "--as", ADA),
        E + "utf16-nul.csv contains NUL characters (line 2); it is not a CSV text file; "
        "nothing was imported."),
    Bad("binary file", ("import", "users", "{file:binary.csv}", "--as", ADA),
        E + "binary.csv contains NUL characters (line 1); it is not a CSV text file; "
        "nothing was imported."),
    Bad("export into a missing folder", ("export", "leads", "{dir}/no/such/out.csv", "--as",
                                         ADA),
        E + "Cannot export to {dir}/no/such/out.csv: the folder {dir}/no/such does not exist."),
    Bad("since that is not a date", ("export", "history", "{dir}/h.csv", "--as", ADA, "--since",
                                     "yesterday"),
        E + "'yesterday' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)."),
    # -- databases
    Bad("URL with a space and a password", ("leads", "--as", MARIA),
        E + "'post gres://user@host/db' is not a database URL or file path.",
        db="post gres://user:secret@host/db"),
    Bad("port that is not a number", ("leads", "--as", MARIA),
        E + "'postgresql://user@host:abc/db' is not a database URL or file path.",
        db="postgresql://user:secret@host:abc/db"),
    Bad("driver not installed", ("leads", "--as", MARIA),
        E + "The database driver 'postgresql+psycopg2' is not installed; use "
        "postgresql+psycopg://… (psycopg 3 comes with LeadDesk).",
        db="postgresql+psycopg2://user:secret@host/db"),
    Bad("unknown dialect", ("leads", "--as", MARIA),
        E + "LeadDesk works with SQLite and PostgreSQL, not 'mysql'.",
        db="mysql://user:secret@host/db"),
    Bad("database in a missing folder", ("leads", "--as", MARIA),
        E + "There is no folder {dir}/typo; LeadDesk makes a new database only in an existing "
        "folder.",
        db="{dir}/typo/leads.sqlite3"),
    Bad("another program's SQLite file", ("leads", "--as", MARIA),
        E + "{dir}/foreign.sqlite3 already holds tables of another program (invoices); it is "
        "not a LeadDesk database, so LeadDesk leaves it alone.",
        db="{file:foreign.sqlite3}"),
    Bad("text file as database", ("leads", "--as", MARIA),
        E + "{dir}/notes.txt is not a SQLite database; LeadDesk leaves it alone.",
        db="{file:notes.txt}"),
    Bad("pass on a read-only file", ("pass", "--as", MARIA, "--user", "John Smith", "--to-user",
                                     "Jane Doe"),
        E + "This database is read-only; passes are not possible.",
        db="sqlite:///file:{db}?mode=ro&uri=true", only="sqlite"),
]  # fmt: skip


def _write_files(folder: Path) -> None:
    (folder / "empty.csv").write_bytes(b"")
    (folder / "book.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    (folder / "utf16-nul.csv").write_bytes(
        (HEADER + "Nul\x00Lead,Co,,,LEAD,John Smith,,\r\n").encode("utf-16")
    )
    (folder / "binary.csv").write_bytes(b"\x00\x01\x02name,email\n")
    (folder / "notes.txt").write_text("just some words, not a database at all\n" * 10)
    connection = sqlite3.connect(folder / "foreign.sqlite3")
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()


@dataclass
class Prepared:
    backend: str
    url: str
    values: dict[str, str]

    def fill(self, text: str) -> str:
        for key, value in self.values.items():
            text = text.replace("{" + key + "}", value)
        return text


@pytest.fixture(scope="module", params=BACKENDS)
def prepared(request, sqlite_factory, postgres_factory, tmp_path_factory) -> Iterator[Prepared]:
    """One database per backend for the whole table (every row must leave it unchanged, and
    says so): the demo data plus an inactive user, an ambiguous name and a stale batch."""
    backend = request.param
    factory = sqlite_factory if backend == "sqlite" else postgres_factory
    if factory is None:
        if os.environ.get("LEADDESK_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL is required (LEADDESK_REQUIRE_PG=1) but not available")
        pytest.skip("no PostgreSQL server binaries and no LEADDESK_TEST_PG_URL")
    db_url = factory.create(True)
    tmp_path = tmp_path_factory.mktemp(f"bad-input-{backend}")
    yield _prepare(backend, db_url, tmp_path)
    factory.drop(db_url)


def _prepare(backend: str, db_url: str, tmp_path: Path) -> Prepared:
    _write_files(tmp_path)
    database = open_database(db_url)
    try:
        maria = user_id(database, MARIA)
        with database.write() as session:
            ivy = User(name="Ivy Inactive", email="ivy@example.com", active=False)
            # A name that is also another user's email address: typing it is ambiguous.
            twin = User(name="jane.doe@example.com", email="twin@example.com")
            session.add_all([ivy, twin])
            session.flush()
            session.add(ManagerRight(manager_id=maria, user_id=ivy.id))
        stale = pass_all_leads(database, "John Smith", to_user="Jane Doe", note="John left")
        pass_all_leads(database, "Jane Doe", to_user="Sam Field", note="Jane left")
        with database.read() as session:
            stale_leads = sorted(
                session.scalars(select(PassHistory.lead_id).where(PassHistory.batch_id == stale))
            )
        values = {
            "batch:stale": str(stale),
            "stale_leads": ", ".join(str(i) for i in stale_leads),
            "dir": str(tmp_path),
        }
        for row in TABLE:
            for arg in (*row.args, row.message):
                for part in arg.split("{lead:")[1:]:
                    name = part.split("}")[0]
                    values[f"lead:{name}"] = str(lead_by_name(database, name).id)
        for path in tmp_path.iterdir():
            values[f"file:{path.name}"] = str(path)
        if make_url(db_url).get_backend_name() == "sqlite":
            values["db"] = make_url(db_url).database
    finally:
        database.dispose()
    return Prepared(backend, db_url, values)


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 of every row, per checked table."""
    database = open_database(url)
    try:
        with database.read() as session:
            result = {}
            for model in CHECKED:
                table = model.__table__
                rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
                digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode())
                result[table.name] = (len(rows), digest.hexdigest())
            return result
    finally:
        database.dispose()


def _argv(row: Bad, prepared: Prepared) -> list[str]:
    db = prepared.fill(row.db) if row.db else prepared.url
    return ["--db", db, *(prepared.fill(arg) for arg in row.args)]


@pytest.mark.parametrize("row", TABLE, ids=[row.name for row in TABLE])
def test_bad_input_in_process(row: Bad, prepared, capsys):
    if row.only not in (None, prepared.backend):
        pytest.skip(f"{row.only} only")
    before = fingerprint(prepared.url)
    try:
        code = cli.main(_argv(row, prepared))
    except SystemExit as exc:  # usage mistakes leave through argparse, as in the script
        code = exc.code
    captured = capsys.readouterr()
    assert (code, captured.out) == (row.code, "")
    assert captured.err == prepared.fill(row.message) + "\n"
    assert "secret" not in captured.err
    assert fingerprint(prepared.url) == before


# A handful through the installed script: a real process, its exit code and its stderr.
SCRIPT_ROWS = [
    "unknown actor",
    "lead id not a number",
    "no manager right",
    "undo a stale batch",
    "UTF-16 CSV with a NUL",
    "URL with a space and a password",
    "another program's SQLite file",
]


def _console_script() -> str:
    beside_python = Path(sys.executable).with_name("leaddesk")
    if not beside_python.is_file():
        pytest.fail("the leaddesk console script is not installed (pip install -e .)")
    return str(beside_python)


def test_bad_input_through_the_installed_script(prepared):
    script = _console_script()
    rows = [row for row in TABLE if row.name in SCRIPT_ROWS]
    assert len(rows) == len(SCRIPT_ROWS)
    before = fingerprint(prepared.url)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for row in rows:
        done = subprocess.run(
            [script, *_argv(row, prepared)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stdout) == (row.code, ""), row.name
        assert done.stderr == prepared.fill(row.message) + "\n", row.name
    assert fingerprint(prepared.url) == before


def test_the_table_is_big_enough():
    assert len(TABLE) >= 40
    assert len({row.name for row in TABLE}) == len(TABLE)
