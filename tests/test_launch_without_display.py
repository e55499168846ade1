"""Opening the window where there is no desktop display: one clear line, not a Qt abort."""

from __future__ import annotations

import sys

import pytest

from leaddesk.cli import main


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="always has a display")
def test_window_without_a_display_says_so_and_exits_1(db_url, monkeypatch, capsys):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--db", db_url, "--as", "Maria Manager"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "No desktop display was found" in err[0]
