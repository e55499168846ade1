"""Running ``leaddesk`` in-process in a test: exit code, stdout and stderr."""

from __future__ import annotations

import json
import shlex

from leaddesk import cli


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``leaddesk ARGS``; returns (exit code, stdout, stderr)."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys, *args: str) -> object:
    """Run ``leaddesk ARGS --json``, which must succeed quietly; returns the parsed output."""
    code, out, err = run(capsys, *args, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def run_line(capsys, db_url: str, command_line: str) -> tuple[int, str, str]:
    """Run ``leaddesk --db URL`` and a command line as a person types it (names in quotes)."""
    return run(capsys, "--db", db_url, *shlex.split(command_line))


def run_refused(capsys, db_url: str, command_line: str) -> str:
    """Run a command line that must be refused: exit code 1, nothing on stdout; returns
    stderr."""
    code, out, err = run_line(capsys, db_url, command_line)
    assert (code, out) == (1, ""), (code, out, err)
    return err
