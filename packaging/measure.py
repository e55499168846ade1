"""The budgets, measured at the end of every build: the one-folder build's size with its ten
largest parts, and a whole ``--screenshot`` run of the frozen program (start, the window
filled from the database, the picture written, exit) against the same run from the virtual
environment. The first paint itself comes earlier; benchmarks/startup.py measures it."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bundle_settings import desktop_env

MB = 1024 * 1024
SIZE_TARGET_MB = 150  # on Linux
START_RATIO_TARGET = 1.5
START_RUNS = 3


def folder_size(folder: Path) -> tuple[int, list[tuple[int, Path]]]:
    files = [
        (path.stat().st_size, path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    ]
    files.sort(reverse=True)
    return sum(size for size, _ in files), files


def print_size(folder: Path) -> float:
    total, files = folder_size(folder)
    total_mb = total / MB
    verdict = ""
    if sys.platform.startswith("linux"):
        within = "within" if total_mb <= SIZE_TARGET_MB else "OVER"
        verdict = f" (target at most {SIZE_TARGET_MB} MB on Linux: {within})"
    print(f"size of {folder.name}: {total_mb:.1f} MB in {len(files)} files{verdict}")
    print("ten largest parts:")
    for size, path in files[:10]:
        print(f"  {size / MB:6.1f} MB  {100 * size / total:4.1f}%  {path.as_posix()}")
    return total_mb


def time_to_screenshot(command: list[str], env: dict[str, str], shot: Path) -> float:
    """Seconds from starting the process to the screenshot written (its 'wrote' line)."""
    shot.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    _out, err = process.communicate(timeout=120)
    if process.returncode != 0 or not line.startswith(b"wrote ") or not shot.is_file():
        raise SystemExit(f"build: screenshot run failed: {command}\n{err.decode(errors='replace')}")
    return elapsed


def print_start(frozen_cli: Path, venv_python: str) -> float:
    with tempfile.TemporaryDirectory(prefix="leaddesk-measure-") as scratch:
        home = Path(scratch)
        env = desktop_env(home)
        db = home / "demo.sqlite3"
        demo = subprocess.run(
            [str(frozen_cli), "demo", "--db", str(db)], env=env, capture_output=True, text=True
        )
        if demo.returncode != 0:
            raise SystemExit(f"build: the frozen program could not make demo data:\n{demo.stderr}")
        shot = home / "shot.png"
        args = ["--db", str(db), "--as", "Maria Manager", "--screenshot", str(shot)]
        frozen_cmd = [str(frozen_cli), *args]
        venv_cmd = [venv_python, "-m", "leaddesk", *args]
        venv_env = {**env, "PATH": os.environ.get("PATH", "")}
        first_frozen = time_to_screenshot(frozen_cmd, env, shot)
        first_venv = time_to_screenshot(venv_cmd, venv_env, shot)
        frozen, venv = [first_frozen], [first_venv]
        for _ in range(START_RUNS - 1):  # alternate, so machine load hits both alike
            frozen.append(time_to_screenshot(frozen_cmd, env, shot))
            venv.append(time_to_screenshot(venv_cmd, venv_env, shot))
    ratio = statistics.median(frozen) / statistics.median(venv)
    within = "within" if ratio <= START_RATIO_TARGET else "OVER"
    print(
        f"start to the filled window's picture (--screenshot, median of {START_RUNS}): "
        f"frozen {statistics.median(frozen):.2f} s, venv {statistics.median(venv):.2f} s; "
        f"first run: frozen {first_frozen:.2f} s, venv {first_venv:.2f} s"
    )
    print(f"frozen/venv = {ratio:.2f} (target at most {START_RATIO_TARGET}: {within})")
    return ratio
