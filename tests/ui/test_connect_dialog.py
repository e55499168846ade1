"""*File > Connect to server…*: the password goes to the keyring and nowhere else; failures
say why in one line; the window switches to the server as the login's user."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leaddesk.errors import PermissionDeniedError
from leaddesk.store.database import KEYRING_DB_SERVICE
from leaddesk.ui.shell.connect_dialog import ConnectDialog
from leaddesk.ui.shell.database_menu import DatabaseMenu
from tests.helpers.server import ServerDatabase, ensure_login, set_up_server
from tests.helpers.smtp_server import free_port

pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.parametrize("backend", ["postgresql"]),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

PASSWORD = "Corr3ct-Horse-battery"


@pytest.fixture
def server(make_db_url, postgres_factory) -> Iterator[ServerDatabase]:
    for login in ("maria", "olivia", "victor", "ada"):
        ensure_login(postgres_factory.admin, login)
    server = set_up_server(make_db_url())
    yield server
    server.dispose()


def fill(dialog: ConnectDialog, url: str, **changes: object) -> None:
    parts = make_url(url)
    values = {
        "host": parts.host,
        "port": parts.port,
        "database": parts.database,
        "login": "maria",
        "password": PASSWORD,
        "tls": "off",
    }
    values.update(changes)
    dialog.host_edit.setText(str(values["host"]))
    dialog.port_spin.setValue(int(values["port"]))  # type: ignore[arg-type]
    dialog.database_edit.setText(str(values["database"]))
    dialog.login_edit.setText(str(values["login"]))
    dialog.password_edit.setText(str(values["password"]))
    dialog.tls_combo.setCurrentText(str(values["tls"]))


def checked(qtbot, dialog: ConnectDialog) -> str:
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15_000)
    return dialog.result_label.text()


def test_connecting_keeps_the_password_in_the_keyring_only(
    main_window, server, qtbot, memory_keyring, isolated_settings
):
    window = main_window("Ada Admin", url=server.owner_url)
    dialog = window.findChild(DatabaseMenu).open_connect_dialog()
    fill(dialog, server.owner_url)
    dialog.connect_button.click()

    def switched() -> QWidget | None:
        for widget in QApplication.topLevelWidgets():
            context = getattr(widget, "context", None)
            if widget.isVisible() and getattr(context, "actor_name", "") == "Maria Manager":
                return widget
        return None

    qtbot.waitUntil(lambda: switched() is not None, timeout=15_000)
    new = switched()
    assert new is not None and new.context.database.url.username == "maria"
    assert not window.isVisible()
    parts = make_url(server.owner_url)
    account = f"maria@{parts.host}:{parts.port}/{parts.database}"
    assert memory_keyring.secrets == {(KEYRING_DB_SERVICE, account): PASSWORD}
    settings = isolated_settings.read_text()
    assert f"maria@{parts.host}:{parts.port}/{parts.database}" in settings
    assert PASSWORD not in settings
    new.close()


def test_each_failure_says_why_in_one_line_and_never_the_password(main_window, server, qtbot):
    window = main_window("Ada Admin", url=server.owner_url)
    dialog = window.findChild(DatabaseMenu).open_connect_dialog()
    url = server.owner_url
    port, database = make_url(url).port, make_url(url).database
    closed_port = free_port()
    said = []
    fill(dialog, url, port=closed_port)
    said.append(checked(qtbot, dialog))
    assert said[-1] == f"The server at 127.0.0.1:{closed_port} cannot be reached."
    fill(dialog, url, database="postgres")
    said.append(checked(qtbot, dialog))
    assert said[-1] == f"127.0.0.1:{port}/postgres is not a LeadDesk database."
    fill(dialog, url, tls="require")  # the test cluster has no TLS
    said.append(checked(qtbot, dialog))
    assert said[-1].startswith(f"The server at 127.0.0.1:{port} refused the TLS connection: ")
    with server.raw("postgres") as owner:
        owner.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        owner.commit()
    fill(dialog, url)
    said.append(checked(qtbot, dialog))
    assert said[-1] == (
        f"The database at 127.0.0.1:{port}/{database} has a newer schema (9999_future) than "
        "this LeadDesk knows; update LeadDesk first."
    )
    fill(dialog, url, database="")
    said.append(checked(qtbot, dialog))
    assert said[-1] == "Fill in the database."
    assert all(PASSWORD not in line and "\n" not in line for line in said)
    dialog.reject()


def test_a_wrong_password_is_named_as_such(main_window, server, qtbot):
    """One login of the test cluster is switched from trust to password checking."""
    hba = Path(str(server.owner_scalar("SHOW hba_file")))
    if not os.access(hba, os.W_OK):
        pytest.skip("the test cluster's pg_hba.conf is not on this machine")
    original = hba.read_text()
    with server.raw("postgres") as owner:
        owner.execute(text("DROP ROLE IF EXISTS pwcheck"))
        owner.execute(text("CREATE ROLE pwcheck LOGIN PASSWORD 'the-right-one'"))
        owner.commit()
    hba.write_text("host all pwcheck 127.0.0.1/32 scram-sha-256\n" + original)
    try:
        server.owner_scalar("SELECT pg_reload_conf()")
        window = main_window("Ada Admin", url=server.owner_url)
        dialog = window.findChild(DatabaseMenu).open_connect_dialog()
        fill(dialog, server.owner_url, login="pwcheck", password="a-wrong-one")
        port = make_url(server.owner_url).port
        assert checked(qtbot, dialog) == f"Wrong login or password for pwcheck at 127.0.0.1:{port}."
        dialog.reject()
    finally:
        hba.write_text(original)
        server.owner_scalar("SELECT pg_reload_conf()")
        with server.raw("postgres") as owner:
            owner.execute(text("DROP ROLE pwcheck"))
            owner.commit()


def test_the_window_signs_in_as_the_logins_user_and_refuses_anyone_else(main_window, server):
    window = main_window(None, url=server.url("olivia"))
    assert (window.context.actor_name, window.context.is_admin) == ("Olivia Office", False)
    assert window.owner_model.find_user_index("Sam Field").isValid()
    assert not window.owner_model.find_user_index("John Smith").isValid()
    with pytest.raises(PermissionDeniedError) as refused:
        main_window("Maria Manager", url=server.url("olivia"))
    assert str(refused.value) == (
        "You are connected as login olivia (Olivia Office) and cannot act as Maria Manager."
    )
