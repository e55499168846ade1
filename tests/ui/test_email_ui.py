"""Email in the window: the settings dialog and the status-bar sender, with a real SMTP server."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer
from sqlalchemy import update

from leaddesk.admin.bucket_rules import set_waiting_limit
from leaddesk.notify.smtp_settings import (
    KEYRING_SMTP_SERVICE,
    Security,
    SmtpSettings,
    SmtpSettingsStore,
)
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.store.bucket_rules import BucketKey
from leaddesk.store.models import Lead, utc_now
from leaddesk.ui.email.email_status import EmailStatus
from leaddesk.ui.email.settings_dialog import EmailSettingsDialog
from tests.helpers.demo_names import office_id, user_id
from tests.helpers.engine_checks import pass_all_leads
from tests.helpers.smtp_server import free_port, running_smtp_server

# The offscreen platform says this when a top-level window is shown; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LONG = 3_600_000  # the periodic timer never fires during a test unless it asks


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def store():
    return SmtpSettingsStore()


@pytest.fixture
def make_status(qtbot):
    made: list[EmailStatus] = []

    def make(database, **options):
        options.setdefault("interval_ms", LONG)
        options.setdefault("delay_ms", 10)
        status = EmailStatus(database, **options)
        qtbot.addWidget(status)
        made.append(status)
        status.show()
        return status

    yield make
    for status in made:
        assert status.shutdown(30_000)
        if status.dialog is not None:
            status.dialog.close()


def _pass(database, owner="John Smith", to="Jane Doe"):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, owner)),
            target=Target.user(user_id(database, to)),
            note="Handled by the window test",
        )


def _save_server(store, port, **changes):
    settings = SmtpSettings(host="127.0.0.1", port=port, from_address="crm@sales.example")
    store.save(settings.with_overrides(**changes))


# --- settings dialog -------------------------------------------------------------------


def test_settings_dialog_saves_fields_and_puts_the_password_in_the_keyring(
    qtbot, store, memory_keyring, tmp_path
):
    dialog = EmailSettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.objectName() == "emailSettingsDialog"
    assert (dialog.host.text(), dialog.port.value()) == ("localhost", 25)
    assert dialog.from_address.text() == "leaddesk@localhost"

    dialog.host.setText("smtp.example.com")
    dialog.security.setCurrentIndex(dialog.security.findData("starttls"))
    assert dialog.port.value() == 587  # followed the usual port of STARTTLS
    dialog.user.setText("mailer")
    dialog.password.setText("top-secret-pw")
    dialog.from_address.setText("crm@example.com")
    company_ca = tmp_path / "company-ca.pem"
    company_ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    dialog.ca_row.edit.setText(f" {company_ca} ")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    assert dialog.result() == EmailSettingsDialog.DialogCode.Accepted
    saved = store.load()
    assert (saved.host, saved.port, saved.security, saved.user, saved.from_address) == (
        "smtp.example.com",
        587,
        Security.STARTTLS,
        "mailer",
        "crm@example.com",
    )
    assert saved.ca_file == str(company_ca)
    assert memory_keyring.secrets == {
        (KEYRING_SMTP_SERVICE, "mailer@smtp.example.com"): "top-secret-pw"
    }
    raw = store.path.read_text(encoding="utf-8")
    assert "top-secret-pw" not in raw
    assert "password" not in json.loads(raw)

    again = EmailSettingsDialog(store)
    qtbot.addWidget(again)
    assert again.host.text() == "smtp.example.com"
    assert again.security.currentData() == "starttls"
    assert again.user.text() == "mailer"
    assert again.password.text() == "top-secret-pw"
    assert again.ca_row.path() == str(company_ca)

    # Another account: its password is stored, the old one is not left behind.
    again.user.setText("robot")
    again.password.setText("robot-pw")
    again.save()
    assert memory_keyring.secrets == {(KEYRING_SMTP_SERVICE, "robot@smtp.example.com"): "robot-pw"}


def test_settings_dialog_refuses_bad_input_and_stays_open(qtbot, store, memory_keyring):
    dialog = EmailSettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.from_address.setText("no address")
    dialog.save()
    assert dialog.isVisible()
    assert "not an email address" in dialog.error.text()
    dialog.from_address.setText("crm@example.com")
    dialog.password.setText("pw-without-user")
    dialog.save()
    assert dialog.isVisible()
    assert "user name" in dialog.error.text()
    assert not store.path.exists()
    assert memory_keyring.secrets == {}


def test_send_test_email_runs_in_background_and_reaches_the_server(qtbot, store, smtp):
    _save_server(store, smtp.port)
    dialog = EmailSettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.test_address.setText("maria.manager@example.com")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "Test email sent" in dialog.test_result.text(), timeout=15_000)
    assert dialog.test_result.text() == "Test email sent to maria.manager@example.com."
    [received] = smtp.handler.received
    assert received.rcpt_tos == ["maria.manager@example.com"]
    assert received.message["Subject"] == "LeadDesk test email"
    assert dialog.test_button.isEnabled()


def test_send_test_email_reports_a_down_server(qtbot, store):
    _save_server(store, free_port())
    dialog = EmailSettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "not sent" in dialog.test_result.text(), timeout=15_000)
    assert "refused the connection" in dialog.test_result.text()
    assert dialog.wait_idle()


# --- status bar sender -------------------------------------------------------------------


def test_status_shows_waiting_count_then_sends_in_background(
    qtbot, database, store, smtp, make_status
):
    _pass(database)
    _save_server(store, smtp.port)
    status = make_status(database, start=False)
    status.email_sender.refresh()
    qtbot.waitUntil(lambda: status.text == "1 email waiting", timeout=15_000)
    assert smtp.handler.received == []

    status.email_sender.start()
    qtbot.waitUntil(lambda: status.text == "All emails sent", timeout=15_000)
    [message] = smtp.handler.messages()
    assert message["To"] == "jane.doe@example.com"
    assert message["Subject"] == "3 leads passed to you by Maria Manager"


def test_autosend_can_be_switched_off(qtbot, database, store, smtp, make_status, monkeypatch):
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    _pass(database)
    _save_server(store, smtp.port)
    status = make_status(database)
    qtbot.waitUntil(lambda: status.text == "1 email waiting", timeout=15_000)
    assert not status.email_sender.timer.isActive()
    status.notify_pass_done()
    assert not status.email_sender.soon.isActive()
    assert smtp.handler.received == []
    # The outbox's "Send now" still sends on request.
    with qtbot.waitSignal(status.email_sender.run_finished, timeout=15_000):
        status.email_sender.send_now()
    assert len(smtp.handler.received) == 1


def test_notify_pass_done_sends_the_new_pass_soon(qtbot, database, store, smtp, make_status):
    _save_server(store, smtp.port)
    status = make_status(database)
    # The first run (right after start) finds nothing to send.
    qtbot.waitUntil(lambda: status.email_sender.last_report is not None, timeout=15_000)
    assert status.email_sender.last_report.sent == 0
    assert not status.email_sender.sending
    _pass(database, owner="Sam Field", to="John Smith")
    with qtbot.waitSignal(status.email_sender.run_finished, timeout=15_000) as blocker:
        status.notify_pass_done()
    assert blocker.args[0].sent == 1
    assert [m["To"] for m in smtp.handler.messages()] == ["john.smith@example.com"]
    qtbot.waitUntil(lambda: status.text == "All emails sent", timeout=15_000)


def test_window_stays_responsive_while_the_server_is_slow(qtbot, database, store, make_status):
    _pass(database)
    with socket.socket() as silent:  # accepts, never answers: every send waits for the timeout
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        _save_server(store, silent.getsockname()[1], timeout=3)
        status = make_status(database)
        qtbot.waitUntil(lambda: status.email_sender.sending, timeout=5_000)
        ticks = []
        for _ in range(3):
            QTimer.singleShot(0, lambda: ticks.append(status.email_sender.sending))
        # The GUI thread runs its events while the worker waits on the server.
        qtbot.waitUntil(lambda: len(ticks) == 3, timeout=1_000)
        assert ticks == [True, True, True]
        with qtbot.waitSignal(status.email_sender.run_finished, timeout=15_000) as blocker:
            pass
    assert blocker.args[0].retried == 1
    qtbot.waitUntil(lambda: status.text == "1 email waiting", timeout=5_000)
    assert "did not answer within 3 seconds" in status.button.toolTip()


def test_failed_email_shows_in_status_and_outbox_retry_sends_it(
    qtbot, database, store, smtp, make_status
):
    _pass(database)
    _save_server(store, smtp.port)
    smtp.handler.refuse = {"jane.doe@example.com"}
    status = make_status(database)
    qtbot.waitUntil(lambda: status.text == "1 email failed", timeout=15_000)

    status.button.click()
    dialog = status.dialog
    assert dialog is not None and dialog.objectName() == "outboxDialog"
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.loading and dialog.table.rowCount() == 1, timeout=15_000)
    assert dialog.table.item(0, 3).text() == "failed"
    assert dialog.table.item(0, 6).text().startswith("550 5.1.1")
    assert dialog.retry_button.isEnabled()

    smtp.handler.refuse = set()
    dialog.table.selectRow(0)
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: status.text == "All emails sent", timeout=15_000)
    qtbot.waitUntil(lambda: dialog.table.item(0, 3).text() == "sent", timeout=15_000)
    assert [m["To"] for m in smtp.handler.messages()] == ["jane.doe@example.com"]
    assert not dialog.retry_button.isEnabled()


def test_the_outbox_lists_only_the_signed_in_users_emails_unless_administrator(
    qtbot, database, store, make_status, monkeypatch
):
    monkeypatch.setenv("LEADDESK_EMAIL_AUTOSEND", "0")
    # One email to Jane Doe, one to Pat Group.
    pass_all_leads(database, "Sam Field", to_group="Inbound Team")
    jane = make_status(database, recipient_id=user_id(database, "Jane Doe"))
    dialog = jane.open_outbox()
    qtbot.waitUntil(lambda: not dialog.loading and dialog.table.rowCount() == 1, timeout=15_000)
    assert dialog.entries[0].recipient == "jane.doe@example.com"
    administrator = make_status(database)
    everyone = administrator.open_outbox()
    qtbot.waitUntil(lambda: not everyone.loading and everyone.table.rowCount() == 2, timeout=15_000)


def test_the_windows_outbox_tick_queues_and_sends_a_reminder_once(
    qtbot, database, store, smtp, make_status
):
    with database.write() as session:
        set_waiting_limit(
            session, user_id(database, "Ada Admin"), BucketKey(office_id=office_id(database)), 60
        )
        session.execute(
            update(Lead)
            .where(Lead.name == "Walk-in: Corner Florist website")
            .values(updated_at=utc_now() - timedelta(hours=2))
        )
    _save_server(store, smtp.port)
    status = make_status(database, start=False)
    for _tick in range(2):  # the second tick is in the same period: nothing new
        with qtbot.waitSignal(status.email_sender.run_finished, timeout=15_000):
            status.email_sender.send_now()
    [message] = smtp.handler.messages()
    assert message["To"] == "olivia.office@example.com"
    assert message["Subject"] == "Reminder: 1 lead has waited longer than 1 h in Downtown Office"
