"""One version string (pyproject.toml's), ``leaddesk --version`` and ``leaddesk about``, and
the keyring check: where no keyring works, storing a password is one line, not a traceback."""

from __future__ import annotations

import getpass
import json
import platform
import tomllib
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null
from sqlalchemy.engine import make_url

from leaddesk import cli
from leaddesk.about import NO_KEYRING, app_version
from leaddesk.errors import LeadDeskError
from leaddesk.store.database import store_db_password

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PG_URL = "postgresql+psycopg://ann@db.example:5433/sales"


def pyproject_version() -> str:
    return tomllib.loads(PYPROJECT.read_text())["project"]["version"]


def test_the_version_is_the_one_in_pyproject():
    assert app_version() == pyproject_version()


def test_version_option_prints_it_and_exits(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"LeadDesk {pyproject_version()}\n"


def test_about_names_version_python_qt_database_and_keyring(tmp_path, memory_keyring, capsys):
    from PySide6 import __version__ as pyside_version

    db_file = tmp_path / "about.sqlite3"
    assert cli.main(["about", "--db", str(db_file), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts == {
        "version": pyproject_version(),
        "python": facts["python"],
        "qt": pyside_version,
        "database": str(db_file),
        "keyring": memory_keyring.name,
        "frozen": False,
    }
    assert facts["python"].startswith(platform.python_version() + " (CPython")
    assert not db_file.exists(), "about must not create or open the database"

    assert cli.main(["about", "--db", str(db_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"LeadDesk {pyproject_version()}"
    assert f"Database {db_file}" in lines
    assert f"Keyring  {memory_keyring.name}" in lines


def test_about_never_shows_a_database_password(capsys):
    assert cli.main(["about", "--db", "postgresql://ann:s3cret@db.example/sales"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out
    assert "Database postgresql+psycopg://ann@db.example/sales" in out


@pytest.mark.parametrize("backend_class", [fail.Keyring, null.Keyring])
def test_without_a_working_keyring_about_says_so(backend_class, capsys):
    keyring.set_keyring(backend_class())
    assert cli.main(["about", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["keyring"] == NO_KEYRING


def test_without_a_keyring_db_password_is_one_line_and_asks_nothing(monkeypatch, capsys):
    keyring.set_keyring(fail.Keyring())

    def no_prompt(_prompt=""):
        raise AssertionError("asked for a password that could not be kept")

    monkeypatch.setattr(getpass, "getpass", no_prompt)
    assert cli.main(["db", "password", "--db", PG_URL]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("leaddesk: error: No system keyring is available")
    assert captured.err.count("\n") == 1


def test_a_keyring_that_refuses_to_store_is_a_leaddesk_error(memory_keyring, monkeypatch):
    def refuse(_service, _account, _password):
        raise keyring.errors.KeyringLocked("the collection is locked")

    monkeypatch.setattr(memory_keyring, "set_password", refuse)
    with pytest.raises(LeadDeskError, match="refused to store the password: the collection"):
        store_db_password(make_url(PG_URL), "pw")
    assert memory_keyring.secrets == {}
