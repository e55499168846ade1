"""Replicas across versions, bad replica files, and what the commands refuse."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.errors import LeadDeskError
from leaddesk.offline import replica_info
from tests.helpers.cli_run import run, run_json
from tests.helpers.offline import (
    back_online,
    lead_named,
    owner_on_replica,
    owner_on_server,
    replica_view,
    server_view,
)

# The server is PostgreSQL by nature (the replicas are SQLite files); the bad-file tests need
# no server at all.
on_server = pytest.mark.parametrize("backend", ["postgresql"])

HARBOR = "Harbor Logistics renewal"


def set_replica(path: str, sql: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(sql)


@pytest.mark.parametrize(
    "aged",
    [
        pytest.param("UPDATE replica_state SET replica_format = 0", id="older-replica"),
        pytest.param(
            "UPDATE replica_state SET server_revision = '0004_outbox_message_key'",
            id="server-schema-moved",
        ),
    ],
)
@pytest.mark.postgresql_only
@on_server
def test_an_older_replica_is_pushed_then_pulled_whole(
    aged, field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    lead = lead_named(field_server, HARBOR)
    assert main(["pass", "--db", replica, "--lead", str(lead), "--to-user", "Jane Doe"]) == 0
    # Meanwhile a lead enters Maria's view on the server.
    victors = lead_named(field_server, "Redwood Winery labels")
    assert (
        main(
            [
                "pass",
                "--db",
                field_server.url("ada"),
                "--lead",
                str(victors),
                "--to-user",
                "Sam Field",
            ]
        )
        == 0
    )
    set_replica(replica, aged)
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["full_refresh"]) == (1, True)
    assert owner_on_server(field_server, lead) == "Jane Doe"  # the journal was not discarded
    assert replica_view(replica) == server_view(field_server, "Maria Manager")
    assert run_json(capsys, "sync", "--db", replica)["full_refresh"] is False


def test_a_corrupt_replica_file_gives_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    for command in (["sync"], ["conflicts"]):
        code, out, err = run(capsys, *command, "--db", str(path))
        assert code == 1 and out == ""
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with pytest.raises(LeadDeskError):
        replica_info(str(path))


@pytest.mark.postgresql_only
@on_server
def test_a_replica_from_a_newer_leaddesk_gives_one_line(field_server, make_replica, capsys) -> None:
    replica = make_replica("maria")
    set_replica(replica, "UPDATE alembic_version SET version_num = '0099_from_future'")
    code, out, err = run(capsys, "sync", "--db", replica)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "newer LeadDesk" in err


def test_a_file_that_is_not_a_replica_is_refused(tmp_path: Path, capsys) -> None:
    plain = tmp_path / "plain.sqlite3"
    assert main(["demo", "--db", str(plain)]) == 0
    capsys.readouterr()
    code, _out, err = run(capsys, "sync", "--db", str(plain))
    assert code == 1 and "not an offline copy" in err
    assert replica_info(str(plain)) is None
    code, _out, err = run(capsys, "sync", "--db", str(tmp_path / "missing.sqlite3"))
    assert code == 1 and "There is no file" in err
    assert not (tmp_path / "missing.sqlite3").exists()


@pytest.mark.postgresql_only
@on_server
def test_replica_create_refuses_clearly(
    field_cluster, field_server, make_replica, tmp_path: Path, capsys
) -> None:
    cluster, _factory = field_cluster
    existing = make_replica("maria")
    code, _out, err = run(
        capsys, "replica", "create", "--server", field_server.url("maria"), "--db", existing
    )
    assert code == 1 and "already exists" in err
    code, _out, err = run(
        capsys,
        "replica",
        "create",
        "--server",
        str(tmp_path / "x.sqlite3"),
        "--db",
        str(tmp_path / "copy.sqlite3"),
    )
    assert code == 1 and "PostgreSQL server" in err
    owner = field_server.owner_url
    code, _out, err = run(
        capsys, "replica", "create", "--server", owner, "--db", str(tmp_path / "owner.sqlite3")
    )
    assert code == 1 and "--as NAME" in err
    assert not (tmp_path / "owner.sqlite3").exists()
    as_maria = tmp_path / "as-maria.sqlite3"
    code, out, err = run(
        capsys,
        "replica",
        "create",
        "--server",
        owner,
        "--as",
        "Maria Manager",
        "--db",
        str(as_maria),
    )
    assert code == 0, err
    assert "Maria Manager" in out and ":" not in out.split("//")[1].split("@")[0]
    assert replica_view(str(as_maria)) == replica_view(existing)
    cluster.pause()
    try:
        gone = tmp_path / "gone.sqlite3"
        code, out, err = run(
            capsys, "replica", "create", "--server", field_server.url("maria"), "--db", str(gone)
        )
        assert code == 1 and out == "" and len(err.splitlines()) == 1
        assert "cannot be reached" in err
        assert not gone.exists()
    finally:
        back_online(cluster, field_server)


@pytest.mark.postgresql_only
@on_server
def test_undo_and_bucket_work_offline_and_replay(field_server, make_replica, capsys) -> None:
    replica = make_replica("olivia")
    florist = lead_named(field_server, "Walk-in: Corner Florist website")
    deli = lead_named(field_server, "Downtown Deli catering")  # Olivia's own
    code, out, _err = run(capsys, "buckets", "--db", replica)
    assert code == 0 and "Corner Florist" in out
    assert (
        main(
            [
                "assign",
                "--db",
                replica,
                "--lead",
                str(florist),
                "--to-user",
                "Sam Field",
                "--note",
                "Yours",
            ]
        )
        == 0
    )
    assert main(["pass", "--db", replica, "--lead", str(deli), "--to-user", "Sam Field"]) == 0
    assert main(["undo", "--db", replica, "--last"]) == 0
    assert owner_on_replica(replica, deli) == "Olivia Office"
    code, out, _err = run(capsys, "history", "--db", replica, "--lead", str(florist), "--wide")
    assert code == 0 and "Sam Field" in out
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["conflicts"]) == (3, 0)
    assert owner_on_server(field_server, florist) == "Sam Field"
    assert owner_on_server(field_server, deli) == "Olivia Office"
    assert replica_view(replica) == server_view(field_server, "Olivia Office")


@pytest.mark.postgresql_only
@on_server
def test_a_password_in_the_url_is_never_written_to_the_copy(
    field_server, tmp_path: Path, capsys
) -> None:
    from sqlalchemy.engine import make_url

    with_password = make_url(field_server.url("maria")).set(password="s3cret-Pw")
    path = tmp_path / "copy.sqlite3"
    code, out, err = run(
        capsys,
        "replica",
        "create",
        "--db",
        str(path),
        "--server",
        with_password.render_as_string(hide_password=False),
    )
    assert code == 0, err
    assert "s3cret-Pw" not in out + err
    info = replica_info(str(path))
    assert info is not None and "s3cret-Pw" not in info.server_url
    for file in tmp_path.glob("copy.sqlite3*"):
        assert b"s3cret-Pw" not in file.read_bytes()
