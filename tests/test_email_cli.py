"""``leaddesk outbox`` / ``outbox send`` / ``outbox retry`` against a loopback SMTP server."""

from __future__ import annotations

import io
import json

import pytest

from leaddesk.cli import main
from leaddesk.notify.smtp_settings import KEYRING_SMTP_SERVICE, SmtpSettings, SmtpSettingsStore
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from tests.helpers.demo_names import user_id
from tests.helpers.smtp_server import free_port, make_tls, password_checker, running_smtp_server


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def queued(database):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, "John Smith")),
            target=Target.user(user_id(database, "Jane Doe")),
            note="Over to you",
        )
    return database


def _flags(port):
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--from", "crm@sales.example"]


def _list_json(db_url, capsys):
    capsys.readouterr()
    assert main(["outbox", "--json", "--db", db_url, "--as", "Ada Admin"]) == 0
    return json.loads(capsys.readouterr().out)


def test_send_prints_counts_and_the_list_shows_sent(queued, db_url, smtp, capsys):
    code = main(["outbox", "send", "--db", db_url, *_flags(smtp.port)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip() == "1 sent, 0 retried, 0 failed"
    [message] = smtp.handler.messages()
    assert message["Subject"] == "3 leads passed to you by Maria Manager"
    assert "crm@sales.example" in message["From"]
    [row] = _list_json(db_url, capsys)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert row["sent_at"] is not None


def test_plain_outbox_lists_status_and_last_error(queued, db_url, capsys):
    code = main(["--db", db_url, "outbox", "send", *_flags(free_port())])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.strip() == "0 sent, 1 retried, 0 failed"
    assert "refused the connection" in captured.err
    assert main(["outbox", "--db", db_url, "--as", "Ada Admin"]) == 0
    table = capsys.readouterr().out
    assert "jane.doe@example.com" in table
    assert "queued" in table
    assert "refused the" in table
    assert main(["outbox", "--db", db_url, "--as", "Ada Admin", "--status", "failed"]) == 0
    assert capsys.readouterr().out.strip() == "The outbox is empty."


def test_stored_settings_are_used_and_flags_override_them(queued, db_url, smtp, capsys):
    SmtpSettingsStore().save(
        SmtpSettings(host="127.0.0.1", port=smtp.port, from_address="stored@sales.example")
    )
    assert main(["outbox", "send", "--db", db_url]) == 0
    assert "stored@sales.example" in smtp.handler.messages()[0]["From"]
    assert smtp.handler.received[0].mail_from == "stored@sales.example"


def test_send_logs_in_over_starttls_with_keyring_password(
    queued, db_url, tmp_path, memory_keyring, capsys
):
    tls = make_tls(tmp_path)
    with running_smtp_server(
        tls_context=tls.server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=password_checker("mailer", "s3cret"),
    ) as server:
        memory_keyring.set_password(KEYRING_SMTP_SERVICE, "mailer@127.0.0.1", "s3cret")
        args = [
            "outbox",
            "send",
            "--db",
            db_url,
            *_flags(server.port),
            "--smtp-security",
            "starttls",
            "--smtp-user",
            "mailer",
            "--smtp-ca-file",
            str(tls.ca_file),
        ]
        assert main(args) == 0
        assert capsys.readouterr().out.strip() == "1 sent, 0 retried, 0 failed"
        assert server.handler.received[0].login == "mailer"


def test_password_prompt_only_at_a_terminal(queued, db_url, smtp, monkeypatch, capsys):
    asked = []

    def fake_getpass(prompt):
        asked.append(prompt)
        return "typed"

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    # Not a terminal: no prompt; the login fails for want of a password and the row waits.
    assert main(["outbox", "send", "--db", db_url, *_flags(smtp.port), "--smtp-user", "u"]) == 1
    assert asked == []
    assert "No password is stored for the SMTP user u" in capsys.readouterr().err

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal(""))
    main(["outbox", "send", "--db", db_url, *_flags(smtp.port), "--smtp-user", "u"])
    assert asked == ["SMTP password for u@127.0.0.1: "]


def test_retry_requeues_failed_rows_and_refuses_others(queued, db_url, smtp, capsys):
    smtp.handler.refuse = {"jane.doe@example.com"}
    assert main(["outbox", "send", "--db", db_url, *_flags(smtp.port)]) == 1
    [row] = _list_json(db_url, capsys)
    assert row["status"] == "failed"
    assert row["last_error"].startswith("550 5.1.1")

    assert main(["outbox", "retry", "--db", db_url, "--id", "999"]) == 1
    assert "no email 999" in capsys.readouterr().err
    assert main(["outbox", "retry", "--db", db_url, "--id", str(row["id"])]) == 0
    assert capsys.readouterr().out.strip() == "1 failed email queued again."
    assert main(["outbox", "retry", "--db", db_url, "--id", str(row["id"])]) == 1
    assert "Only failed emails can be retried" in capsys.readouterr().err

    smtp.handler.refuse = set()
    assert main(["outbox", "send", "--db", db_url, *_flags(smtp.port)]) == 0
    assert [r["status"] for r in _list_json(db_url, capsys)] == ["sent"]


def test_bad_flags_give_one_line_errors(db_url, capsys):
    code = main(["outbox", "send", "--db", db_url, "--smtp-port", "70000"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.strip() == "leaddesk: error: SMTP port 70000 is not between 1 and 65535."
