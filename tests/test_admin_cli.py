"""The administration and import/export commands, as a new office would use them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from leaddesk.cli import main
from leaddesk.store.models import Lead, OutboxMessage, PassHistory, User
from tests.helpers.demo_names import leads_of, snapshot, user_id


def run(db_url, *argv, actor="Ada Admin"):
    args = [*argv, "--db", db_url]
    if actor:
        args += ["--as", actor]
    return main(args)


@pytest.mark.parametrize(
    "argv",
    [
        ["users"],
        ["user", "add", "--name", "Zoe", "--email", "zoe@example.com"],
        ["user", "set", "Jane Doe", "--admin"],
        ["user", "deactivate", "John Smith", "--to-user", "Jane Doe"],
        ["rights", "grant", "--manager", "Victor Outside", "--user", "John Smith"],
        ["rights", "revoke", "--manager", "Maria Manager", "--office", "Downtown Office"],
        ["office", "add", "Uptown"],
        ["office", "set-manager", "Downtown Office", "Sam Field"],
        ["group", "add-member", "Inbound Team", "John Smith"],
        ["status", "close", "LEAD"],
        ["audit"],
        ["import", "leads", "LEADS_FILE"],
    ],
)
def test_non_admins_are_refused_with_one_line_and_exit_1(db_url, database, tmp_path, capsys, argv):
    leads_file = tmp_path / "leads.csv"
    leads_file.write_text("name,status,owner\nA,LEAD,John Smith\n")
    argv = [str(leads_file) if a == "LEADS_FILE" else a for a in argv]
    before = snapshot(database)
    with database.read() as session:
        users_before = session.scalar(select(func.count()).select_from(User))
    assert run(db_url, *argv, actor="Maria Manager") == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "leaddesk: error: Only administrators can do this; Maria Manager is not an administrator."
    )
    assert snapshot(database) == before
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == users_before


def test_a_new_office_sets_itself_up_from_the_command_line(db_url, database, tmp_path, capsys):
    assert run(db_url, "user", "add", "--name", "Uma Uptown", "--email", "uma@example.com") == 0
    assert run(db_url, "user", "add", "--name", "Ulf Uptown", "--email", "ulf@example.com") == 0
    assert run(db_url, "office", "add", "Uptown Office") == 0
    assert run(db_url, "office", "add-member", "Uptown Office", "Uma Uptown", "--manager") == 0
    assert run(db_url, "office", "add-member", "Uptown Office", "Ulf Uptown") == 0
    assert run(db_url, "group", "add", "Uptown Inbound") == 0
    assert run(db_url, "group", "add-member", "Uptown Inbound", "Ulf Uptown") == 0
    assert (
        run(db_url, "rights", "grant", "--manager", "Uma Uptown", "--office", "Uptown Office") == 0
    )
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(
        "Name,Company,Status,Owner,Pass Group\n"
        "Alpha,A Ltd,LEAD,Ulf Uptown,\n"
        "Beta,B Ltd,LEAD,ulf@example.com,\n"
        "Gamma,C Ltd,LEAD,,Uptown Inbound\n",
        encoding="utf-8",
    )
    assert run(db_url, "import", "leads", str(csv_file), "--dry-run") == 0
    assert "all 3 row(s) valid, would import them" in capsys.readouterr().out
    assert run(db_url, "import", "leads", str(csv_file)) == 0
    assert "Imported 3 lead(s) from leads.csv" in capsys.readouterr().out
    # Uma manages Ulf now, so she can pass his leads; then Ulf leaves.
    assert (
        run(db_url, "pass", "--user", "Ulf Uptown", "--to-user", "Uma Uptown", actor="Uma Uptown")
        == 0
    )
    assert run(db_url, "user", "deactivate", "Uma Uptown", "--to-office", "Uptown Office") == 0
    out = capsys.readouterr().out
    assert "Deactivated Uma Uptown; passed 2 lead(s) to Uptown Office" in out
    assert run(db_url, "leads", actor="Uma Uptown") == 1
    assert "Uma Uptown is inactive and cannot sign in." in capsys.readouterr().err
    history = tmp_path / "history.csv"
    assert run(db_url, "export", "history", str(history), "--since", "2000-01-01") == 0
    assert history.read_bytes().startswith(b"\xef\xbb\xbfbatch,when_utc")
    capsys.readouterr()
    assert run(db_url, "audit", "--json") == 0
    actions = [row["action"] for row in json.loads(capsys.readouterr().out)]
    assert actions[0] == "user.offboard"
    assert {"user.add", "office.add", "group.add", "right.grant_office", "lead.import"} <= set(
        actions
    )


def test_import_with_problems_prints_line_numbers_and_writes_nothing(
    db_url, database, tmp_path, capsys
):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_bytes(
        b"name,status,owner\r\nGood,LEAD,John Smith\r\nBad,LEAD,Nobody\r\nWorse,NOPE,Jane Doe\r\n"
    )
    with database.read() as session:
        before = session.scalar(select(func.count()).select_from(Lead))
    assert run(db_url, "import", "leads", str(csv_file)) == 1
    err = capsys.readouterr().err.splitlines()
    problems = err.index("Problems (2):")
    assert err[0] == "Import of leads from bad.csv (UTF-8, 3 row(s))"
    assert err[problems + 1 : problems + 3] == [
        "  line 3: unknown owner 'Nobody'; "
        'map it with --map-owner "Nobody=NAME" or use --owner-fallback-office.',
        "  line 4: unknown status 'NOPE' (known: LEAD, OPPORTUNITY, WON, NO SALE/LOST); "
        'map it with --map-status "NOPE=STATUS" or add it with --create-statuses.',
    ]
    assert err[-2:] == ["Result:", "  2 problem(s) in bad.csv; nothing was imported."]
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == before
    assert run(db_url, "import", "leads", str(csv_file), "--skip-invalid") == 0
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == before + 1


def test_user_set_and_users_json(db_url, capsys):
    assert run(db_url, "user", "set", "Jane Doe", "--name", "Jane Smith", "--admin") == 0
    assert "User Jane Smith <jane.doe@example.com>: active, administrator." in (
        capsys.readouterr().out
    )
    assert run(db_url, "users", "--json") == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["Jane Smith"]["is_admin"] is True
    assert rows["Jane Smith"]["lead_count"] == 4
    assert run(db_url, "user", "set", "Jane Smith", "--inactive") == 1
    assert "Choose where their leads go" in capsys.readouterr().err


def test_deactivate_without_target_explains_what_to_do(db_url, database, capsys):
    before = snapshot(database)
    assert run(db_url, "user", "deactivate", "John Smith") == 1
    assert "--to-user, --to-office or --to-group" in capsys.readouterr().err
    assert snapshot(database) == before
    assert (
        run(db_url, "user", "deactivate", "John Smith", "--to-user", "Jane Doe", "--note", "bye")
        == 0
    )
    assert leads_of(database, "John Smith") == []
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(PassHistory)) == 3
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert session.get(User, user_id(database, "John Smith")).active is False


def test_export_leads_filters(db_url, tmp_path, capsys):
    path = tmp_path / "john.csv"
    assert (
        run(db_url, "export", "leads", str(path), "--owner", "John Smith", "--status", "LEAD") == 0
    )
    assert "Exported 1 lead(s)" in capsys.readouterr().out
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("Harbor Logistics renewal,Harbor Logistics,")


def test_import_users_from_the_command_line(db_url, tmp_path, capsys):
    people = tmp_path / "people.csv"
    people.write_bytes(
        "Name;Email;Admin;Office;Office manager;Manages\r\n"
        "Åsa Öberg;asa@example.com;no;Malmö Office;yes;Olle Berg\r\n"
        "Olle Berg;olle@example.com;;Malmö Office;;\r\n".encode("cp1252")
    )
    assert run(db_url, "import", "users", str(people), "--dry-run") == 0
    assert "2 of 2 user(s) valid, new office(s): Malmö Office" in capsys.readouterr().out
    assert run(db_url, "import", "users", str(people)) == 0
    assert "Added 2 user(s) and 1 manager right(s)" in capsys.readouterr().out
    assert run(db_url, "office", "list", "--json") == 0
    offices = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert offices["Malmö Office"]["members"] == [
        {"name": "Olle Berg", "office_manager": False, "active": True},
        {"name": "Åsa Öberg", "office_manager": True, "active": True},
    ]
    assert run(db_url, "import", "users", str(people)) == 1
    err = capsys.readouterr().err
    assert "line 2: there is already a user with the name 'Åsa Öberg'." in err
    assert run(db_url, "import", "users", str(tmp_path / "missing.csv")) == 1
    assert "There is no file" in capsys.readouterr().err


def test_a_new_office_starts_from_an_empty_database(make_db_url, tmp_path, capsys):
    url = make_db_url(demo=False)
    assert run(url, "users", actor="Boss") == 1
    assert "There is no user called 'Boss'." in capsys.readouterr().err
    assert (
        run(url, "user", "add", "--name", "Bea Boss", "--email", "bea@example.com", actor=None) == 0
    )
    assert "Bea Boss <bea@example.com> is its first administrator" in capsys.readouterr().out
    # Only the very first user may be added without --as.
    assert run(url, "user", "add", "--name", "Eve", "--email", "eve@example.com", actor=None) == 1
    assert "already has users" in capsys.readouterr().err
    for argv in (
        ["user", "add", "--name", "Sid Sales", "--email", "sid@example.com"],
        ["user", "add", "--name", "Lea Leaver", "--email", "lea@example.com"],
        ["office", "add", "Main Street"],
        ["office", "add-member", "Main Street", "Sid Sales", "--manager"],
        ["office", "add-member", "Main Street", "Lea Leaver"],
        ["group", "add", "Web Leads"],
        ["group", "add-member", "Web Leads", "Sid Sales"],
        ["rights", "grant", "--manager", "Sid Sales", "--office", "Main Street"],
    ):
        assert run(url, *argv, actor="Bea Boss") == 0, argv
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(
        "Name,Company,Status,Owner,Pass group\r\n"
        "Roof repair,Müller AG,LEAD,Lea Leaver,\r\n"
        "Shop fit-out,Café Olé,OPPORTUNITY,lea@example.com,\r\n"
        "Web enquiry,Nord Ltd,LEAD,,Web Leads\r\n".encode("cp1252")
    )
    assert run(url, "import", "leads", str(sheet), actor="Bea Boss") == 0
    assert run(url, "leads", "--json", actor="Sid Sales") == 0
    capsys.readouterr()
    assert (
        run(url, "user", "deactivate", "Lea Leaver", "--to-user", "Sid Sales", actor="Bea Boss")
        == 0
    )
    assert "passed 2 lead(s) to Sid Sales" in capsys.readouterr().out
    history = tmp_path / "history.csv"
    assert run(url, "export", "history", str(history), actor="Sid Sales") == 0
    rows = history.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 1 + 3 + 2  # header, three imported, two offboarded
    assert rows[-1].endswith("Lea Leaver,Sid Sales,,")
