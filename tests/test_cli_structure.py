"""The command table in ``leaddesk.cli`` against the modules' real parsers, and that a command
loads only what it needs: its own module, and no Alembic, Qt or keyring on a database whose
schema is current (each check in a fresh interpreter, where ``sys.modules`` is clean)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from leaddesk import cli


def _registered(module_name: str) -> list[tuple[str, str]]:
    """(name, help) of each top-level command the module's register() adds, in order."""
    subparsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(f"leaddesk.cli.{module_name}").register(subparsers)
    helps = {action.dest: action.help for action in subparsers._choices_actions}
    return [(name, helps[name]) for name in subparsers.choices]


def test_the_command_table_lists_exactly_what_the_modules_register():
    command_modules = {
        info.name
        for info in pkgutil.iter_modules(cli.__path__)
        if hasattr(importlib.import_module(f"leaddesk.cli.{info.name}"), "register")
    }
    assert {entry.module for entry in cli.COMMANDS} == command_modules
    for module_name in sorted(command_modules):
        table_rows = [(c.name, c.help) for c in cli.COMMANDS if c.module == module_name]
        assert table_rows == _registered(module_name), module_name
    # One module's rows are together, so --help lists each module's commands as one run.
    modules_in_order = [entry.module for entry in cli.COMMANDS]
    runs = [m for i, m in enumerate(modules_in_order) if i == 0 or modules_in_order[i - 1] != m]
    assert len(runs) == len(set(runs))


# Importing any of these costs a tenth of a second or more; none is needed to list leads.
HEAVY_FOR_A_COMMAND = {"alembic", "PySide6", "keyring"}


def _env() -> dict[str, str]:
    # The null keyring answers "no password" without touching the machine's real keyring.
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def _run_and_list_loaded(args: list[str]) -> dict:
    """Run ``leaddesk ARGS`` in a new interpreter; its output, exit code and loaded modules."""
    script = (
        "import contextlib, io, json, sys\n"
        "from leaddesk.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
        "    try:\n"
        f"        code = main({args!r})\n"
        "    except SystemExit as exit_:\n"
        "        code = exit_.code\n"
        "print(json.dumps({'code': code, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=_env(), check=True
    )
    return json.loads(done.stdout)


def _command_modules(modules: list[str]) -> set[str]:
    return {m for m in modules if m.startswith("leaddesk.cli.") and m.endswith("_commands")}


def test_help_lists_every_command_without_loading_any_or_sqlalchemy():
    result = _run_and_list_loaded(["--help"])
    assert result["code"] == 0
    # A command's row is indented by four; the usage's second line and wrapped help by more.
    listed = [line.split()[0] for line in result["out"].splitlines() if re.match(r"    \S", line)]
    assert listed == [entry.name for entry in cli.COMMANDS]
    assert _command_modules(result["modules"]) == set()
    assert "sqlalchemy" not in result["modules"]


@pytest.mark.parametrize("command", [entry for entry in cli.COMMANDS], ids=lambda c: c.name)
def test_a_commands_help_is_its_real_one_and_loads_only_its_module(command):
    result = _run_and_list_loaded([command.name, "--help"])
    assert result["code"] == 0, result["out"]
    assert result["out"].startswith(f"usage: leaddesk {command.name} [-h]")
    assert _command_modules(result["modules"]) == {f"leaddesk.cli.{command.module}"}


def _with_password(db_url: str) -> str:
    """The test cluster trusts every local login, so any password in the URL works."""
    return make_url(db_url).set(password="in-the-url").render_as_string(hide_password=False)


def test_leads_on_a_current_schema_loads_no_alembic_qt_or_keyring(db_url):
    if make_url(db_url).get_backend_name() == "postgresql":
        db_url = _with_password(db_url)
    result = _run_and_list_loaded(["--db", db_url, "leads", "--as", "Maria Manager", "--json"])
    assert result["code"] == 0, result["out"]
    assert len(json.loads(result["out"])) == 12
    assert HEAVY_FOR_A_COMMAND & set(result["modules"]) == set()
    # Listing reads: the controller, its rules and the undo rules stay unloaded, and with
    # --db naming a file in an existing folder nobody asks where the per-user folder is.
    assert [m for m in result["modules"] if m.startswith("leaddesk.reassignment")] == []
    assert "platformdirs" not in result["modules"]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_server_login_that_needs_no_password_never_loads_keyring(db_url):
    """The test cluster trusts its loopback logins: the keyring is asked only when a server
    wants a password (tests/test_keyring_when_asked.py), so keyring is never imported."""
    result = _run_and_list_loaded(["--db", db_url, "leads", "--as", "Maria Manager", "--json"])
    assert result["code"] == 0, result["out"]
    assert HEAVY_FOR_A_COMMAND & set(result["modules"]) == set()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_looking_in_the_keyring_starts_no_other_program(db_url, tmp_path):
    """keyring's own choice of backend (none configured, no keyring service running), as a
    user gets it: on Linux it would start ldconfig and the C compiler to look for macOS's
    libraries (jaraco/keyring#403). A password lookup starts no program at all."""
    script = (
        "import json, sys\n"
        "started = []\n"
        "sys.addaudithook(lambda event, args: event == 'subprocess.Popen'"
        " and started.append(str(args[0])))\n"
        "from sqlalchemy.engine import make_url\n"
        "from leaddesk.store.database import with_keyring_password\n"
        f"with_keyring_password(make_url({db_url!r}))\n"
        "print(json.dumps({'code': 0, 'started': started,"
        " 'keyring': 'keyring' in sys.modules}))\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")
    }
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no keyringrc.cfg choosing a backend
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(done.stdout)
    assert result == {"code": 0, "started": [], "keyring": True}


def test_the_program_collects_garbage_again_once_a_command_is_parsed(db_url):
    """``run`` pauses the collector for start-up; by the time the command runs it is on again
    and what start-up built is frozen. In-process callers of ``main`` keep their collector."""
    leads = ["--db", db_url, "leads", "--as", "Maria Manager"]
    script = (
        "import contextlib, gc, io\n"
        "from leaddesk import cli, startup\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    cli.main({leads!r})\n"
        "    untouched = (gc.isenabled(), gc.get_freeze_count())\n"
        "    startup.pause_collection()\n"
        "    paused = gc.isenabled()\n"
        f"    cli.main({leads!r})\n"
        "print(untouched == (True, 0), paused, gc.isenabled(), gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=_env(), check=True
    )
    assert done.stdout.split() == ["True", "False", "True", "True"]


def test_the_window_paints_without_alembic_keyring_or_smtp(db_url, tmp_path):
    if make_url(db_url).get_backend_name() == "postgresql":
        db_url = _with_password(db_url)
    shot = tmp_path / "shot.png"
    result = _run_and_list_loaded(
        ["--db", db_url, "--as", "Maria Manager", "--screenshot", str(shot)]
    )
    assert result["code"] == 0, result["out"]
    assert shot.stat().st_size > 0
    assert {"alembic", "keyring", "smtplib"} & set(result["modules"]) == set()
