"""Hostile text in and out: invalid email addresses, control characters and line breaks in
names and notes, NUL in CSV files, oversized CSV files (issue 8, item 12)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from sqlalchemy import select, text

from leaddesk import cli
from leaddesk.data_io import csv_text
from leaddesk.data_io.csv_text import read_table
from leaddesk.notify.sender import send_queued
from leaddesk.notify.smtp_connection import EmailDeliveryError, send_test_email
from leaddesk.store.database import open_database
from leaddesk.store.models import Lead, LeadNote, User
from tests.helpers.engine_checks import full_snapshot
from tests.helpers.smtp_server import running_smtp_server

ADA = "Ada Admin"
MARIA = "Maria Manager"
HEADER = "name,company,email,phone,status,owner,office,pass_group\r\n"


def run(capsys, db_url, *args):
    code = cli.main(["--db", db_url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- one email check everywhere ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["a,b@x.example", "a b@x.example", "<a@x.example>", "a@x", "a@@x.example", "a@x..example"],
)
def test_invalid_addresses_are_refused_by_user_add_and_user_set(db_url, capsys, address):
    database = open_database(db_url)
    before = full_snapshot(database)
    code, out, err = run(capsys, db_url, "user", "add", "--as", ADA, "--name", "New Person",
                         "--email", address)  # fmt: skip
    assert (code, out) == (1, "")
    assert err == f"leaddesk: error: '{address}' is not a valid email address.\n"
    code, out, err = run(capsys, db_url, "user", "set", "Jane Doe", "--as", ADA, "--email", address)
    assert (code, out) == (1, "")
    assert err == f"leaddesk: error: '{address}' is not a valid email address.\n"
    assert full_snapshot(database) == before
    database.dispose()


def test_an_address_with_a_comma_is_refused_by_both_imports_and_the_smtp_settings(
    db_url, capsys, tmp_path
):
    users = tmp_path / "users.csv"
    users.write_text('name,email\r\nComma Person,"a,b@x.example"\r\n', encoding="utf-8")
    code, _out, err = run(capsys, db_url, "import", "users", str(users), "--as", ADA)
    assert code == 1
    assert "'a,b@x.example' is not a valid email address" in err
    leads = tmp_path / "leads.csv"
    leads.write_text(HEADER + 'Lead,Co,"a,b@x.example",,LEAD,John Smith,,\r\n', encoding="utf-8")
    code, _out, err = run(capsys, db_url, "import", "leads", str(leads), "--as", ADA)
    assert code == 1
    assert "'a,b@x.example' is not a valid email address" in err
    code, out, err = run(capsys, db_url, "outbox", "send", "--smtp-host", "127.0.0.1",
                         "--from", "a,b@x.example")  # fmt: skip
    assert (code, out) == (1, "")
    assert err == "leaddesk: error: 'a,b@x.example' is not an email address to send from.\n"
    with (
        running_smtp_server() as server,
        pytest.raises(EmailDeliveryError, match="is not an email address to send a test to"),
    ):
        send_test_email(server.settings(), None, "a,b@x.example")


# -- control characters and line breaks --------------------------------------------------------


def test_control_characters_are_cleaned_from_names_and_notes_on_input(db_url, capsys, tmp_path):
    code, _out, err = run(capsys, db_url, "user", "add", "--as", ADA, "--name",
                          "Eve\x1b[2J\nEvil", "--email", "eve@example.com")  # fmt: skip
    assert code == 0, err
    leads = tmp_path / "leads.csv"
    leads.write_text(HEADER + '"Line\nbreak\x1b[31m lead",Co,,,LEAD,John Smith,,\r\n', "utf-8")
    code, _out, err = run(capsys, db_url, "import", "leads", str(leads), "--as", ADA)
    assert code == 0, err
    note = "first\r\nsecond\x1b[1m\x00"
    code, _out, err = run(capsys, db_url, "pass", "--as", MARIA, "--user", "John Smith",
                          "--to-user", "Jane Doe", "--note", note)  # fmt: skip
    assert code == 0, err
    database = open_database(db_url)
    try:
        with database.read() as session:
            assert session.scalar(select(User.name).where(User.email == "eve@example.com")) == (
                "Eve[2J Evil"
            )
            assert session.scalar(select(Lead.name).where(Lead.company == "Co")) == (
                "Line break[31m lead"
            )
            notes = set(session.scalars(select(LeadNote.body)))
            assert notes == {"first\nsecond[1m"}
    finally:
        database.dispose()


def _poison_names(db_url: str) -> None:
    """As if an older version or a raw SQL client had stored hostile names."""
    database = open_database(db_url)
    with database.write() as session:
        session.execute(
            text("UPDATE users SET name = :name WHERE name = 'Maria Manager'"),
            {"name": "Maria\nManager\x1b[31m"},
        )
        session.execute(
            text("UPDATE leads SET name = :name WHERE name = 'Harbor Logistics renewal'"),
            {"name": "Harbor\nLeads:\n  - FAKE LINE\x1b]0;owned\x07"},
        )
    database.dispose()


def test_stored_control_characters_never_reach_the_terminal(db_url, capsys):
    _poison_names(db_url)
    # --wide: one line per lead, so the whole name can be checked on its line.
    code, out, err = run(capsys, db_url, "leads", "--as", "Ada Admin", "--wide")
    assert (code, err) == (0, "")
    assert "\x1b" not in out and "\x07" not in out
    harbor = [line for line in out.splitlines() if "Harbor" in line]
    assert len(harbor) == 1 and "FAKE LINE" in harbor[0]
    code, out, err = run(capsys, db_url, "leads", "--as", "Nobody\nElse\x1b[31m")
    assert code == 1
    assert err == "leaddesk: error: There is no user called 'Nobody Else[31m'.\n"


def test_stored_line_breaks_never_fake_lines_in_the_email(db_url, capsys):
    code, _out, err = run(capsys, db_url, "pass", "--as", MARIA, "--user", "John Smith",
                          "--to-user", "Jane Doe")  # fmt: skip
    assert code == 0, err
    _poison_names(db_url)
    database = open_database(db_url)
    try:
        with running_smtp_server() as server:
            assert send_queued(database, server.settings(), None, sender_id="s").sent == 1
            [message] = server.handler.messages()
    finally:
        database.dispose()
    assert message["Subject"] == "3 leads passed to you by Maria Manager[31m"
    body = message.get_body(("plain",)).get_content()
    assert "\x1b" not in body and "\x07" not in body
    assert "\n  - FAKE LINE" not in body
    assert "  - Harbor Leads:   - FAKE LINE]0;owned (Harbor Logistics)" in body


# -- NUL characters and exports ----------------------------------------------------------------


def test_a_utf16_csv_with_a_nul_is_one_line_and_changes_nothing(db_url, capsys, tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes((HEADER + "Nul\x00Lead,Co,,,LEAD,John Smith,,\r\n").encode("utf-16"))
    database = open_database(db_url)
    before = full_snapshot(database)
    code, out, err = run(capsys, db_url, "import", "leads", str(path), "--as", ADA)
    assert (code, out) == (1, "")
    assert err == (
        "leaddesk: error: unicode.csv contains NUL characters (line 2); "
        "it is not a CSV text file; nothing was imported.\n"
    )
    assert full_snapshot(database) == before
    database.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL cannot store NUL at all
def test_an_export_of_stored_nul_and_control_characters_imports_again(db_url, capsys, tmp_path):
    database = open_database(db_url)
    with database.write() as session:
        session.execute(
            text("UPDATE leads SET name = :name WHERE name = 'Harbor Logistics renewal'"),
            {"name": "Harbor\x00 Logistics\x1b renewal"},
        )
    database.dispose()
    exported = tmp_path / "leads.csv"
    code, _out, err = run(capsys, db_url, "export", "leads", str(exported), "--as", ADA)
    assert code == 0, err
    assert b"\x00" not in exported.read_bytes()
    code, out, err = run(capsys, db_url, "import", "leads", str(exported), "--as", ADA, "--json")
    assert code == 0, err
    assert json.loads(out)["imported"] == 19


# -- size and memory ---------------------------------------------------------------------------


def test_a_csv_file_over_the_size_limit_is_one_line(db_url, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_CSV_BYTES", 1024 * 1024)
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "Lead,Co,,,LEAD,John Smith,,\r\n" * 40_000, encoding="utf-8")
    code, out, err = run(capsys, db_url, "import", "leads", str(path), "--as", ADA)
    assert (code, out) == (1, "")
    assert err == (
        "leaddesk: error: huge.csv is 1 MB; LeadDesk reads CSV files up to 1 MB, "
        "so split it into smaller files; nothing was imported.\n"
    )


def test_reading_a_preview_of_a_big_file_streams_it(tmp_path):
    path = tmp_path / "big.csv"
    row = "A lead with a long name,Some Company Ltd,contact@company.example,+1 555,LEAD,Jo,,\r\n"
    path.write_text(HEADER + row * 200_000, encoding="utf-8")  # about 17 MB
    tracemalloc.start()
    try:
        table = read_table(path, limit=10)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table.rows) == 10 and table.encoding == "UTF-8"
    # The old reader held the bytes, the text and the lines: several times the file.
    assert peak < path.stat().st_size / 20
