"""An offline pass whose leads changed on the server meanwhile becomes a conflict, kept whole
beside the server's side, until the person passes again or drops it."""

from __future__ import annotations

import pytest

from leaddesk.cli import main
from tests.helpers.cli_run import run, run_json
from tests.helpers.offline import (
    back_online,
    lead_named,
    owner_on_replica,
    owner_on_server,
    replica_scalar,
    server_rows,
)

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]

HARBOR = "Harbor Logistics renewal"  # John Smith's
OAKRIDGE = "Oakridge School tablets"  # Sam Field's: Maria and Olivia both manage Sam
FLORIST = "Walk-in: Corner Florist website"  # in the Downtown Office bucket (Olivia's)


def batches_for(server, lead_id: int) -> int:
    return len(server_rows(server, "SELECT 1 FROM pass_history WHERE lead_id = :l", l=lead_id))


def test_passed_meanwhile_on_the_server_then_passed_again(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    lead = lead_named(field_server, HARBOR)
    assert (
        main(
            [
                "pass",
                "--db",
                replica,
                "--lead",
                str(lead),
                "--to-user",
                "Jane Doe",
                "--note",
                "Jane knows them",
            ]
        )
        == 0
    )
    # Meanwhile, on the server, an administrator passes the same lead to Sam.
    assert (
        main(
            ["pass", "--db", field_server.url("ada"), "--lead", str(lead), "--to-user", "Sam Field"]
        )
        == 0
    )
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["conflicts"]) == (0, 1)
    assert owner_on_server(field_server, lead) == "Sam Field"  # nothing overwritten
    assert owner_on_replica(replica, lead) == "Sam Field"  # the replica shows the server's
    [conflict] = run_json(capsys, "conflicts", "--db", replica)
    assert conflict["lead_names"] == [HARBOR]
    assert (conflict["target_label"], conflict["note"]) == ("Jane Doe", "Jane knows them")
    [side] = conflict["server_now"]
    assert (side["place"], side["changed_by"]) == ("Sam Field", "Ada Admin")
    assert (side["seen_version"], side["server_version"]) == (1, 2)
    assert side["changed_at"] is not None and "changed since" in conflict["reason"]
    code, out, _err = run(capsys, "conflicts", "--db", replica, "--wide")
    assert code == 0 and "Sam Field by Ada Admin" in out and "Jane knows them" in out
    # Sync again: the conflict is not sent again, and stays open.
    assert run_json(capsys, "sync", "--db", replica)["conflicts"] == 0
    assert len(run_json(capsys, "conflicts", "--db", replica)) == 1

    code, out, err = run(
        capsys, "conflicts", "resolve", str(conflict["id"]), "--pass-again", "--db", replica
    )
    assert (code, err) == (0, ""), err
    assert "passed again" in out and "Jane Doe" in out
    assert owner_on_server(field_server, lead) == "Jane Doe"
    assert owner_on_replica(replica, lead) == "Jane Doe"
    [(note, login)] = server_rows(
        field_server,
        "SELECT b.note, b.db_login FROM pass_batches b JOIN leads l ON l.last_batch_id = b.id"
        " WHERE l.id = :l",
        l=lead,
    )
    assert (note, login) == ("Jane knows them", "maria")
    assert run_json(capsys, "conflicts", "--db", replica) == []
    code, _out, err = run(
        capsys, "conflicts", "resolve", str(conflict["id"]), "--drop", "--db", replica
    )
    assert code == 1 and "no open conflict" in err


