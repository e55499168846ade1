"""A sync cut short (the server stopped midway, the process killed) resumes on the next run
with nothing lost and nothing applied or emailed twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event

from leaddesk.cli import main
from leaddesk.offline import push, sync_replica
from tests.helpers.cli_run import run, run_json
from tests.helpers.offline import (
    back_online,
    lead_named,
    owner_on_server,
    pass_as_admin,
    replica_scalar,
    replica_view,
    server_rows,
    server_view,
)

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]

# John's three leads: one offline pass each, to Jane.
LEADS = ["Harbor Logistics renewal", "Crescent Bakery POS upgrade", "Northwind fleet tracking"]


@contextmanager
def on_statement(
    dialect: str, starts: str, action: Callable[[], None], *, nth: int = 1
) -> Iterator[None]:
    """Run ``action`` just before the ``nth`` statement on ``dialect`` that starts with
    ``starts`` (a cut at a chosen point of the real sync, from outside it)."""
    seen = 0

    def hook(conn, _cursor, statement: str, *_args: object) -> None:
        nonlocal seen
        if conn.dialect.name == dialect and statement.lstrip().startswith(starts):
            seen += 1
            if seen == nth:
                action()

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", hook)


def offline_passes(server, replica: str) -> list[int]:
    ids = [lead_named(server, name) for name in LEADS]
    for lead in ids:
        assert main(["pass", "--db", replica, "--lead", str(lead), "--to-user", "Jane Doe"]) == 0
    return ids


def assert_applied_once(server, replica: str) -> None:
    """Every journal entry is one batch on the server, with one email."""
    with sqlite3.connect(replica) as connection:
        uuids = [u for (u,) in connection.execute("SELECT uuid FROM offline_journal")]
    for uuid in uuids:
        batches = server_rows(server, "SELECT id FROM pass_batches WHERE client_uuid = :u", u=uuid)
        assert len(batches) == 1, uuid
        outbox = server_rows(server, "SELECT 1 FROM outbox WHERE batch_id = :b", b=batches[0][0])
        assert len(outbox) == 1, uuid
    replayed = server_rows(server, "SELECT 1 FROM pass_batches WHERE client_uuid IS NOT NULL")
    assert len(replayed) == len(uuids)


# The push sends a chunk of entries per server transaction and settles the chunk on the
# replica after the server's commit. Chunks of one put the cut between chunks; the real
# chunk size (all three entries in one) puts it inside a chunk, where the three passes are
# written together: the cut falls after their batches are written, before their leads move.
BETWEEN_CHUNKS = 1
INSIDE_A_CHUNK = push.PUSH_CHUNK
CUTS = ["between-chunks", "inside-a-chunk"]


@pytest.mark.parametrize(
    ("chunk", "cut_before", "states_after_cut", "sent_next"),
    [
        (BETWEEN_CHUNKS, ("INSERT INTO pass_batches", 2), "applied,pending,pending", 2),
        # The server never committed the chunk: every entry is sent again, none lost.
        (INSIDE_A_CHUNK, ("WITH wanted", 1), "pending,pending,pending", 3),
    ],
    ids=CUTS,
)
def test_the_server_stopped_in_the_middle_of_the_push(
    field_cluster,
    field_server,
    make_replica,
    capsys,
    monkeypatch,
    chunk,
    cut_before,
    states_after_cut,
    sent_next,
) -> None:
    monkeypatch.setattr(push, "PUSH_CHUNK", chunk)
    cluster, _factory = field_cluster
    replica = make_replica("maria")
    leads = offline_passes(field_server, replica)
    capsys.readouterr()
    try:
        starts, nth = cut_before
        with on_statement("postgresql", starts, cluster.pause, nth=nth):
            code, out, err = run(capsys, "sync", "--db", replica)
        assert code == 1 and out == "" and len(err.splitlines()) == 1
        assert "cannot be reached" in err
    finally:
        back_online(cluster, field_server)
    states = replica_scalar(replica, "SELECT group_concat(state, ',') FROM offline_journal")
    assert states == states_after_cut
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["already_applied"], report["conflicts"]) == (sent_next, 0, 0)
    assert [owner_on_server(field_server, lead) for lead in leads] == ["Jane Doe"] * 3
    assert_applied_once(field_server, replica)
    assert replica_view(replica) == server_view(field_server, "Maria Manager")


@pytest.mark.parametrize(
    ("chunk", "killed_at_update", "committed", "pending", "answers_next"),
    [
        # The second chunk (entry two) is committed; the process dies before noting it.
        (BETWEEN_CHUNKS, 2, 2, 2, (1, 1)),
        # The one chunk is committed whole; the process dies before noting any of it.
        (INSIDE_A_CHUNK, 1, 3, 3, (0, 3)),
    ],
    ids=CUTS,
)
def test_killed_after_the_server_applied_before_the_replica_heard(
    field_server,
    make_replica,
    capsys,
    monkeypatch,
    chunk,
    killed_at_update,
    committed,
    pending,
    answers_next,
) -> None:
    monkeypatch.setattr(push, "PUSH_CHUNK", chunk)
    replica = make_replica("maria")
    leads = offline_passes(field_server, replica)
    capsys.readouterr()

    def killed() -> None:
        raise KeyboardInterrupt

    # Dies as the replica is told of the last chunk the server committed.
    with on_statement("sqlite", "UPDATE offline_journal", killed, nth=killed_at_update):
        code, _out, err = run(capsys, "sync", "--db", replica)
    assert code == 130 and "interrupted" in err
    assert (
        replica_scalar(replica, "SELECT count(*) FROM offline_journal WHERE state = 'pending'")
        == pending
    )
    assert (
        len(server_rows(field_server, "SELECT 1 FROM pass_batches WHERE client_uuid IS NOT NULL"))
        == committed
    )
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["already_applied"], report["conflicts"]) == (
        *answers_next,
        0,
    )
    assert [owner_on_server(field_server, lead) for lead in leads] == ["Jane Doe"] * 3
    assert_applied_once(field_server, replica)
    assert replica_view(replica) == server_view(field_server, "Maria Manager")


def test_the_server_stopped_in_the_middle_of_the_pull(
    field_cluster, field_server, make_replica, capsys
) -> None:
    cluster, _factory = field_cluster
    replica = make_replica("maria")
    offline_passes(field_server, replica)
    assert (
        main(
            [
                "pass",
                "--db",
                field_server.url("ada"),
                "--lead",
                str(lead_named(field_server, "Oakridge School tablets")),
                "--to-user",
                "Maria Manager",
            ]
        )
        == 0
    )
    capsys.readouterr()
    mark = replica_scalar(replica, "SELECT pull_snapshot FROM replica_state")
    try:
        with on_statement("postgresql", "SELECT pass_history.id", cluster.pause):
            code, _out, err = run(capsys, "sync", "--db", replica)
        assert code == 1 and "cannot be reached" in err
    finally:
        back_online(cluster, field_server)
    # Pushed, but not pulled: the pull's mark did not move.
    assert (
        replica_scalar(replica, "SELECT count(*) FROM offline_journal WHERE state = 'applied'") == 3
    )
    assert replica_scalar(replica, "SELECT pull_snapshot FROM replica_state") == mark
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["already_applied"]) == (0, 0)
    assert report["leads_changed"] >= 4
    assert_applied_once(field_server, replica)
    assert replica_view(replica) == server_view(field_server, "Maria Manager")


def test_a_pass_made_on_the_copy_during_a_sync_is_sent_not_overwritten(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    first, second = (lead_named(field_server, name) for name in LEADS[:2])
    assert main(["pass", "--db", replica, "--lead", str(first), "--to-user", "Jane Doe"]) == 0
    # Someone else moves the second lead on the server: the pull would fetch it.
    assert (
        main(
            [
                "pass",
                "--db",
                field_server.url("ada"),
                "--lead",
                str(second),
                "--to-user",
                "Sam Field",
            ]
        )
        == 0
    )
    capsys.readouterr()

    def pass_in_the_window() -> None:
        assert main(["pass", "--db", replica, "--lead", str(second), "--to-user", "Jane Doe"]) == 0

    # Between the push and the pull, the person passes the second lead on the copy.
    with on_statement("postgresql", "SELECT pg_current_snapshot", pass_in_the_window):
        report = sync_replica(replica)
    # Sent in a second round (as a conflict: the server had moved it), never lost.
    assert (report.applied, report.conflicts) == (1, 1)
    assert replica_scalar(replica, "SELECT count(*) FROM offline_journal") == 2
    assert replica_view(replica) == server_view(field_server, "Maria Manager")


def test_a_refused_entry_inside_a_chunk_rolls_back_only_itself(
    field_server, make_replica, capsys
) -> None:
    replica = make_replica("maria")
    first, middle, last = offline_passes(field_server, replica)
    # Meanwhile an administrator passes the middle lead on the server.
    pass_as_admin(field_server, middle, "Sam Field")
    capsys.readouterr()
    report = run_json(capsys, "sync", "--db", replica)
    assert (report["applied"], report["conflicts"]) == (2, 1)
    states = replica_scalar(
        replica,
        "SELECT group_concat(state, ',') FROM (SELECT state FROM offline_journal ORDER BY id)",
    )
    assert states == "applied,conflict,applied"
    owners = [owner_on_server(field_server, lead) for lead in (first, middle, last)]
    assert owners == ["Jane Doe", "Sam Field", "Jane Doe"]
    # The refused entry left nothing on the server: no batch, no note, no email.
    replayed = server_rows(
        field_server,
        "SELECT b.id, count(o.id) FROM pass_batches b LEFT JOIN outbox o ON o.batch_id = b.id"
        " WHERE b.client_uuid IS NOT NULL GROUP BY b.id",
    )
    assert [emails for _batch, emails in replayed] == [1, 1]
    assert not server_rows(
        field_server,
        "SELECT 1 FROM pass_history h JOIN pass_batches b ON b.id = h.batch_id"
        " WHERE h.lead_id = :l AND b.client_uuid IS NOT NULL",
        l=middle,
    )
