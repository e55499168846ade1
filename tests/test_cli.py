"""The command line in-process (``leaddesk.cli.main``) on SQLite and PostgreSQL, plus one run
of the installed ``leaddesk`` console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from leaddesk import cli
from leaddesk.store.database import open_database
from leaddesk.store.models import OutboxMessage
from tests.helpers.demo_names import lead_by_name, leads_of, user_id
from tests.helpers.engine_checks import full_snapshot, set_active

MARIA = "Maria Manager"


def run(capsys, db_url, *args):
    """Run ``leaddesk --db URL ARGS``; returns (exit code, stdout, stderr)."""
    code = cli.main(["--db", db_url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys, db_url, *args):
    code, out, err = run(capsys, db_url, *args, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


# -- demo -----------------------------------------------------------------------------------


def test_demo_creates_the_named_data_once_then_adds_generated_rows(make_db_url, capsys):
    url = make_db_url(demo=False)
    assert run_json(capsys, url, "demo") == {"users": 8, "leads": 19, "created": True}
    assert run_json(capsys, url, "demo") == {"users": 8, "leads": 19, "created": False}
    assert run_json(capsys, url, "demo", "--users", "3", "--leads", "30") == {
        "users": 11,
        "leads": 49,
        "created": False,
    }
    code, out, err = run(capsys, url, "demo")
    assert (code, err) == (0, "")
    assert out.startswith("Demo data already present in ")
    assert out.rstrip().endswith("11 users, 49 leads.")


def test_demo_is_deterministic_for_a_seed(make_db_url, capsys):
    first, second = make_db_url(demo=False), make_db_url(demo=False)
    for url in (first, second):
        run_json(capsys, url, "demo", "--users", "2", "--leads", "20", "--seed", "5")
    as_maria = ("leads", "--as", "Ada Admin")
    assert [r["name"] for r in run_json(capsys, first, *as_maria)] == [
        r["name"] for r in run_json(capsys, second, *as_maria)
    ]


# -- reading ---------------------------------------------------------------------------------


def test_leads_lists_what_the_actor_may_see(db_url, capsys):
    rows = run_json(capsys, db_url, "leads", "--as", MARIA)
    assert {r["owner"] for r in rows} == {MARIA, "John Smith", "Jane Doe", "Sam Field"}
    assert len(rows) == 12
    # Users are named by display name, email or id.
    assert len(run_json(capsys, db_url, "leads", "--as", "maria.manager@example.com")) == 12
    johns = run_json(capsys, db_url, "leads", "--as", MARIA, "--owner", "John Smith")
    assert [(r["name"], r["status"]) for r in johns] == [
        ("Harbor Logistics renewal", "LEAD"),
        ("Crescent Bakery POS upgrade", "OPPORTUNITY"),
        ("Northwind fleet tracking", "NO SALE/LOST"),
    ]
    opportunities = run_json(
        capsys, db_url, "leads", "--as", MARIA, "--owner", "Jane Doe", "--status", "opportunity"
    )
    assert len(opportunities) == 2
    code, out, err = run(capsys, db_url, "leads", "--as", MARIA)
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split() == ["ID", "LEAD", "COMPANY", "STATUS", "OWNER", "CHANGED"]
    assert out.rstrip().endswith("12 lead(s).")
    assert run_json(capsys, db_url, "leads", "--as", "Victor Outside", "--owner", MARIA) == []


# -- the ways to pass --------------------------------------------------------------------------


def test_pass_listed_leads_to_a_user(db_url, db, capsys):
    first, second = leads_of(db, "John Smith")[:2]
    result = run_json(
        capsys,
        db_url,
        "pass",
        "--as",
        MARIA,
        "--lead",
        str(first.id),
        "--lead",
        str(second.id),
        "--to-user",
        "sam.field@example.com",
        "--note",
        "Sam takes over",
    )
    assert result["moved"] == 2
    assert (result["target"], result["target_kind"]) == ("Sam Field", "user")
    assert result["notifications_queued"] == 1
    sams = {
        r["id"] for r in run_json(capsys, db_url, "leads", "--as", MARIA, "--owner", "Sam Field")
    }
    assert {first.id, second.id} <= sams
    history = run_json(capsys, db_url, "history", "--lead", str(first.id), "--as", "Ada Admin")
    assert [(h["batch_id"], h["from_place"], h["to_place"], h["note"]) for h in history] == [
        (result["batch_id"], "John Smith", "Sam Field", "Sam takes over")
    ]


def test_pass_all_of_a_user_to_an_office_and_text_output(db_url, capsys):
    code, out, err = run(
        capsys,
        db_url,
        "pass",
        "--as",
        MARIA,
        "--user",
        "John Smith",
        "--to-office",
        "Downtown Office",
    )
    assert (code, err) == (0, "")
    assert out.startswith("3 leads passed to Downtown Office (batch ")
    assert out.rstrip().endswith("1 notification(s) queued).")
    assert run_json(capsys, db_url, "leads", "--as", MARIA, "--owner", "John Smith") == []
    buckets = run_json(capsys, db_url, "buckets", "--as", "Olivia Office")
    assert [(b["kind"], b["name"], len(b["leads"])) for b in buckets] == [
        ("office", "Downtown Office", 4)
    ]


def test_pass_one_status_of_a_user_to_a_group(db_url, db, capsys):
    result = run_json(
        capsys,
        db_url,
        "pass",
        "--as",
        MARIA,
        "--user",
        str(user_id(db, "Jane Doe")),
        "--status",
        "OPPORTUNITY",
        "--to-group",
        "Inbound Team",
        "--note",
        "for the team",
    )
    assert (result["moved"], result["target_kind"], result["notifications_queued"]) == (
        2,
        "group",
        2,
    )
    outbox = run_json(capsys, db_url, "outbox", "--as", "Ada Admin")
    mine = [m for m in outbox if m["batch_id"] == result["batch_id"]]
    assert sorted(m["recipient"] for m in mine) == ["jane.doe@example.com", "pat.group@example.com"]
    assert all(m["status"] == "queued" and m["lead_count"] == 2 for m in mine)
    assert all("for the team" in m["body"] for m in mine)
    assert all("waiting to be assigned in Inbound Team" in m["subject"] for m in mine)


def test_buckets_assign_history_undo_and_outbox(db_url, db, capsys):
    assert run_json(capsys, db_url, "buckets", "--as", MARIA) == []
    code, out, _err = run(capsys, db_url, "buckets", "--as", MARIA)
    assert code == 0 and "sees no Leads to be Assigned buckets" in out
    code, out, _err = run(capsys, db_url, "buckets", "--as", "Pat Group")
    assert out.splitlines()[0] == "Pass group: Inbound Team — 2 lead(s) to be assigned"

    waiting = lead_by_name(db, "Walk-in: Corner Florist website")
    assigned = run_json(
        capsys,
        db_url,
        "assign",
        "--as",
        "Olivia Office",
        "--lead",
        str(waiting.id),
        "--to-user",
        MARIA,
        "--note",
        "walk-in for you",
    )
    assert (assigned["moved"], assigned["target"]) == (1, MARIA)
    outbox = run_json(capsys, db_url, "outbox", "--as", "Ada Admin")
    assert [(m["recipient"], m["lead_count"]) for m in outbox] == [("maria.manager@example.com", 1)]
    assert "walk-in for you" in outbox[0]["body"]
    assert outbox[0]["subject"] == "1 lead passed to you by Olivia Office"

    undone = run_json(
        capsys, db_url, "undo", "--as", "Olivia Office", "--batch", str(assigned["batch_id"])
    )
    assert undone["moved"] == 1
    history = run_json(capsys, db_url, "history", "--lead", str(waiting.id), "--as", "Ada Admin")
    assert [(h["method"], h["to_place"], h["undone_by"]) for h in history] == [
        ("undo", "Leads to be Assigned: Downtown Office", None),
        ("bucket_assign", MARIA, undone["batch_id"]),
    ]
    code, out, _err = run(capsys, db_url, "history", "--lead", str(waiting.id), "--as", "Ada Admin")
    assert code == 0 and out.startswith(f"Pass history of lead {waiting.id} (")
    code, out, _err = run(capsys, db_url, "outbox", "--as", "Ada Admin")
    assert code == 0 and "maria.manager@example.com" in out


def test_history_of_a_lead_never_passed_and_empty_outbox(db_url, db, capsys):
    lead = leads_of(db, "Sam Field")[0]
    assert run_json(capsys, db_url, "history", "--lead", str(lead.id), "--as", "Ada Admin") == []
    code, out, _err = run(capsys, db_url, "history", "--lead", str(lead.id), "--as", "Ada Admin")
    assert code == 0
    assert out.strip() == f"Lead {lead.id} ({lead.name}) has never been passed."
    assert run(capsys, db_url, "outbox", "--as", "Ada Admin")[1].strip() == "The outbox is empty."


# -- every error: exit 1, one line on stderr, nothing changed -------------------------------


ERRORS = [
    (("leads",), "Say who acts with --as NAME"),
    (("leads", "--as", "Nobody Here"), "no user called 'Nobody Here'"),
    (("leads", "--as", MARIA, "--status", "MAYBE"), "no status called 'MAYBE'"),
    (("pass", "--as", MARIA, "--lead", "987654", "--to-user", "Jane Doe"), "no lead with id"),
    (("pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Nobody"), "no user called"),
    (("pass", "--as", MARIA, "--user", "John Smith", "--to-office", "Uptown"), "no office"),
    (("pass", "--as", MARIA, "--user", "John Smith", "--to-group", "Nope"), "no pass group"),
    (
        ("pass", "--as", MARIA, "--user", "John Smith", "--status", "X", "--to-user", "Jane Doe"),
        "no status called 'X'",
    ),
    (
        ("pass", "--as", MARIA, "--user", "Victor Outside", "--to-user", "Jane Doe"),
        "no manager right over Victor Outside",
    ),
    (
        ("pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Victor Outside"),
        "no manager right over Victor Outside",
    ),
    (
        ("pass", "--as", "Victor Outside", "--user", "John Smith", "--to-user", "Victor Outside"),
        "Victor Outside has no manager right over John Smith",
    ),
    (
        ("pass", "--as", MARIA, "--user", "John Smith", "--to-user", "John Smith"),
        "already belong to John Smith",
    ),
    (
        (
            "pass",
            "--as",
            MARIA,
            "--user",
            "John Smith",
            "--status",
            "WON",
            "--to-user",
            "Sam Field",
        ),
        "John Smith has no leads in status WON",
    ),
    (
        (
            "pass",
            "--as",
            MARIA,
            "--user",
            "John Smith",
            "--to-user",
            "Sam Field",
            "--note",
            "n" * 4001,
        ),
        "at most 4,000",
    ),
    (("assign", "--as", "Olivia Office", "--lead", "987654", "--to-user", MARIA), "no lead"),
    (("history", "--as", MARIA, "--lead", "987654"), "no lead with id 987654"),
    (("undo", "--as", MARIA, "--batch", "987654"), "no pass batch 987654"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_print_one_line_exit_1_and_change_nothing(db_url, db, capsys, args, message):
    before = full_snapshot(db)
    code, out, err = run(capsys, db_url, *args)
    assert code == 1
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("leaddesk: error: ")
    assert message in err
    assert full_snapshot(db) == before


def test_errors_that_need_data_set_up_first(db_url, db, capsys):
    def refused(*args, message):
        before = full_snapshot(db)
        code, out, err = run(capsys, db_url, *args)
        assert (code, out, len(err.splitlines())) == (1, "", 1), err
        assert message in err
        assert full_snapshot(db) == before

    john = leads_of(db, "John Smith")[0]
    waiting = lead_by_name(db, "Walk-in: Corner Florist website")
    refused(
        "pass", "--as", MARIA, "--lead", str(john.id), "--status", "LEAD", "--to-user", "Sam Field",
        message="--status goes with --user",
    )  # fmt: skip
    refused(
        "assign", "--as", MARIA, "--lead", str(waiting.id), "--to-user", MARIA,
        message="Only office managers of that office",
    )  # fmt: skip
    refused(
        "assign", "--as", "Olivia Office", "--lead", str(john.id), "--to-user", "Sam Field",
        message="not in a Leads to be Assigned bucket",
    )  # fmt: skip
    set_active(db, "Sam Field", False)
    refused(
        "pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Sam Field",
        message="Sam Field is inactive",
    )  # fmt: skip
    refused("leads", "--as", "Sam Field", message="Sam Field is inactive and cannot sign in")
    set_active(db, "Sam Field", True)

    batch = run_json(
        capsys, db_url, "pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Sam Field"
    )["batch_id"]
    refused("undo", "--as", "Olivia Office", "--batch", str(batch), message="Only the person")
    run_json(capsys, db_url, "undo", "--as", MARIA, "--batch", str(batch))
    refused("undo", "--as", MARIA, "--batch", str(batch), message="already undone")
    with db.read() as session:
        assert len(list(session.scalars(select(OutboxMessage)))) == 2


# -- the installed console script ------------------------------------------------------------


def _console_script() -> str | None:
    beside_python = Path(sys.executable).with_name("leaddesk")
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("leaddesk")


def test_installed_console_script_passes_and_reports_errors(db_url):
    script = _console_script()
    if script is None:
        pytest.skip("the leaddesk console script is not installed (pip install -e .)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def leaddesk(*args):
        return subprocess.run(
            [script, "--db", db_url, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    done = leaddesk(
        "pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Jane Doe", "--json"
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["moved"] == 3
    failed = leaddesk("pass", "--as", MARIA, "--user", "John Smith", "--to-user", "Jane Doe")
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        "leaddesk: error: John Smith has no leads; nothing was passed."
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["pass", "--as", "Maria Manager", "--to-user", "Jane Doe"],  # no --lead / --user
        ["pass", "--as", "Maria Manager", "--lead", "x", "--to-user", "Jane Doe"],
        ["no-such-command"],
        ["assign", "--as", "Olivia Office", "--lead", "1"],  # no --to-user
    ],
)
def test_usage_mistakes_get_one_line_and_exit_2(capsys, db_url, db, args):
    before = full_snapshot(db)
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*args, "--db", db_url] if args[0] != "no-such-command" else args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error:" in err[0] and "--help" in err[0]
    assert full_snapshot(db) == before


def test_output_cut_short_by_its_reader_ends_quietly(tmp_path):
    """``leaddesk leads | head -1``: when the reader stops, the command stops without a word
    on stderr, as other command-line tools do."""
    db = tmp_path / "many.sqlite3"
    made = subprocess.run(
        [sys.executable, "-m", "leaddesk", "demo", "--db", str(db), "--leads", "3000"],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    listing = subprocess.Popen(
        [sys.executable, "-m", "leaddesk", "leads", "--db", str(db), "--as", "Ada Admin"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert listing.stdout is not None and listing.stderr is not None
    assert listing.stdout.readline().startswith(b"ID")
    listing.stdout.close()  # far more than a pipe holds is still to be written
    err = listing.stderr.read().decode()
    listing.stderr.close()
    listing.wait(timeout=60)
    assert err == ""
    assert listing.returncode == 141  # as a tool stopped by SIGPIPE reports it to the shell
