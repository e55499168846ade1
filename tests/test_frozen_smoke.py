"""The frozen program (``python packaging/build.py`` first) works for a desktop user, not
only builds: run with no Python environment on its PATH, no PYTHONPATH and a home of its
own, it tells its version, makes the demo data in a new SQLite file (migrations from inside
the bundle), lists and passes leads, renders the window, passes a lead on PostgreSQL,
sends the outbox over SMTP, and finds a keyring (or says in one line that none works).

Marked ``frozen``: deselected from ``pytest``; ``.ci/run`` runs ``pytest -m frozen`` after
the build. ``LEADDESK_FROZEN_CLI`` may point at another build's executable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from leaddesk.store.database import KEYRING_DB_SERVICE, keyring_account
from tests.helpers.secret_service import (
    missing_programs,
    secret_service_session,
    stored_secret,
)
from tests.helpers.smtp_server import running_smtp_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
from bundle_settings import cli_executable, desktop_env  # noqa: E402

pytestmark = pytest.mark.frozen

MARIA = "Maria Manager"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(scope="module")
def frozen_cli() -> Path:
    path = Path(os.environ.get("LEADDESK_FROZEN_CLI") or cli_executable())
    if not path.is_file():
        pytest.fail(f"no frozen build at {path}; run 'python packaging/build.py' first")
    return path


class Desktop:
    """Runs the frozen program as a desktop user would, in a home of its own."""

    def __init__(self, cli: Path, home: Path) -> None:
        self.cli = cli
        self.home = home
        self.env = desktop_env(home)

    def run(self, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(self.cli), *args],
            capture_output=True,
            text=True,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            env={**self.env, **env},
            cwd=self.home,
            timeout=180,
            # No controlling terminal, as when started from a desktop menu.
            start_new_session=True,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def ok(self, *args: str, **env: str) -> str:
        done = self.run(*args, **env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def json(self, *args: str, **env: str) -> object:
        return json.loads(self.ok(*args, "--json", **env))


@pytest.fixture
def desktop(frozen_cli: Path, tmp_path: Path) -> Desktop:
    home = tmp_path / "home"
    home.mkdir()
    return Desktop(frozen_cli, home)


def test_the_environment_has_no_python(desktop):
    assert "PYTHONPATH" not in desktop.env and "VIRTUAL_ENV" not in desktop.env
    for folder in desktop.env["PATH"].split(os.pathsep):
        assert ".venv" not in folder and not (Path(folder) / "pyvenv.cfg").exists()


def test_version_and_about(desktop):
    from PySide6 import __version__ as pyside_version

    assert desktop.ok("--version") == f"LeadDesk {VERSION}\n"
    facts = desktop.json("about")
    assert facts["version"] == VERSION
    assert facts["frozen"] is True
    assert facts["qt"] == pyside_version
    # The per-user database lives in the user's data folder, not beside the program.
    assert facts["database"].startswith(str(desktop.home))


def pass_a_lead_and_check(desktop: Desktop, db: str) -> int:
    """Demo data into an empty database, then Maria passes one of Jane's leads to Sam."""
    assert desktop.json("demo", "--db", db) == {"users": 8, "leads": 19, "created": True}
    leads = desktop.json("leads", "--db", db, "--as", MARIA)
    janes = [lead for lead in leads if lead["owner"] == "Jane Doe"]
    assert len(leads) > len(janes) > 0
    lead_id = janes[0]["id"]
    result = desktop.json(
        "pass", "--db", db, "--as", MARIA, "--lead", str(lead_id),
        "--to-user", "Sam Field", "--note", "Yours from the frozen build",
    )  # fmt: skip
    assert (result["moved"], result["target"]) == (1, "Sam Field")
    sams = desktop.json("leads", "--db", db, "--as", MARIA, "--owner", "Sam Field")
    assert lead_id in [lead["id"] for lead in sams]
    history = json.dumps(desktop.json("history", "--db", db, "--as", MARIA, "--lead", str(lead_id)))
    assert "Yours from the frozen build" in history
    return lead_id


