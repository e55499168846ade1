"""The steps of the installers workflow (.github/workflows/installers.yml) that are not the
build itself, as one script that runs the same on a CI runner and here (.ci/run uses it):

    python packaging/ci_steps.py system-packages   # Linux: what Qt and the keyring test need
    python packaging/ci_steps.py install           # the project with its test and build extras
    python packaging/ci_steps.py smoke             # the frozen smoke test on dist/
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Debian/Ubuntu packages: the libraries Qt's platform plugins load, and a D-Bus session bus
# with GNOME Keyring for the frozen test's real Secret Service. (program or library, package)
LINUX_NEEDS = [
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("dbus-daemon", "dbus-daemon"),
    ("gnome-keyring-daemon", "gnome-keyring"),
]


def _present(need: str) -> bool:
    if ".so" not in need:
        return shutil.which(need) is not None
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    return need in listing


def system_packages() -> None:
    if not sys.platform.startswith("linux"):
        print("ci: no system packages needed on this OS")
        return
    missing = sorted({package for need, package in LINUX_NEEDS if not _present(need)})
    if not missing:
        print("ci: system packages present")
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


def install() -> None:
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "-e", ".[test,build]"], check=True, cwd=ROOT)


def smoke() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if sys.platform.startswith("linux"):
        # Linux runners (and this machine) have PostgreSQL server binaries: no skipping.
        env["LEADDESK_REQUIRE_PG"] = "1"
    command = [sys.executable, "-m", "pytest", "-m", "frozen", "tests/test_frozen_smoke.py"]
    sys.exit(subprocess.run(command, cwd=ROOT, env=env).returncode)


STEPS = {"system-packages": system_packages, "install": install, "smoke": smoke}


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in STEPS:
        sys.exit(f"usage: python packaging/ci_steps.py {{{','.join(STEPS)}}}")
    STEPS[argv[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
