"""What the spec, the build script, the installers and the CI workflow share: names, the
version, where the frozen program's executables are, and the macOS bundle's Info.plist.

Plain Python with no third-party imports, so the spec (run by PyInstaller), ``build.py``
and the tests can all read it.
"""

from __future__ import annotations

import os
import platform
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
GENERATED = ROOT / "build" / "generated"  # icons and the version file made by build.py
INSTALLERS = DIST / "installers"

APP_NAME = "LeadDesk"
BUNDLE_ID = "com.leaddesk.LeadDesk"
PUBLISHER = "LeadDesk"
# The window's executable. On Windows it has no console window, so the commands get a second,
# console executable beside it (Windows file names ignore case: "leaddesk.exe" would clash).
GUI_NAME = "LeadDesk" if sys.platform in ("win32", "darwin") else "leaddesk"
CLI_NAME = "leaddesk-cli"


def project_version() -> str:
    """The one version string, from pyproject.toml (the build's source of truth)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def onefolder_dir() -> Path:
    """The one-folder build: dist/LeadDesk, or the .app bundle on macOS."""
    if sys.platform == "darwin":
        return DIST / f"{APP_NAME}.app"
    return DIST / APP_NAME


def cli_executable(build_dir: Path | None = None) -> Path:
    """The executable that runs ``leaddesk`` commands in a terminal, on this OS."""
    build_dir = build_dir or onefolder_dir()
    if sys.platform == "win32":
        return build_dir / f"{CLI_NAME}.exe"
    if sys.platform == "darwin":
        return build_dir / "Contents" / "MacOS" / APP_NAME
    return build_dir / GUI_NAME


def machine_arch() -> str:
    """x64 or arm64, the words installer names use."""
    machine = platform.machine().lower()
    return {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64"}.get(machine, machine)


def installer_name(version: str) -> str:
    if sys.platform == "win32":
        return f"{APP_NAME}-{version}-windows-{machine_arch()}-setup.exe"
    if sys.platform == "darwin":
        return f"{APP_NAME}-{version}-macos-{machine_arch()}.dmg"
    return f"{APP_NAME}-{version}-linux-{machine_arch()}.tar.gz"


def info_plist(version: str) -> dict[str, object]:
    """Info.plist keys of LeadDesk.app beyond those PyInstaller writes itself."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundlePackageType": "APPL",
        "LSApplicationCategoryType": "public.app-category.business",
        "LSMinimumSystemVersion": "12.0",
        # Sharp text and icons on Retina screens; Qt then follows the display's scale.
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,
        "NSHumanReadableCopyright": f"© {PUBLISHER}",
    }


MACOS_IDENTITY_ENV = "LEADDESK_MACOS_SIGN_IDENTITY"


def macos_identity() -> str | None:
    """The Developer ID Application identity to sign with, if one is given."""
    return os.environ.get(MACOS_IDENTITY_ENV) or None


def desktop_env(home: Path) -> dict[str, str]:
    """How a desktop user starts the frozen program: the system's PATH only (no Python, no
    virtual environment), no PYTHONPATH, a home of its own, offscreen Qt."""
    if sys.platform == "win32":
        system_root = os.environ.get("SYSTEMROOT", r"C:\Windows")
        path = os.pathsep.join([rf"{system_root}\System32", system_root])
    else:
        path = "/usr/bin:/bin"
    env = {
        "PATH": path,
        "HOME": str(home),
        "USERPROFILE": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    # Windows cannot start a process without some of these; they name no Python.
    for name in ("SYSTEMROOT", "TEMP", "TMP", "LOCALAPPDATA", "APPDATA"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env
