"""Linking a person to their server login from the administration window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from leaddesk.ui.admin.tables import select_id
from leaddesk.ui.shell.window_services import WindowServices
from tests.helpers.server import ServerDatabase, ensure_login, set_up_server

pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.parametrize("backend", ["postgresql"]),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def server(make_db_url, postgres_factory) -> Iterator[ServerDatabase]:
    for login in ("maria", "olivia", "victor", "ada", "johnny"):
        ensure_login(postgres_factory.admin, login)
    server = set_up_server(make_db_url())
    yield server
    server.dispose()


def test_an_administrator_links_a_login_in_the_window(qtbot, main_window, server):
    window = main_window(None, url=server.url("ada"))
    admin = window.findChild(WindowServices).open_administration()
    tab = admin.users_tab
    john = int(server.owner_scalar("SELECT id FROM users WHERE name = 'John Smith'"))  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: not admin.loading and tab.table.rowCount() > 0)
    select_id(tab.table, john)
    tab.edit_login.setText("johnny")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: server.owner_scalar("SELECT db_login FROM users WHERE id = :i", i=john) == "johnny",
        timeout=10_000,
    )
    assert server.owner_scalar("SELECT pg_has_role('johnny', 'leaddesk_user', 'MEMBER')")
    qtbot.waitUntil(lambda: "johnny" in [
        tab.table.item(row, 6).text() for row in range(tab.table.rowCount())
    ])  # fmt: skip
    admin.context.runner.wait_idle()
    admin.close()
