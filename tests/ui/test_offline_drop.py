"""Drag and drop on a replica: the same window and rules, journaled, sent on sync."""

from __future__ import annotations

import pytest

from leaddesk.offline import sync_replica
from tests.helpers.offline import back_online, owner_on_replica, owner_on_server, server_rows
from tests.ui.test_drops import drop_on_target, lead_index, pass_with_answers

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.postgresql_only,
    pytest.mark.parametrize("backend", ["postgresql"]),
]


def test_a_drop_on_a_replica_while_offline_is_applied_on_sync(
    qtbot, main_window, field_cluster, field_server, make_replica
) -> None:
    cluster, _factory = field_cluster
    replica = make_replica("maria")
    harbor = int(
        field_server.owner_scalar(
            "SELECT id FROM leads WHERE name = :n", n="Harbor Logistics renewal"
        )
    )
    cluster.pause()
    try:
        window = main_window(None, url=replica)  # a replica knows its person
        john = window.owner_model.find_user_index("John Smith")
        pass_with_answers(
            qtbot, window, lambda: drop_on_target(window, "Jane Doe", [john]), note="Offline"
        )
        assert owner_on_replica(replica, harbor) == "Jane Doe"
        index = lead_index(window, "Jane Doe", "LEAD", "Harbor Logistics renewal")
        assert index.isValid()
    finally:
        back_online(cluster, field_server)
    report = sync_replica(replica)
    assert (report.applied, report.conflicts) == (1, 0)
    assert owner_on_server(field_server, harbor) == "Jane Doe"
    [(method, moved, note)] = server_rows(
        field_server,
        "SELECT method, lead_count, note FROM pass_batches WHERE client_uuid IS NOT NULL",
    )
    assert (method, moved, note) == ("drag_user", 3, "Offline")
    assert len(server_rows(field_server, "SELECT 1 FROM outbox")) == 1