def test_sqlite_demo_pass_and_outbox_over_smtp(desktop):
    db = str(desktop.home / "new-office.sqlite3")
    pass_a_lead_and_check(desktop, db)
    with running_smtp_server() as smtp:
        out = desktop.ok(
            "outbox", "send", "--db", db, "--smtp-host", "127.0.0.1",
            "--smtp-port", str(smtp.port), "--smtp-security", "none",
            "--from", "leaddesk@sales.example",
        )  # fmt: skip
        received = smtp.handler.to("sam.field@example.com")
    assert "1 sent" in out or "sent 1" in out.lower(), out
    assert len(received) == 1
    assert "Yours from the frozen build" in received[0].get_body(("plain",)).get_content()
    # The outbox lists every row only for an administrator.
    outbox = desktop.json("outbox", "--db", db, "--as", "Ada Admin")
    assert [row["status"] for row in outbox] == ["sent"]


def test_postgresql_demo_and_pass(desktop, postgres_factory):
    if postgres_factory is None:
        if os.environ.get("LEADDESK_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL is required (LEADDESK_REQUIRE_PG=1) but not available")
        pytest.skip("no PostgreSQL server binaries and no LEADDESK_TEST_PG_URL")
    url = postgres_factory.create(demo=False)
    try:
        pass_a_lead_and_check(desktop, url)
    finally:
        postgres_factory.drop(url)


def test_screenshot_shows_the_window_with_its_icons(desktop):
    from PySide6.QtGui import QColor, QImage

    db = str(desktop.home / "shot.sqlite3")
    desktop.ok("demo", "--db", db)
    shot = desktop.home / "window.png"
    assert desktop.ok("--db", db, "--as", MARIA, "--screenshot", str(shot)) == f"wrote {shot}\n"
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1180, 720)
    colours: dict[int, int] = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            rgb = image.pixel(x, y) & 0xFFFFFF
            colours[rgb] = colours.get(rgb, 0) + 1
    assert len(colours) > 100, "the picture is nearly blank"
    # The tree's painted icons: users (#3d5a80) and the LEAD status dot (#2f6fde).
    for name in ("#3d5a80", "#2f6fde"):
        assert colours.get(QColor(name).rgb() & 0xFFFFFF, 0) > 5, f"no {name} icon pixels"


@pytest.mark.skipif(sys.platform != "linux", reason="the Secret Service is Linux's keyring")
def test_a_keyring_is_found_and_keeps_the_database_password(desktop, postgres_factory):
    missing = missing_programs()
    assert not missing, f"install {missing} (Debian: dbus, gnome-keyring; .ci/run does)"
    if postgres_factory is None:
        pytest.skip("no PostgreSQL to store a password for")
    url = postgres_factory.create(demo=False)
    try:
        with secret_service_session(desktop.home) as address:
            bus = {"DBUS_SESSION_BUS_ADDRESS": address}
            assert desktop.json("about", **bus)["keyring"] == "SecretService Keyring"
            done = desktop.run("db", "password", "--db", url, stdin="s3cret-frozen\n", **bus)
            assert done.returncode == 0, done.stderr
            assert "Password stored in the OS keyring" in done.stdout
            assert "s3cret-frozen" not in done.stdout + done.stderr
            account = keyring_account(make_url(url))
            assert stored_secret(address, KEYRING_DB_SERVICE, account) == "s3cret-frozen"
    finally:
        postgres_factory.drop(url)


def test_on_other_systems_the_os_keyring_is_found(desktop):
    if sys.platform == "linux":
        pytest.skip("Linux is checked with a real Secret Service above")
    assert desktop.json("about")["keyring"] != "none available"


def test_without_a_working_keyring_one_line_not_a_traceback(desktop):
    # keyring's own switch selects its 'fail' backend: what a desktop without any keyring gets.
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    assert desktop.json("about", **no_keyring)["keyring"] == "none available"
    done = desktop.run("db", "password", "--db", "postgresql://ann@127.0.0.1:1/sales", **no_keyring)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("leaddesk: error: No system keyring is available")
    assert done.stderr.count("\n") == 1