def test_assigned_from_the_bucket_meanwhile_then_dropped(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("olivia")
    lead = lead_named(field_server, FLORIST)
    assert main(["assign", "--db", replica, "--lead", str(lead), "--to-user", "Sam Field"]) == 0
    assert owner_on_replica(replica, lead) == "Sam Field"
    # Meanwhile an administrator assigns it from the bucket to Olivia herself.
    assert (
        main(
            [
                "assign",
                "--db",
                field_server.url("ada"),
                "--lead",
                str(lead),
                "--to-user",
                "Olivia Office",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert run_json(capsys, "sync", "--db", replica)["conflicts"] == 1
    [conflict] = run_json(capsys, "conflicts", "--db", replica)
    assert conflict["method"] == "bucket_assign"
    assert conflict["server_now"][0]["place"] == "Olivia Office"
    before = field_server.snapshot()
    code, out, _err = run(
        capsys, "conflicts", "resolve", str(conflict["id"]), "--drop", "--db", replica
    )
    assert code == 0 and "dropped" in out
    assert field_server.snapshot() == before
    assert owner_on_server(field_server, lead) == "Olivia Office"
    assert run_json(capsys, "conflicts", "--db", replica) == []


def test_undone_meanwhile_on_the_server_then_passed_again(
    field_server, make_replica, capsys
) -> None:
    lead = lead_named(field_server, HARBOR)
    maria = field_server.url("maria")
    assert main(["pass", "--db", maria, "--lead", str(lead), "--to-user", "Jane Doe"]) == 0
    replica = make_replica("maria")
    assert (
        main(
            [
                "pass",
                "--db",
                replica,
                "--lead",
                str(lead),
                "--to-user",
                "Sam Field",
                "--note",
                "Sam is closer",
            ]
        )
        == 0
    )
    # Meanwhile Maria, at another desk, undoes her earlier pass on the server.
    assert main(["undo", "--db", maria, "--last"]) == 0
    assert owner_on_server(field_server, lead) == "John Smith"
    capsys.readouterr()
    assert run_json(capsys, "sync", "--db", replica)["conflicts"] == 1
    [conflict] = run_json(capsys, "conflicts", "--db", replica)
    assert conflict["server_now"][0]["place"] == "John Smith"
    assert conflict["server_now"][0]["changed_by"] == "Maria Manager"
    code, out, err = run(
        capsys, "conflicts", "resolve", str(conflict["id"]), "--pass-again", "--db", replica
    )
    assert code == 0, err
    assert "passed again" in out
    assert owner_on_server(field_server, lead) == "Sam Field"
    assert batches_for(field_server, lead) == 3  # the pass, its undo, the pass again


def test_two_managers_pass_the_same_lead_offline_one_wins(
    field_server, make_replica, capsys
) -> None:
    lead = lead_named(field_server, OAKRIDGE)
    maria, olivia = make_replica("maria"), make_replica("olivia")
    assert main(["pass", "--db", maria, "--lead", str(lead), "--to-user", "Jane Doe"]) == 0
    assert main(["pass", "--db", olivia, "--lead", str(lead), "--to-user", "Olivia Office"]) == 0
    capsys.readouterr()
    assert run_json(capsys, "sync", "--db", maria)["applied"] == 1
    second = run_json(capsys, "sync", "--db", olivia)
    assert (second["applied"], second["conflicts"]) == (0, 1)
    assert owner_on_server(field_server, lead) == "Jane Doe"
    # Jane is not Olivia's to see: the lead left Olivia's copy, the conflict keeps its name.
    assert owner_on_replica(olivia, lead) is None
    [conflict] = run_json(capsys, "conflicts", "--db", olivia)
    assert conflict["lead_names"] == [OAKRIDGE]
    assert conflict["server_now"][0]["server_version"] is None
    code, out, _err = run(capsys, "conflicts", "--db", olivia, "--wide")
    assert code == 0 and "no longer in your view" in out
    assert len(server_rows(field_server, "SELECT 1 FROM outbox")) == 1


def test_resolving_while_the_server_is_away_keeps_the_conflict(
    field_cluster, field_server, make_replica, capsys
) -> None:
    cluster, _factory = field_cluster
    replica = make_replica("maria")
    lead = lead_named(field_server, HARBOR)
    assert main(["pass", "--db", replica, "--lead", str(lead), "--to-user", "Jane Doe"]) == 0
    assert (
        main(
            ["pass", "--db", field_server.url("ada"), "--lead", str(lead), "--to-user", "Sam Field"]
        )
        == 0
    )
    capsys.readouterr()
    assert run_json(capsys, "sync", "--db", replica)["conflicts"] == 1
    [conflict] = run_json(capsys, "conflicts", "--db", replica)
    cluster.pause()
    try:
        code, out, err = run(
            capsys, "conflicts", "resolve", str(conflict["id"]), "--pass-again", "--db", replica
        )
        assert code == 1 and out == "" and len(err.splitlines()) == 1
        assert "cannot be reached" in err
    finally:
        back_online(cluster, field_server)
    assert (
        replica_scalar(replica, "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL")
        == 1
    )
