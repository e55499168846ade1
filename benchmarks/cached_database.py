"""The big SQLite files some benchmarks build once and keep in a cache folder.

A million-lead database takes minutes to build, so it is built under a ``.building`` name,
analysed, its WAL folded into the main file, and renamed only when complete: an interrupted
build is never measured, and every measured open starts from the same clean file.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import platformdirs

from leaddesk.store.database import Database, open_database


def add_cache_options(parser: argparse.ArgumentParser) -> None:
    """``--cache-dir``, ``--rebuild`` and ``--build-only``, read by :func:`cached_database`."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(platformdirs.user_cache_dir("LeadDesk", "LeadDesk")) / "benchmarks",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true", help="only build the database")


def cached_database(
    args: argparse.Namespace, file_name: str, fill: Callable[[Database], None]
) -> Path:
    """The cached file's path; built first by ``fill`` when missing or ``--rebuild``."""
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    path = args.cache_dir / file_name
    if args.rebuild:
        remove_database_files(path)
    if not path.exists():
        build(path, fill)
    return path


def build(path: Path, fill: Callable[[Database], None]) -> None:
    partial = path.with_suffix(".building")
    remove_database_files(partial)
    started = time.perf_counter()
    database = open_database(str(partial))
    fill(database)
    finish_file(database)
    database.dispose()
    partial.rename(path)
    print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)


def finish_file(database: Database) -> None:
    # Outside any transaction (the raw connection autocommits): fresh planner statistics,
    # and the WAL folded into the main file so the measured open starts clean.
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
