"""``leaddesk db info``: the database in use (never its password), schema revision, counts and
size, and the settings files and keyring entries LeadDesk uses. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leaddesk.local_files import window_settings_location
from leaddesk.notify.smtp_settings import SmtpSettings, SmtpSettingsStore
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.store.database import keyring_account
from leaddesk.store.migrate import SCHEMA_HEAD
from tests.helpers.cli_run import run
from tests.helpers.demo_names import user_id


def info_json(capsys, db_url):
    code, out, err = run(capsys, "--db", db_url, "db", "info", "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def test_db_info_reports_the_database_its_schema_counts_and_size(db_url, database, capsys):
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.all_of_user(user_id(database, "John Smith")),
            target=Target.user(user_id(database, "Jane Doe")),
        )
    info = info_json(capsys, db_url)["database"]
    assert info["exists"] is True
    assert info["revision"] == SCHEMA_HEAD
    assert info["schema_current"] is True
    assert info["counts"] == {"users": 8, "active_users": 8, "leads": 19, "pass_batches": 1}
    assert info["outbox"] == {"queued": 1}
    assert info["size_bytes"] > 10_000
    assert info["chosen_by"] == "--db"
    code, out, _err = run(capsys, "--db", db_url, "db", "info")
    assert code == 0
    assert f"  schema     revision {SCHEMA_HEAD}, current" in out
    assert "  contents   8 users (8 active), 19 leads, 1 pass batches" in out
    assert "  outbox     1 queued" in out


@pytest.mark.parametrize("backend", ["postgresql"])  # a SQLite file has no login or password
def test_a_server_database_is_shown_without_its_password_and_its_keyring_entry_named(
    db_url, database, capsys, memory_keyring
):
    url = make_url(db_url)
    with_password = url.set(password="s3cret-Pa55").render_as_string(hide_password=False)
    result = info_json(capsys, with_password)
    assert "s3cret-Pa55" not in json.dumps(result)
    assert result["database"]["location"].startswith(f"postgresql+psycopg://{url.username}@")
    assert result["keyring"] == [
        {
            "service": "LeadDesk database",
            "account": keyring_account(url),
            "state": "no password stored (the database password)",
        }
    ]
    keyring.set_password("LeadDesk database", keyring_account(url), "kept-in-keyring")
    code, out, err = run(capsys, "--db", db_url, "db", "info")
    assert (code, err) == (0, "")
    assert f"  LeadDesk database / {keyring_account(url)}: the database password is stored" in out
    assert "kept-in-keyring" not in out
    assert "  kind       PostgreSQL server, given with --db" in out


def test_an_older_schema_is_reported_not_upgraded(db_url, database, capsys):
    with database.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    info = info_json(capsys, db_url)["database"]
    assert (info["revision"], info["schema_current"]) == ("0000", False)
    code, out, _err = run(capsys, "--db", db_url, "db", "info")
    assert code == 0
    assert f"revision 0000, older than {SCHEMA_HEAD}: run 'leaddesk db upgrade'" in out
    with database.read() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == "0000"


def test_a_missing_file_is_reported_not_created(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "nowhere" / "leaddesk.sqlite3"
    monkeypatch.setenv("LEADDESK_DB", str(missing))
    code, out, err = run(capsys, "db", "info")
    assert (code, err) == (0, "")
    assert f"  location   {missing}" in out
    assert "  kind       SQLite file, from $LEADDESK_DB" in out
    assert "does not exist yet" in out
    assert not missing.parent.exists()


def test_settings_files_and_the_smtp_keyring_entry(db_url, capsys, memory_keyring):
    store = SmtpSettingsStore()
    store.save(SmtpSettings(host="smtp.example.com", user="mailer", from_address="ld@example.com"))
    result = info_json(capsys, db_url)
    assert result["settings"]["email"] == str(store.path)
    assert result["settings"]["email_exists"] is True
    assert result["settings"]["window"] == window_settings_location()
    smtp = [entry for entry in result["keyring"] if entry["service"] == "LeadDesk SMTP"]
    assert smtp == [
        {
            "service": "LeadDesk SMTP",
            "account": "mailer@smtp.example.com",
            "state": "no password stored (the SMTP password)",
        }
    ]


def test_the_window_settings_location_is_where_qt_keeps_them(tmp_path):
    """Asked of Qt itself, in a fresh interpreter (Qt caches the location per process)."""
    env = {key: value for key, value in os.environ.items() if key != "LEADDESK_SETTINGS_FILE"}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    script = (
        "from leaddesk.ui.common.settings import app_settings\n"
        "from leaddesk.local_files import window_settings_location\n"
        "print(app_settings().fileName()); print(window_settings_location())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    qt_says, we_say = done.stdout.splitlines()
    assert qt_says == we_say == str(tmp_path / "config" / "LeadDesk" / "LeadDesk.conf")
    assert window_settings_location("win32") == (
        r"HKEY_CURRENT_USER\Software\LeadDesk\LeadDesk (registry)"
    )
    assert window_settings_location("darwin") == str(
        Path.home() / "Library" / "Preferences" / "com.leaddesk.LeadDesk.plist"
    )
