"""The window's email, import/export and administration entry points, end to end:
a drop in the window produces one email at a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMenu

from leaddesk.notify.smtp_settings import SmtpSettings, SmtpSettingsStore
from leaddesk.store.database import open_database
from leaddesk.ui.shell.window_services import WindowServices
from tests.helpers.demo_names import user_id
from tests.helpers.engine_checks import pass_all_leads
from tests.helpers.smtp_server import running_smtp_server
from tests.ui.test_drops import drop_on_target, lead_index, pass_with_answers

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def services(window) -> WindowServices:
    found = window.findChild(WindowServices)
    assert found is not None
    return found


def menu_titles(window) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def file_menu_names(window) -> list[str]:
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    return [action.objectName() for action in file_menu.actions() if action.objectName()]


def test_administration_menu_is_there_only_for_admins(main_window):
    admin = main_window("Ada Admin")
    assert "&Tools" in menu_titles(admin)
    dialog = services(admin).open_administration()
    assert dialog.objectName() == "adminWindow" and dialog.isVisible()
    assert services(admin).open_administration() is dialog  # one window, raised again
    dialog.close()

    maria = main_window("Maria Manager")
    assert "&Tools" not in menu_titles(maria)
    assert services(maria).admin_action is None
    assert not services(maria).import_action.isEnabled()
    assert {"importLeadsAction", "exportAction", "emailSettingsAction", "outboxAction"} <= set(
        file_menu_names(maria)
    )


def test_file_menu_opens_export_and_email_settings(main_window):
    window = main_window("Maria Manager")
    export = services(window).open_export()
    settings = services(window).open_email_settings()
    assert export.objectName() == "exportDialog" and export.isVisible()
    assert settings.objectName() == "emailSettingsDialog" and settings.isVisible()


def test_a_drop_in_the_window_sends_one_email_to_the_new_owner(
    qtbot, main_window, database, monkeypatch
):
    with running_smtp_server() as smtp:
        SmtpSettingsStore().save(
            SmtpSettings(host="127.0.0.1", port=smtp.port, from_address="crm@sales.example")
        )
        window = main_window("Maria Manager")
        # The fixture keeps the sender off; this test wants the real background sender.
        services(window).email_status.email_sender.start()
        index = lead_index(window, "John Smith", "LEAD", "Harbor Logistics renewal")
        pass_with_answers(
            qtbot,
            window,
            lambda: drop_on_target(window, "Jane Doe", [index]),
            note="Café & <b>croissants</b> on Monday",
        )
        qtbot.waitUntil(lambda: len(smtp.handler.messages()) == 1, timeout=20_000)
        qtbot.waitUntil(
            lambda: services(window).email_status.text == "All emails sent", timeout=20_000
        )
        [message] = smtp.handler.messages()
        assert message["To"] == "jane.doe@example.com"
        assert message["Subject"] == "1 lead passed to you by Maria Manager"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Café & <b>croissants</b> on Monday" in text
        assert "Café &amp; &lt;b&gt;croissants&lt;/b&gt; on Monday" in html
        assert "Harbor Logistics renewal" in text
        window.close()


def test_the_window_outbox_lists_the_signed_in_users_own_emails(main_window, qtbot, db_url):
    database = open_database(db_url)
    try:
        maria_id = user_id(database, "Maria Manager")
        # One email to Jane Doe, one to Pat Group.
        pass_all_leads(database, "Sam Field", to_group="Inbound Team")
    finally:
        database.dispose()
    jane = services(main_window("Jane Doe")).email_status.open_outbox()
    qtbot.waitUntil(lambda: not jane.loading and jane.table.rowCount() == 1, timeout=15_000)
    assert [entry.recipient for entry in jane.entries] == ["jane.doe@example.com"]
    jane.close()
    maria = services(main_window("Maria Manager")).email_status.email_sender
    assert maria.recipient_id == maria_id
    admin = services(main_window("Ada Admin")).email_status.open_outbox()
    qtbot.waitUntil(lambda: admin.table.rowCount() == 2, timeout=15_000)


def test_help_about_names_version_qt_python_and_the_database(
    main_window, database, backend, memory_keyring
):
    import platform
    import tomllib
    from pathlib import Path

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QLabel

    window = main_window("Maria Manager")
    help_menu = window.menuBar().actions()[-1].menu()
    assert window.menuBar().actions()[-1].text() == "&Help"
    about = next(a for a in help_menu.actions() if a.objectName() == "aboutAction")
    assert about.text() == "&About LeadDesk"
    about.trigger()
    dialog = services(window).dialogs["about"]
    assert dialog.objectName() == "aboutDialog" and dialog.isVisible()
    assert dialog.windowTitle() == "About LeadDesk"

    def value(name: str) -> str:
        label = dialog.findChild(QLabel, name)
        assert label is not None, name
        return label.text()

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    version = tomllib.loads(pyproject.read_text())["project"]["version"]
    assert value("versionValue") == version
    assert value("qtValue") == f"{qVersion()} (PySide6 {pyside_version})"
    assert value("pythonValue").startswith(platform.python_version() + " ")
    kind = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
    assert value("databaseValue") == f"{kind}: {database.display_url}"
    assert value("keyringValue") == memory_keyring.name
    assert services(window).open_about() is dialog  # one dialog, raised again
    dialog.close()
