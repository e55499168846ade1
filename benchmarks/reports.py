"""How fast the three reports are on a big SQLite database.

Builds (once, cached) the demo data plus 500 users and 1,000,000 leads, 12 more offices
and 4 more pass groups, and 200,000 history rows in 20,000 batches over 26 weeks: leads
passed into buckets and assigned out of them hours or days later, some still waiting, and
passes between users. Then, each as the administrator (every row) and as Maria Manager
(500 managed users, three watched buckets: the filtered path), the median of 5 runs of:

- the baseline: ``SELECT COUNT(*) FROM leads`` in a read session (the cheapest look at a
  million leads);
- workload (open leads per user by status), passes per manager per week and waiting times
  per bucket since 26 weeks ago, each in a read session of its own, as the window reads it.

    python benchmarks/reports.py [--cache-dir DIR] [--rebuild] [--runs N]

Target (issue 13): each report under 1 s on SQLite. The last line prints the slowest report
and its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from benchmarks.cached_database import add_cache_options, cached_database
from leaddesk.reports.passes import passes_report
from leaddesk.reports.waiting import waiting_report
from leaddesk.reports.workload import workload_report
from leaddesk.store.database import Database, open_database
from leaddesk.store.demo import create_demo

USERS = 500
LEADS = 1_000_000
HISTORY_ROWS = 200_000
ROWS_PER_BATCH = 10
WEEKS = 26
EXTRA_OFFICES = 12
EXTRA_GROUPS = 4
NOW = datetime(2026, 11, 28, 12, 0)
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime on SQLite


def fill_database(database: Database) -> None:
    create_demo(database, users=USERS, leads=LEADS)
    add_history(database)


def add_history(database: Database) -> None:
    """Batches and history written directly: this is the benchmark's data, not a pass."""
    rng = random.Random(13)
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(
            "INSERT INTO offices (name) VALUES (?)",
            [(f"Branch Office {n}",) for n in range(1, EXTRA_OFFICES + 1)],
        )
        cursor.executemany(
            "INSERT INTO pass_groups (name) VALUES (?)",
            [(f"Inbound Team {n}",) for n in range(2, EXTRA_GROUPS + 2)],
        )
        offices = [row[0] for row in cursor.execute("SELECT id FROM offices")]
        groups = [row[0] for row in cursor.execute("SELECT id FROM pass_groups")]
        maria = cursor.execute("SELECT id FROM users WHERE name = 'Maria Manager'").fetchone()[0]
        # Maria watches three offices' buckets (office manager), like a regional manager.
        cursor.executemany(
            "INSERT INTO office_members (office_id, user_id, is_office_manager) VALUES (?, ?, 1)",
            [(office, maria) for office in offices[1:4]],
        )
        users = [row[0] for row in cursor.execute("SELECT id FROM users WHERE id > 8")]
        managers = users[:40]
        leads = [
            row[0] for row in cursor.execute("SELECT id FROM leads ORDER BY random() LIMIT 150000")
        ]
        owner_of = dict(
            cursor.execute(
                f"SELECT id, owner_id FROM leads WHERE id IN ({','.join(map(str, leads))})"
            )
        )
        batches: list[tuple] = []
        history: list[tuple] = []
        waiting: list[tuple[int, int | None, int | None]] = []  # (lead, office, group)
        fresh = iter(leads)
        start = NOW - timedelta(weeks=WEEKS)
        batch_count = HISTORY_ROWS // ROWS_PER_BATCH
        for number in range(1, batch_count + 1):
            when = start + timedelta(seconds=(WEEKS * 7 * 86400) * number / (batch_count + 1))
            batches.append(
                (
                    number,
                    rng.choice(managers),
                    "drag_lead",
                    "",
                    ROWS_PER_BATCH,
                    when.strftime(STAMP),
                )
            )
            kind = rng.random()
            for _ in range(ROWS_PER_BATCH):
                if kind < 0.5 or len(waiting) < ROWS_PER_BATCH * 2:
                    # Into a bucket: the lead leaves its owner and waits.
                    lead = next(fresh)
                    office, group = (
                        (rng.choice(offices), None)
                        if rng.random() < 0.8
                        else (None, rng.choice(groups))
                    )
                    history.append(
                        (number, lead, owner_of[lead], None, None, None, office, group, 2)
                    )
                    waiting.append((lead, office, group))
                elif kind < 0.9:
                    # Assigned out of a bucket, oldest-ish first.
                    lead, office, group = waiting.pop(rng.randrange(min(len(waiting), 50)))
                    to = rng.choice(users)
                    history.append((number, lead, None, office, group, to, None, None, 3))
                    owner_of[lead] = to
                else:
                    lead = next(fresh)
                    to = rng.choice(users)
                    history.append((number, lead, owner_of[lead], None, None, to, None, None, 2))
                    owner_of[lead] = to
        cursor.executemany(
            "INSERT INTO pass_batches (id, actor_id, method, note, lead_count, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            batches,
        )
        cursor.executemany(
            "INSERT INTO pass_history (batch_id, lead_id, from_owner_id, from_office_id,"
            " from_group_id, to_owner_id, to_office_id, to_group_id, to_version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            history,
        )
        # The leads table agrees with the history: who waits where, who owns what now.
        cursor.executemany(
            "UPDATE leads SET owner_id = NULL, bucket_office_id = ?, bucket_group_id = ?"
            " WHERE id = ?",
            [(office, group, lead) for lead, office, group in waiting],
        )
        cursor.executemany(
            "UPDATE leads SET owner_id = ? WHERE id = ? AND bucket_office_id IS NULL"
            " AND bucket_group_id IS NULL",
            [(owner, lead) for lead, owner in owner_of.items()],
        )
        cursor.execute("COMMIT")
    finally:
        raw.close()


