"""Messages that point somewhere the person can go: who to ask for a manager right (or, for an
administrator, the menu and the command), a missing export folder, a binary import file, the
import report's headings, and ``pass --help``. On SQLite and PostgreSQL where a database is
involved."""

from __future__ import annotations

import shlex

import pytest
from sqlalchemy import update

from leaddesk import cli
from leaddesk.data_io.csv_text import read_table, write_csv
from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.permissions import how_to_get_right
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.store.models import User
from tests.helpers.cli_run import run, run_line, run_refused
from tests.helpers.demo_names import user_id
from tests.helpers.engine_checks import full_snapshot

MARIA = "Maria Manager"
PASS_VICTORS_LEADS = f'pass --as "{MARIA}" --user "Victor Outside" --to-user "Jane Doe"'
EXPORT_VICTORS_LEADS = f'export leads x.csv --as "{MARIA}" --owner "Victor Outside"'


def _add_admins(database, *names):
    with database.write() as session:
        for name in names:
            email = name.lower().replace(" ", ".") + "@example.com"
            session.add(User(name=name, email=email, is_admin=True, active=True))


def test_a_missing_right_names_the_administrators_to_ask(db_url, database, capsys):
    before = full_snapshot(database)
    err = run_refused(capsys, db_url, PASS_VICTORS_LEADS)
    assert err == (
        "leaddesk: error: Maria Manager has no manager right over Victor Outside. "
        "Only an administrator can give it. Ask Ada Admin.\n"
    )
    # Up to three are named; with more, the rest are "another administrator".
    _add_admins(database, "Bea Boss", "Carl Chief")
    maria = user_id(database, MARIA)
    with database.write() as session, pytest.raises(PermissionDeniedError) as refused:
        pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(user_id(database, "John Smith")),
            target=Target.user(user_id(database, "Victor Outside")),
        )
    assert str(refused.value).endswith("Ask Ada Admin, Bea Boss or Carl Chief.")
    _add_admins(database, "Dora Director")
    with database.write() as session:
        session.execute(update(User).where(User.name == "Bea Boss").values(active=False))
    err = run_refused(capsys, db_url, EXPORT_VICTORS_LEADS)
    # Bea is inactive: three active administrators remain, all named.
    assert err.rstrip().endswith("Ask Ada Admin, Carl Chief or Dora Director.")
    _add_admins(database, "Eve Executive")
    err = run_refused(capsys, db_url, EXPORT_VICTORS_LEADS)
    assert err.rstrip().endswith(
        "Ask Ada Admin, Carl Chief or Dora Director or another administrator."
    )
    assert full_snapshot(database)["leads"] == before["leads"]


def test_an_administrator_is_given_the_menu_and_a_command_that_works(db_url, database, capsys):
    with database.read() as session:
        ada = session.get(User, user_id(database, "Ada Admin"))
        maria = session.get(User, user_id(database, MARIA))
        victor = session.get(User, user_id(database, "Victor Outside"))
        advice = how_to_get_right(session, ada, maria, victor)
    assert advice.startswith("Give it in Tools > Administration… > Manager rights, or run: ")
    command = advice.split("or run: ", 1)[1]
    assert command == (
        'leaddesk rights grant --as "Ada Admin" --manager "Maria Manager" --user "Victor Outside"'
    )
    # The command is real: run as written, it gives the right and the pass goes through.
    code, _out, err = run_line(capsys, db_url, command.removeprefix("leaddesk "))
    assert (code, err) == (0, "")
    code, _out, err = run_line(capsys, db_url, PASS_VICTORS_LEADS)
    assert (code, err) == (0, "")


def test_export_into_a_missing_folder_is_one_line(db_url, capsys, tmp_path):
    missing = tmp_path / "no such folder" / "leads.csv"
    code, out, err = run(capsys, "--db", db_url, "export", "leads", str(missing), "--as", MARIA)
    assert (code, out) == (1, "")
    assert err == (
        f"leaddesk: error: Cannot export to {missing}: "
        f"the folder {missing.parent} does not exist.\n"
    )
    code, _out, err = run(capsys, "--db", db_url, "export", "history", str(tmp_path), "--as", MARIA)
    assert code == 1
    assert (
        err == f"leaddesk: error: Cannot export to {tmp_path}: it is a folder; add a file name.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_file_the_system_refuses_is_one_sentence_not_an_errno(tmp_path):
    target = tmp_path / ("x" * 300 + ".csv")  # longer than any file system allows
    with pytest.raises(InvalidInputError) as refused:
        write_csv(target, ["a"], [[1]])
    assert str(refused.value) == f"Cannot export to {target}: File name too long."
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b"\x7fELF\x02\x01\x01\x00\x00\x00binary",
            "contains NUL characters (line 1); it is not a CSV text file.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "is an Excel workbook (.xlsx), not CSV; save it as CSV first.",
        ),
    ],
)
def test_a_binary_file_is_one_problem_not_two(data, problem):
    table = read_table(data)
    assert [str(p) for p in table.problems] == [f"line 1: {problem}"]
    assert [str(p) for p in read_table(b"\n\n").problems] == ["line 1: the file is empty."]


def test_the_import_report_has_headings(db_url, database, capsys, tmp_path):
    data = tmp_path / "new leads.csv"
    data.write_text(
        "name,company,status,owner,colour\n"
        "A,B,LEAD,John Smith,red\n"
        "C,D,LEAD,Jane Doe,blue\n"
        "E,F,LEAD,Jane Doe,green\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "--db", db_url, "import", "leads", str(data), "--as", "Ada Admin", "--dry-run"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == [
        "Import of leads from new leads.csv (UTF-8, 3 row(s))",
        "",
        "How the file is read:",
        "  Recognised a LeadDesk export (4 known columns).",
    ]
    assert "    colour   (ignored), 3 value(s)" in lines
    assert lines[-7:] == [
        "",
        "New leads by owner or bucket:",
        "         2  Jane Doe",
        "         1  John Smith",
        "",
        "Result:",
        "  Dry run of new leads.csv (UTF-8): all 3 row(s) valid, would import them; "
        "nothing was written.",
    ]
    # Every line after the title is a heading, or indented under one (or a blank line).
    assert all(line == "" or line.startswith("  ") or line.endswith(":") for line in lines[1:])
    binary = tmp_path / "export.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00")
    code, out, err = run(
        capsys, "--db", db_url, "import", "leads", str(binary), "--as", "Ada Admin"
    )
    # A file that cannot be a CSV at all is refused before any report: one line.
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "leaddesk: error: export.xlsx is an Excel workbook (.xlsx), not CSV; save it as CSV "
        "first; nothing was imported."
    ]


def test_pass_help_explains_every_option_with_examples(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["pass", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    parser = cli.build_parser("pass")
    passing = parser._subparsers._group_actions[0].choices["pass"]  # type: ignore[union-attr]
    for action in passing._actions:
        assert action.help, f"{action.option_strings} has no help"
    for option in (
        "--lead",
        "--user",
        "--status",
        "--to-user",
        "--to-office",
        "--to-group",
        "--note",
    ):
        assert option in text
    examples = text.split("examples:", 1)[1]
    for option in ("--lead", "--user", "--status", "--to-user", "--to-office", "--to-group"):
        assert option in examples, option
    # Every example is a command line the parser accepts.
    for line in examples.splitlines():
        if line.strip().startswith("leaddesk pass"):
            cli.build_parser("pass").parse_args(shlex.split(line.strip())[1:])
