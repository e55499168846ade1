"""Live refresh: from a commit in another process to the open window's model showing it.

A worker process passes one lead back and forth between John Smith and Jane Doe (as Ada
Admin) and prints the moment each pass committed; this process holds the main window open
as Maria Manager (offscreen) and notes when its owner tree shows the lead's new place. On
PostgreSQL the pass NOTIFYs and the window's listener hears it; on SQLite the window's
watcher polls ``PRAGMA data_version``. Both include the window's coalescing pause (250 ms)
and the reload.

    python benchmarks/live_refresh.py [--rounds 15]

Targets: median under 1 s on PostgreSQL, under 2 s on SQLite. The last line is
``live_refresh_postgresql=S live_refresh_sqlite=S`` (median seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LEADDESK_EMAIL_AUTOSEND"] = "0"

from sqlalchemy import create_engine, select, text  # noqa: E402

from leaddesk.store.database import open_database  # noqa: E402
from leaddesk.store.demo import create_demo  # noqa: E402
from leaddesk.store.models import Lead, User  # noqa: E402

LEAD = "Harbor Logistics renewal"
OWNERS = ("Jane Doe", "John Smith")  # it starts with John; the first pass sends it to Jane
TIMEOUT = 15.0


def worker(url: str) -> int:
    """Read "LEAD_ID USER_ID" lines; pass, commit, print the commit time."""
    from leaddesk.reassignment.controller import pass_leads
    from leaddesk.reassignment.requests import LeadRef, Selection, Target

    database = open_database(url)
    with database.read() as session:
        ada = session.scalars(select(User.id).where(User.name == "Ada Admin")).one()
    for line in sys.stdin:
        lead_id, user_id = (int(part) for part in line.split())
        with database.write() as session:
            pass_leads(
                session,
                actor_id=ada,
                selection=Selection.of_leads([LeadRef(lead_id)]),
                target=Target.user(user_id),
            )
        print(time.time(), flush=True)
    database.dispose()
    return 0


def measure(url: str, rounds: int) -> list[float]:
    from PySide6.QtWidgets import QApplication

    from leaddesk import ui

    app = QApplication.instance() or QApplication([])
    window = ui.main_window(url, "Maria Manager")
    window.show()
    database = window.context.database
    with database.read() as session:
        lead_id = session.scalars(select(Lead.id).where(Lead.name == LEAD)).one()
        ids = {
            name: session.scalars(select(User.id).where(User.name == name)).one() for name in OWNERS
        }
    model = window.owner_model

    def lead_count(owner: str) -> int:
        return model.status_count(model.find_status_index(owner, "LEAD"))

    process = subprocess.Popen(
        [sys.executable, __file__, "--worker", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    latencies = []
    try:
        for round_number in range(rounds):
            target = OWNERS[round_number % 2]
            before = lead_count(target)
            process.stdin.write(f"{lead_id} {ids[target]}\n")
            process.stdin.flush()
            committed = float(process.stdout.readline())
            while lead_count(target) != before + 1:
                app.processEvents()
                time.sleep(0.002)
                if time.time() - committed > TIMEOUT:
                    raise SystemExit(f"the window did not show pass {round_number} in {TIMEOUT} s")
            latencies.append(time.time() - committed)
    finally:
        process.stdin.close()
        process.wait(timeout=30)
        window.close()
        app.processEvents()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)

    from tests.helpers.postgres import start_cluster

    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="leaddesk-live-") as work:
        sqlite_url = str(Path(work) / "live.sqlite3")
        database = open_database(sqlite_url)
        create_demo(database)
        database.dispose()
        results["sqlite"] = measure(sqlite_url, args.rounds)
    cluster = start_cluster()
    if cluster is None:
        print("PostgreSQL: no server binaries; skipped")
    else:
        try:
            admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text("CREATE DATABASE live_refresh"))
            admin.dispose()
            pg_url = cluster.admin_url.rsplit("/", 1)[0] + "/live_refresh"
            database = open_database(pg_url)
            create_demo(database)
            database.dispose()
            results["postgresql"] = measure(pg_url, args.rounds)
        finally:
            cluster.stop()
    targets = {"postgresql": 1.0, "sqlite": 2.0}
    print(f"Commit in another process -> the window's model shows it ({args.rounds} passes)")
    print("| backend    | median s | max s | target s |")
    print("|------------|---------:|------:|---------:|")
    for name, latencies in results.items():
        print(
            f"| {name:<10} | {statistics.median(latencies):>8.3f} | {max(latencies):>5.3f} | "
            f"{targets[name]:>8.1f} |"
        )
    print(
        " ".join(
            f"live_refresh_{name}={statistics.median(latencies):.3f}"
            for name, latencies in sorted(results.items())
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
