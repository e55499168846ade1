"""Working offline on a replica and syncing with the server (a real PostgreSQL cluster of the
module's own, stopped to be "offline" and started again)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import text

from leaddesk.cli import main
from leaddesk.offline import sync_replica
from tests.helpers.cli_run import run, run_json
from tests.helpers.offline import (
    back_online,
    lead_named,
    owner_on_replica,
    owner_on_server,
    replica_scalar,
    server_rows,
)
from tests.helpers.smtp_server import running_smtp_server

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]

HARBOR = "Harbor Logistics renewal"  # John Smith's; Maria manages John, Jane and Sam


def test_an_offline_pass_is_journaled_sent_once_and_emailed_once(
    field_cluster, field_server, make_replica, capsys
) -> None:
    cluster, _factory = field_cluster
    replica = make_replica("maria")
    lead = lead_named(field_server, HARBOR)
    cluster.pause()
    try:
        code, out, err = run(
            capsys,
            "pass",
            "--db",
            replica,
            "--lead",
            str(lead),
            "--to-user",
            "Jane Doe",
            "--note",
            "Call them Monday",
        )
        assert (code, err) == (0, ""), err
        assert owner_on_replica(replica, lead) == "Jane Doe"
        assert replica_scalar(replica, "SELECT count(*) FROM offline_journal") == 1
        assert replica_scalar(replica, "SELECT count(*) FROM outbox") == 0
        entry = json.loads(str(replica_scalar(replica, "SELECT leads FROM offline_journal")))
        assert entry == [[lead, 1]]
        # Offline: one line, exit 1, the journal untouched.
        code, out, err = run(capsys, "sync", "--db", replica)
        assert code == 1 and out == ""
        assert len(err.strip().splitlines()) == 1 and "cannot be reached" in err
        assert "1 pass waits in the journal" in err
        assert replica_scalar(replica, "SELECT state FROM offline_journal") == "pending"
    finally:
        back_online(cluster, field_server)
    assert owner_on_server(field_server, lead) == "John Smith"
    report = run_json(capsys, "sync", "--db", replica)
    assert report["applied"] == 1 and report["conflicts"] == 0
    assert owner_on_server(field_server, lead) == "Jane Doe"
    uuid = replica_scalar(replica, "SELECT uuid FROM offline_journal")
    [(batch, login, note, method)] = server_rows(
        field_server,
        "SELECT id, db_login, note, method FROM pass_batches WHERE client_uuid = :u",
        u=uuid,
    )
    # Applied as Maria's own login, under the server's rules, with the same method and note.
    assert (login, note, method) == ("maria", "Call them Monday", "command_line")
    assert server_rows(
        field_server,
        "SELECT u.name FROM outbox o JOIN users u ON u.id = o.recipient_id WHERE batch_id = :b",
        b=batch,
    ) == [("Jane Doe",)]
    # The replica now holds the server's batch, not its own.
    assert replica_scalar(replica, "SELECT last_batch_id FROM leads WHERE id = ?", lead) == batch
    assert owner_on_replica(replica, lead) == "Jane Doe"

    # Sync again: nothing to send, nothing changed, the server as it was.
    before = field_server.snapshot()
    again = run_json(capsys, "sync", "--db", replica)
    assert again == {
        "applied": 0,
        "already_applied": 0,
        "conflicts": 0,
        "leads_changed": 0,
        "full_refresh": False,
    }
    assert field_server.snapshot() == before

    # The email goes out from the server, once, with the note.
    with running_smtp_server() as smtp:
        flags = ["--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port)]
        assert main(["outbox", "send", "--db", field_server.url("maria"), *flags]) == 0
        assert main(["outbox", "send", "--db", field_server.url("maria"), *flags]) == 0
        [message] = smtp.handler.messages()
    assert "Call them Monday" in message.get_body(("plain",)).get_content()
    assert "jane.doe@" in message["To"]


def test_what_changed_on_the_server_is_pulled_and_leads_leave_and_enter_the_view(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    harbor = lead_named(field_server, HARBOR)
    copperfield = lead_named(field_server, "Copperfield Mining safety kits")  # Victor's
    assert owner_on_replica(replica, copperfield) is None
    ada = field_server.url("ada")
    assert main(["pass", "--db", ada, "--lead", str(harbor), "--to-user", "Victor Outside"]) == 0
    assert main(["pass", "--db", ada, "--lead", str(copperfield), "--to-user", "Sam Field"]) == 0
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["leads_changed"], report["full_refresh"]) == (2, False)
    assert owner_on_replica(replica, harbor) is None  # left Maria's view
    assert owner_on_replica(replica, copperfield) == "Sam Field"  # entered it
    notes = replica_scalar(
        replica, "SELECT count(*) FROM pass_history WHERE lead_id = ?", copperfield
    )
    assert notes == 1


def test_an_incremental_pull_adds_new_history_and_brings_edited_names(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    harbor = lead_named(field_server, HARBOR)
    ada = field_server.url("ada")
    for person in ("Jane Doe", "Sam Field"):
        assert main(["pass", "--db", ada, "--lead", str(harbor), "--to-user", person]) == 0
    with field_server.raw("postgres") as connection:
        connection.execute(
            text("UPDATE leads SET name = 'Harbor Logistics renewal 2027' WHERE id = :id"),
            {"id": harbor},
        )
        connection.commit()
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["leads_changed"], report["full_refresh"]) == (1, False)
    with sqlite3.connect(replica) as connection:
        held = connection.execute(
            "SELECT name, owner_id, version FROM leads WHERE id = ?", (harbor,)
        ).fetchone()
        history = connection.execute(
            "SELECT id, batch_id, to_owner_id FROM pass_history WHERE lead_id = ? ORDER BY id",
            (harbor,),
        ).fetchall()
    on_server = server_rows(
        field_server, "SELECT name, owner_id, version FROM leads WHERE id = :id", id=harbor
    )
    assert held == on_server[0] and held[0] == "Harbor Logistics renewal 2027"
    server_history = server_rows(
        field_server,
        "SELECT id, batch_id, to_owner_id FROM pass_history WHERE lead_id = :id ORDER BY id",
        id=harbor,
    )
    assert history == server_history and len(history) >= 2  # each row once


def test_a_manager_right_taken_away_refreshes_the_whole_view(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    lead = lead_named(field_server, "Oakridge School tablets")  # Sam Field's
    ada = field_server.url("ada")
    assert (
        main(["rights", "revoke", "--manager", "Maria Manager", "--user", "Sam Field", "--db", ada])
        == 0
    )
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert report["full_refresh"] is True
    assert owner_on_replica(replica, lead) is None


def test_a_replica_acts_only_as_its_person(field_server, make_replica, capsys) -> None:
    replica = make_replica("maria")
    code, _out, err = run(capsys, "leads", "--db", replica, "--as", "Olivia Office")
    assert code == 1 and "Maria Manager's offline copy" in err
    code, out, _err = run(capsys, "leads", "--db", replica, "--wide")
    assert code == 0 and HARBOR in out


def test_sync_reports_in_one_line(field_server, make_replica, capsys) -> None:
    replica = make_replica("maria")
    lead = lead_named(field_server, HARBOR)
    assert main(["pass", "--db", replica, "--lead", str(lead), "--to-user", "Sam Field"]) == 0
    capsys.readouterr()
    report = sync_replica(replica)
    assert (report.applied, report.conflicts) == (1, 0)
    code, out, _err = run(capsys, "sync", "--db", replica)
    assert (code, out) == (0, "Synced: 0 passes sent, 0 conflicts, 0 leads changed.\n")


def test_a_lead_passed_on_and_on_offline_is_sent_in_order(
    field_server, make_replica, capsys
) -> None:
    """Later entries of one sync see what earlier ones did: a lead passed twice offline
    arrives at its second owner, and a pass undone offline leaves its lead where it was."""
    replica = make_replica("maria")
    harbor = lead_named(field_server, HARBOR)
    oakridge = lead_named(field_server, "Oakridge School tablets")  # Sam Field's
    for person in ("Jane Doe", "Sam Field", "Jane Doe"):
        assert main(["pass", "--db", replica, "--lead", str(harbor), "--to-user", person]) == 0
    assert main(["pass", "--db", replica, "--lead", str(oakridge), "--to-user", "Jane Doe"]) == 0
    assert main(["undo", "--db", replica, "--last"]) == 0
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["conflicts"]) == (5, 0), report
    assert owner_on_server(field_server, harbor) == "Jane Doe"
    assert owner_on_server(field_server, oakridge) == "Sam Field"
    [(moves,)] = server_rows(
        field_server, "SELECT count(*) FROM pass_history WHERE lead_id = :id", id=harbor
    )
    assert moves == 3
