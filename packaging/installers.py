"""The installer for the OS the build runs on: a .tar.gz on Linux, an Inno Setup setup.exe
on Windows, a signed (when credentials are given) and notarized .dmg on macOS."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from bundle_settings import (
    APP_NAME,
    INSTALLERS,
    MACOS_IDENTITY_ENV,
    ROOT,
    installer_name,
    macos_identity,
)

INNO_SCRIPT = ROOT / "packaging" / "windows" / "leaddesk.iss"
# Inno Setup 6's compiler; GitHub's Windows runners have it, elsewhere install it
# (choco install innosetup) or put ISCC.exe on PATH.
ISCC_PLACES = [
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")) / "Inno Setup 6",
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "Inno Setup 6",
]
NOTARY_ENV = ("LEADDESK_NOTARY_APPLE_ID", "LEADDESK_NOTARY_TEAM_ID", "LEADDESK_NOTARY_PASSWORD")


def run(command: list[str], *, secret: str | None = None) -> None:
    shown = ["***" if secret and part == secret else part for part in command]
    print("build: $", " ".join(shown), flush=True)
    subprocess.run(command, check=True)


def make_installer(build_dir: Path, version: str, icon: Path) -> Path:
    INSTALLERS.mkdir(parents=True, exist_ok=True)
    target = INSTALLERS / installer_name(version)
    if sys.platform == "win32":
        return windows_setup(build_dir, version, icon, target)
    if sys.platform == "darwin":
        return macos_dmg(build_dir, version, target)
    return linux_tarball(build_dir, target)


def linux_tarball(build_dir: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        archive.add(build_dir, arcname=APP_NAME)
    return target


def find_iscc() -> Path:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return Path(found)
    for place in ISCC_PLACES:
        if (place / "ISCC.exe").is_file():
            return place / "ISCC.exe"
    raise SystemExit(
        "build: Inno Setup 6 (ISCC.exe) was not found; install it (choco install innosetup) "
        "or pass --no-installer"
    )


def windows_setup(build_dir: Path, version: str, icon: Path, target: Path) -> Path:
    run(
        [
            str(find_iscc()),
            f"/DAppVersion={version}",
            f"/DBuildDir={build_dir}",
            f"/DIconFile={icon}",
            f"/DOutputDir={target.parent}",
            f"/DOutputName={target.stem}",
            str(INNO_SCRIPT),
        ]
    )
    return target


def macos_dmg(app: Path, version: str, target: Path) -> Path:
    identity = macos_identity()
    if identity:
        # PyInstaller signed every binary and the bundle (codesign_identity in the spec).
        run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)])
    else:
        print(
            f"build: macOS signing skipped: set {MACOS_IDENTITY_ENV} to a 'Developer ID "
            "Application' identity in the keychain to sign (the app is unsigned; Gatekeeper "
            "will ask users to open it from the context menu)"
        )
    staging = ROOT / "build" / "dmg"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    run(["ditto", str(app), str(staging / app.name)])
    (staging / "Applications").symlink_to("/Applications")
    target.unlink(missing_ok=True)
    run(
        [
            "hdiutil", "create", "-volname", f"{APP_NAME} {version}", "-srcfolder",
            str(staging), "-fs", "HFS+", "-format", "UDZO", "-ov", str(target),
        ]
    )  # fmt: skip
    if identity:
        run(["codesign", "--sign", identity, "--timestamp", str(target)])
    notarize(target, signed=bool(identity))
    return target


def notarize(dmg: Path, *, signed: bool) -> None:
    missing = [name for name in NOTARY_ENV if not os.environ.get(name)]
    if not signed or missing:
        reason = "the app is not signed" if not signed else "missing " + ", ".join(missing)
        print(f"build: macOS notarization skipped ({reason})")
        return
    apple_id, team_id, password = (os.environ[name] for name in NOTARY_ENV)
    run(
        [
            "xcrun", "notarytool", "submit", str(dmg), "--apple-id", apple_id,
            "--team-id", team_id, "--password", password, "--wait",
        ],
        secret=password,
    )  # fmt: skip
    run(["xcrun", "stapler", "staple", str(dmg)])
