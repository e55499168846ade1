"""Pictures: ``--screenshot`` prints only its result, and ``docs/screenshots.py`` writes every
step of the pass flow from the demo data (each in a fresh process, as a person runs them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from leaddesk.ui.main.main_window import home_short

ROOT = Path(__file__).resolve().parents[2]
LEADDESK = [sys.executable, "-m", "leaddesk"]
PICTURES = [
    "main-window.png",
    "main-window-dark.png",
    "drag-valid.png",
    "drag-invalid.png",
    "drag-status.png",
    "drag-valid-dark.png",
    "drag-invalid-dark.png",
    "confirm.png",
    "note.png",
    "done.png",
    "lead-pass-tab.png",
    "bucket-assign.png",
    "administration.png",
    "email-settings.png",
]


def desktop_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)  # the commands choose offscreen themselves
    env["LEADDESK_SETTINGS_FILE"] = str(tmp_path / "settings.ini")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def test_screenshot_prints_nothing_but_the_result(db_url, tmp_path: Path):
    path = tmp_path / "shot.png"
    done = subprocess.run(
        [*LEADDESK, "--db", db_url, "--as", "Maria Manager", "--screenshot", str(path)],
        capture_output=True,
        text=True,
        env=desktop_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr, done.stdout) == (0, "", f"wrote {path}\n")
    assert not QImage(str(path)).isNull()


@pytest.mark.skipif(sys.platform == "win32", reason="the script sets HOME for its scratch folder")
def test_docs_screenshots_writes_every_step_cleanly(tmp_path: Path):
    out = tmp_path / "pictures"
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "screenshots.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        env=desktop_env(tmp_path),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert sorted(path.name for path in out.iterdir()) == sorted(PICTURES)
    images = {name: QImage(str(out / name)) for name in PICTURES}
    assert all(not image.isNull() and image.width() > 200 for image in images.values())
    # Dark means dark: the owner tree's background, sampled low in the window.
    light, dark = images["main-window.png"], images["main-window-dark.png"]
    spot = (200, light.height() - 120)
    assert light.pixelColor(*spot).lightness() > 200
    assert dark.pixelColor(*spot).lightness() < 80
    # The valid and the invalid drag differ (the filled row, the header line).
    assert images["drag-valid.png"] != images["drag-invalid.png"]


def test_the_status_bar_shortens_the_home_folder(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert home_short(str(tmp_path / "leaddesk.db")) == "~/leaddesk.db"
    assert home_short("/srv/shared/leaddesk.db") == "/srv/shared/leaddesk.db"
    assert home_short("postgresql+psycopg://maria@dbhost/leaddesk") == (
        "postgresql+psycopg://maria@dbhost/leaddesk"
    )
