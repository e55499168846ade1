"""A replica holds what its person may see on the server, and nothing else."""

from __future__ import annotations

import sqlite3

import pytest

from leaddesk.offline import find_replica, replica_info
from tests.helpers.offline import server_rows

pytestmark = [pytest.mark.postgresql_only, pytest.mark.parametrize("backend", ["postgresql"])]


def replica_leads(path: str) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM leads")}


def test_marias_replica_holds_what_she_sees_and_none_of_victors_leads(
    field_server, make_replica
) -> None:
    path = make_replica("maria")
    held = replica_leads(path)
    with field_server.raw("maria") as connection:
        from sqlalchemy import text

        seen_as_maria = {name for (name,) in connection.execute(text("SELECT name FROM leads"))}
    victors = {
        name
        for (name,) in server_rows(
            field_server,
            "SELECT l.name FROM leads l JOIN users u ON u.id = l.owner_id"
            " WHERE u.name = 'Victor Outside'",
        )
    }
    assert victors and not held & victors
    assert held == seen_as_maria
    info = replica_info(path)
    assert info is not None
    assert (info.actor_name, info.pending_passes, info.open_conflicts) == ("Maria Manager", 0, 0)
    assert "@" in info.server_url and ":" not in info.server_url.split("@")[0].split("//")[1]
    assert find_replica(field_server.url("maria"), None) == path
