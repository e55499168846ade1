"""LeadDesk as personal logins on a set-up server: who acts, what works, what setup does."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from leaddesk.cli import main
from tests.helpers.server import ServerDatabase, ensure_login, set_up_server
from tests.helpers.smtp_server import running_smtp_server

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]


@pytest.fixture
def server(make_db_url, postgres_factory) -> Iterator[ServerDatabase]:
    for login in ("maria", "olivia", "victor", "ada", "stranger"):
        ensure_login(postgres_factory.admin, login)
    server = set_up_server(make_db_url())
    yield server
    server.dispose()


def run_json(capsys, *argv: str) -> object:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def place_of(server: ServerDatabase, lead: str) -> str:
    return str(
        server.owner_scalar(
            "SELECT coalesce(u.name, o.name, g.name) FROM leads l"
            " LEFT JOIN users u ON u.id = l.owner_id"
            " LEFT JOIN offices o ON o.id = l.bucket_office_id"
            " LEFT JOIN pass_groups g ON g.id = l.bucket_group_id WHERE l.name = :n",
            n=lead,
        )
    )


def lead_id(server: ServerDatabase, name: str) -> str:
    return str(server.owner_scalar("SELECT id FROM leads WHERE name = :n", n=name))


def test_maria_passes_moves_a_status_and_undoes_as_her_own_login(server, capsys):
    maria = server.url("maria")
    passed = run_json(
        capsys,
        "pass",
        "--db",
        maria,
        "--user",
        "John Smith",
        "--to-user",
        "Jane Doe",
        "--note",
        "x",
    )
    assert passed["moved"] == 3
    assert place_of(server, "Harbor Logistics renewal") == "Jane Doe"
    status = run_json(
        capsys,
        "pass",
        "--db",
        maria,
        "--user",
        "Sam Field",
        "--status",
        "OPPORTUNITY",
        "--to-office",
        "Downtown Office",
    )
    assert (status["moved"], place_of(server, "Maple Street Clinic phones")) == (
        1,
        "Downtown Office",
    )
    # The Downtown bucket is Olivia's to see, yet Maria can still undo her own pass into it.
    assert main(["undo", "--db", maria, "--batch", str(status["batch_id"])]) == 0
    assert place_of(server, "Maple Street Clinic phones") == "Sam Field"
    assert main(["undo", "--db", maria, "--batch", str(passed["batch_id"])]) == 0
    assert place_of(server, "Harbor Logistics renewal") == "John Smith"
    history = run_json(
        capsys, "history", "--db", maria, "--lead", lead_id(server, "Harbor Logistics renewal")
    )
    assert [(row["actor"], row["login"]) for row in history] == [("Maria Manager", None)] * 2
    assert server.owner_scalar("SELECT count(DISTINCT db_login) FROM pass_batches") == 1
    assert server.owner_scalar("SELECT min(db_login) FROM pass_batches") == "maria"


def test_olivia_assigns_from_her_office_bucket_to_a_member_she_does_not_manage(server, capsys):
    olivia = server.url("olivia")
    buckets = run_json(capsys, "buckets", "--db", olivia)
    assert [bucket["name"] for bucket in buckets] == ["Downtown Office"]
    florist = lead_id(server, "Walk-in: Corner Florist website")
    assert main(["assign", "--db", olivia, "--lead", florist, "--to-user", "Maria Manager"]) == 0
    assert place_of(server, "Walk-in: Corner Florist website") == "Maria Manager"
    assert (
        main(
            [
                "pass",
                "--db",
                olivia,
                "--lead",
                lead_id(server, "Oakridge School tablets"),
                "--to-user",
                "Olivia Office",
            ]
        )
        == 0
    )
    assert place_of(server, "Oakridge School tablets") == "Olivia Office"


def test_victor_passes_into_a_bucket_he_cannot_see_and_takes_it_back(server, capsys):
    victor = server.url("victor")
    passed = run_json(
        capsys,
        "pass",
        "--db",
        victor,
        "--lead",
        lead_id(server, "Redwood Winery labels"),
        "--to-group",
        "Inbound Team",
    )
    assert place_of(server, "Redwood Winery labels") == "Inbound Team"
    assert main(["undo", "--db", victor, "--batch", str(passed["batch_id"])]) == 0
    assert place_of(server, "Redwood Winery labels") == "Victor Outside"


def test_the_controller_refusals_come_first_as_one_line(server, capsys):
    capsys.readouterr()
    code = main(
        ["pass", "--db", server.url("maria"), "--user", "Victor Outside", "--to-user", "Jane Doe"]
    )
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "leaddesk: error: Maria Manager has no manager right over Victor Outside. "
        "Only an administrator can give it. Ask Ada Admin."
    )


def test_acting_as_someone_else_is_refused_naming_both(server, capsys):
    before = server.snapshot()
    capsys.readouterr()
    code = main(
        [
            "user",
            "add",
            "--db",
            server.url("maria"),
            "--as",
            "Ada Admin",
            "--name",
            "Mallory",
            "--email",
            "m@example.com",
            "--admin",
        ]
    )
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "leaddesk: error: You are connected as login maria (Maria Manager) and cannot act "
        "as Ada Admin."
    )
    assert main(["leads", "--db", server.url("maria"), "--as", "Maria Manager"]) == 0
    assert server.snapshot() == before


def test_a_login_not_linked_to_anyone_is_told_so(server, capsys):
    with server.raw("postgres") as owner:
        owner.execute(text("GRANT leaddesk_user TO stranger"))
        owner.commit()
    capsys.readouterr()
    assert main(["leads", "--db", server.url("stranger")]) == 1
    assert capsys.readouterr().err.strip() == (
        "leaddesk: error: The login stranger is not linked to a LeadDesk user; ask an "
        "administrator to link it (leaddesk user set NAME --db-login stranger)."
    )


def test_the_owner_login_acts_for_anyone_and_both_names_are_kept(server, capsys):
    owner = server.owner_url
    assert (
        main(
            [
                "pass",
                "--db",
                owner,
                "--as",
                "Maria Manager",
                "--lead",
                lead_id(server, "Harbor Logistics renewal"),
                "--to-user",
                "Jane Doe",
            ]
        )
        == 0
    )
    assert main(["office", "add", "Harbour Office", "--db", owner, "--as", "Ada Admin"]) == 0
    # The owner login acts for anyone, so it says for whom (history needs someone who may see).
    history = run_json(
        capsys,
        "history",
        "--db",
        owner,
        "--as",
        "Ada Admin",
        "--lead",
        lead_id(server, "Harbor Logistics renewal"),
    )
    assert [(row["actor"], row["login"]) for row in history] == [("Maria Manager", "postgres")]
    capsys.readouterr()
    assert (
        main(
            [
                "history",
                *("--db", owner, "--as", "Ada Admin"),
                *("--lead", lead_id(server, "Harbor Logistics renewal")),
                "--wide",  # one line per row: the BY cell whole
            ]
        )
        == 0
    )
    assert "Maria Manager (login postgres)" in capsys.readouterr().out
    [entry, *_] = run_json(capsys, "audit", "--db", server.url("ada"))
    assert (entry["actor"], entry["login"], entry["action"]) == (
        "Ada Admin",
        "postgres",
        "office.add",
    )


def test_an_administrator_login_administers_and_the_audit_log_says_so(server, capsys):
    ada = server.url("ada")
    assert (
        main(["rights", "grant", "--db", ada, "--manager", "Victor Outside", "--user", "Pat Group"])
        == 0
    )
    assert main(["status", "add", "PARKED", "--db", ada]) == 0
    [entry, *_] = run_json(capsys, "audit", "--db", ada)
    assert (entry["actor"], entry["login"]) == ("Ada Admin", None)
    assert server.owner_scalar("SELECT db_login FROM audit_log ORDER BY id DESC LIMIT 1") == "ada"
    # Victor's new right takes effect in the database at once.
    with server.raw("victor") as victor:
        owners = set(
            victor.execute(
                text("SELECT u.name FROM leads l JOIN users u ON u.id = l.owner_id")
            ).scalars()
        )
    assert owners == {"Victor Outside", "Pat Group"}


def test_new_login_created_with_a_prompted_password_and_disabled_on_deactivation(
    server, capsys, monkeypatch
):
    login = f"newbie_{server.owner_scalar('SELECT current_database()')}"
    typed = iter(["s3cret-pw", "s3cret-pw"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    capsys.readouterr()
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                server.url("ada"),
                "--name",
                "Nina New",
                "--email",
                "nina@example.com",
                "--db-login",
                login,
                "--create-login",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "s3cret-pw" not in out.out + out.err

    def can_login() -> bool:
        return bool(
            server.owner_scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = :l", l=login)
        )

    assert can_login()
    assert main(["leads", "--db", server.url(login)]) == 0
    assert main(["user", "deactivate", "Nina New", "--db", server.url("ada")]) == 0
    assert not can_login()
    assert main(["user", "activate", "Nina New", "--db", server.url("ada")]) == 0
    assert can_login()
    with server.raw("postgres") as owner:
        owner.execute(text(f'DROP OWNED BY "{login}"'))
        owner.execute(text(f'DROP ROLE "{login}"'))
        owner.commit()


def test_an_administrator_cannot_take_over_the_owner_login(server, capsys):
    before = server.snapshot()
    capsys.readouterr()
    assert (
        main(["user", "set", "John Smith", "--db-login", "postgres", "--db", server.url("ada")])
        == 1
    )
    assert "owns the database or has server-wide powers" in capsys.readouterr().err
    assert server.snapshot() == before
    assert server.owner_scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'postgres'")


def test_outbox_send_settles_the_logins_own_emails_only(server, capsys):
    assert (
        main(
            [
                "pass",
                "--db",
                server.url("ada"),
                "--lead",
                lead_id(server, "Copperfield Mining safety kits"),
                "--to-user",
                "Pat Group",
            ]
        )
        == 0
    )
    assert (
        main(["pass", "--db", server.url("maria"), "--user", "John Smith", "--to-user", "Jane Doe"])
        == 0
    )
    with running_smtp_server() as smtp:
        capsys.readouterr()
        assert (
            main(
                [
                    "outbox",
                    "send",
                    "--db",
                    server.url("maria"),
                    "--smtp-host",
                    "127.0.0.1",
                    "--smtp-port",
                    str(smtp.port),
                    "--from",
                    "crm@sales.example",
                ]
            )
            == 0
        )
        assert [m["To"] for m in smtp.handler.messages()] == ["jane.doe@example.com"]
    statuses = server.owner_scalar(
        "SELECT string_agg(u.name || ':' || o.status, ',' ORDER BY u.name) FROM outbox o"
        " JOIN users u ON u.id = o.recipient_id"
    )
    assert statuses == "Jane Doe:sent,Pat Group:queued"


def test_setup_twice_is_harmless_and_enforcement_stays(server, capsys):
    assert (
        main(["pass", "--db", server.url("maria"), "--user", "John Smith", "--to-user", "Jane Doe"])
        == 0
    )
    before = server.snapshot()
    policies = server.owner_scalar("SELECT count(*) FROM pg_policies")
    assert main(["server", "setup", "--db", server.owner_url]) == 0
    assert "linked logins: ada, maria, victor, olivia" in capsys.readouterr().out
    assert server.snapshot() == before
    assert server.owner_scalar("SELECT count(*) FROM pg_policies") == policies
    with server.raw("victor") as victor:
        assert (
            victor.execute(
                text(
                    "SELECT count(*) FROM leads WHERE owner_id IS DISTINCT FROM"
                    " (SELECT id FROM users WHERE db_login = 'victor')"
                )
            ).scalar()
            == 0
        )


def test_setup_refuses_an_ordinary_login(server, capsys):
    capsys.readouterr()
    assert main(["server", "setup", "--db", server.url("maria")]) == 1
    assert capsys.readouterr().err.strip() == (
        "leaddesk: error: Run server setup as the database owner or a superuser, not as maria."
    )


def test_dry_run_prints_the_sql_and_changes_nothing(make_db_url, capsys):
    url = make_db_url()
    capsys.readouterr()
    assert main(["server", "setup", "--db", url, "--dry-run"]) == 0
    sql = capsys.readouterr().out
    assert "ALTER TABLE leads FORCE ROW LEVEL SECURITY;" in sql
    assert "CREATE POLICY leaddesk_pass ON leads" in sql
    assert "SECURITY DEFINER" in sql and "SET search_path = pg_catalog" in sql
    server = ServerDatabase(url)
    try:
        assert server.owner_scalar("SELECT count(*) FROM pg_policies") == 0
        assert not server.owner_scalar(
            "SELECT relrowsecurity FROM pg_class WHERE relname = 'leads'"
        )
        assert server.owner_scalar("SELECT to_regprocedure('leaddesk_actor_id()')") is None
    finally:
        server.dispose()


def test_an_administrator_login_imports_leads_under_the_policies(server, capsys, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text("Name,Company,Status,Owner\nRoof repair,Acme,LEAD,John Smith\n")
    assert main(["import", "leads", str(sheet), "--db", server.url("ada")]) == 0
    assert place_of(server, "Roof repair") == "John Smith"
    # Found again: the administrator's import updates its details and moves it.
    sheet.write_text("Name,Company,Status,Owner\nRoof repair,Acme,OPPORTUNITY,Jane Doe\n")
    assert (
        main(
            [
                "import",
                "leads",
                str(sheet),
                "--db",
                server.url("ada"),
                "--on-duplicate",
                "update",
                "--update-owner",
            ]
        )
        == 0
    )
    assert place_of(server, "Roof repair") == "Jane Doe"
    assert (
        server.owner_scalar(
            "SELECT s.name FROM leads l JOIN statuses s ON s.id = l.status_id"
            " WHERE l.name = 'Roof repair'"
        )
        == "OPPORTUNITY"
    )
    assert server.owner_scalar("SELECT lead_count FROM pass_batches ORDER BY id DESC LIMIT 1") == 1
    # An ordinary login may not import (an administrator's job), and nothing is written.
    before = server.snapshot()
    assert main(["import", "leads", str(sheet), "--db", server.url("maria")]) == 1
    assert server.snapshot() == before