def timed(database: Database, read: Callable[[object], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``runs`` reads, each in a read session of its
    own. CPU time is printed beside: on the shared 2-core machine the wall clock mostly
    measures the other jobs."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        with database.read() as session:
            read(session)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_cache_options(parser)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = cached_database(args, f"reports-{LEADS}l-{HISTORY_ROWS}h.sqlite3", fill_database)
    if args.build_only:
        return 0
    database = open_database(str(path))
    with database.read() as session:
        leads, history = session.execute(
            text("SELECT (SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM pass_history)")
        ).one()
        people = dict(session.execute(text("SELECT name, id FROM users WHERE id <= 8")).all())
    since = NOW - timedelta(weeks=WEEKS)
    print(f"SQLite, {leads:,} leads, {history:,} history rows; median of {args.runs} runs")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':<44} {'wall s':>8} {'CPU s':>8} {'wall / baseline':>16}")
    baseline, baseline_cpu = timed(
        database, lambda s: s.execute(text("SELECT COUNT(*) FROM leads")).scalar(), args.runs
    )
    print(f"{'baseline: COUNT(*) over leads':<44} {baseline:8.3f} {baseline_cpu:8.3f}")
    slowest = ("", 0.0, 0.0)
    for actor in ("Ada Admin", "Maria Manager"):
        actor_id = people[actor]
        reports: dict[str, Callable[[object], object]] = {
            "workload": lambda s, a=actor_id: workload_report(s, actor_id=a),
            "passes per week": lambda s, a=actor_id: passes_report(s, actor_id=a, since=since),
            "waiting times": lambda s, a=actor_id: waiting_report(
                s, actor_id=a, since=since, now=NOW
            ),
        }
        for name, read in reports.items():
            seconds, cpu = timed(database, read, args.runs)
            label = f"{name} as {actor}"
            print(f"{label:<44} {seconds:8.3f} {cpu:8.3f} {seconds / baseline:16.1f}")
            if seconds > slowest[1]:
                slowest = (label, seconds, cpu)
    database.dispose()
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(
        f"slowest report: {slowest[0]} {slowest[1]:.3f} s wall, {slowest[2]:.3f} s CPU "
        f"(target < 1 s); slowest_vs_count={slowest[1] / baseline:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
