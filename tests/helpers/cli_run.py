"""Running ``leaddesk`` in-process in a test: exit code, stdout and stderr."""

from __future__ import annotations

import json

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
