"""Build LeadDesk for the OS this runs on: ``python packaging/build.py``.

1. the icons (.ico, .icns) from resources/ into build/generated/;
2. the one-folder program with PyInstaller (packaging/leaddesk.spec) into dist/LeadDesk
   (dist/LeadDesk.app on macOS);
3. the installer into dist/installers/ (Linux .tar.gz, Windows setup.exe, macOS .dmg);
4. the budgets: size with the ten largest parts, and the frozen start against the venv's.

Needs the build extra: ``pip install -e '.[build]'``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bundle_settings import (
    DIST,
    ROOT,
    WORK,
    cli_executable,
    onefolder_dir,
    project_version,
)

SPEC = ROOT / "packaging" / "leaddesk.spec"


def check_environment(version: str) -> None:
    """The build tools are there, and the installed metadata (which the bundle carries as its
    version) is pyproject.toml's, not that of an older install."""
    for module, extra in (("PyInstaller", "build"), ("PIL", "build")):
        if importlib.util.find_spec(module) is None:
            raise SystemExit(f"build: {module} is missing; pip install -e '.[{extra}]'")
    try:
        installed = importlib.metadata.version("leaddesk")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("build: leaddesk is not installed; pip install -e '.[build]'") from None
    if installed != version:
        raise SystemExit(
            f"build: the installed leaddesk says {installed}, pyproject.toml {version}; "
            "reinstall (pip install -e .) so the bundle carries the right version"
        )


def run_pyinstaller(clean: bool) -> Path:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(DIST), "--workpath", str(WORK)]
    if clean:
        command.append("--clean")
    command.append(str(SPEC))
    print("build: $", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    return onefolder_dir()


def smoke_check(cli: Path, version: str) -> None:
    """The frozen program starts, knows its version and runs a command (the full check is
    the frozen smoke test, tests/test_frozen_smoke.py)."""
    for args, expected in ((["--version"], f"LeadDesk {version}"), (["about"], "LeadDesk ")):
        done = subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not done.stdout.startswith(expected):
            raise SystemExit(f"build: the frozen program failed:\n{done.stdout}{done.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    parser.add_argument("--no-installer", action="store_true", help="the one-folder build only")
    parser.add_argument("--no-measure", action="store_true", help="skip the start-up timing")
    args = parser.parse_args(argv)

    from icons import make_icons
    from installers import make_installer
    from measure import print_size, print_start

    version = project_version()
    check_environment(version)
    started = time.perf_counter()
    icons = make_icons()
    shutil.rmtree(onefolder_dir(), ignore_errors=True)
    build_dir = run_pyinstaller(args.clean)
    cli = cli_executable(build_dir)
    smoke_check(cli, version)
    built = time.perf_counter() - started
    print(f"build: LeadDesk {version}: {build_dir.relative_to(ROOT)} in {built:.0f} s")
    if not args.no_installer:
        icon = icons["ico"] if sys.platform == "win32" else icons["icns"]
        installer = make_installer(build_dir, version, icon)
        size_mb = installer.stat().st_size / 1024 / 1024
        print(f"build: installer {installer.relative_to(ROOT)} ({size_mb:.1f} MB)")
    print_size(build_dir)
    if not args.no_measure:
        print_start(cli, sys.executable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
