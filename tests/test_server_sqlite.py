"""A SQLite file has no server mode: the controller's checks are its only wall."""

from __future__ import annotations

from leaddesk.cli import main


def test_setup_and_logins_are_for_servers_not_sqlite_files(tmp_path, capsys):
    path = str(tmp_path / "local.sqlite3")
    assert main(["demo", "--db", path]) == 0
    capsys.readouterr()
    assert main(["server", "setup", "--db", path]) == 1
    assert "a SQLite file belongs to whoever can open it" in capsys.readouterr().err
    assert main(["user", "set", "Maria Manager", "--db-login", "maria", "--db", path,
                 "--as", "Ada Admin"]) == 1  # fmt: skip
    assert "a SQLite file has none" in capsys.readouterr().err
