"""How fast the window opens on a big database, and how fast a huge status expands.

Builds (once, cached) a SQLite database with the demo data plus 500 users and 1,000,000
leads, one of whom holds 50,000 leads in the LEAD status; then, with the database open,
measures (1) building and showing the main window as Maria Manager until it is ready, and
(2) expanding that 50,000-lead status until its first rows are in the tree.

    python benchmarks/window_open.py [--cache-dir DIR] [--rebuild]

Targets (issue 3): ready < 1 s, first rows < 200 ms. The last line prints both figures and
the peak memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import text

from benchmarks.cached_database import add_cache_options, cached_database
from leaddesk.store.database import Database, open_database
from leaddesk.store.demo import create_demo

USERS = 500
LEADS = 1_000_000
BIG_STATUS_LEADS = 50_000
BIG_OWNER = "Big Holder"
ACTOR = "Maria Manager"


def fill_database(database: Database) -> None:
    """Demo data at scale, then one user who holds 50,000 leads in one status."""
    create_demo(database, users=USERS, leads=LEADS)
    with database.write() as session:
        # A direct SQL update is fine here: this is the benchmark's setup, not the app.
        lead_status = session.execute(text("SELECT id FROM statuses WHERE name = 'LEAD'")).one()[0]
        maria = session.execute(text("SELECT id FROM users WHERE name = :n"), {"n": ACTOR}).one()[0]
        big = session.execute(text("SELECT MAX(id) FROM users")).one()[0]
        session.execute(
            text("UPDATE users SET name = :n WHERE id = :i"), {"n": BIG_OWNER, "i": big}
        )
        opportunity = session.execute(
            text("SELECT id FROM statuses WHERE name = 'OPPORTUNITY'")
        ).one()[0]
        # Exactly 50,000 in LEAD: the user's own generated LEAD leads move to OPPORTUNITY.
        session.execute(
            text("UPDATE leads SET status_id = :o WHERE owner_id = :u AND status_id = :s"),
            {"o": opportunity, "u": big, "s": lead_status},
        )
        session.execute(
            text(
                "UPDATE leads SET owner_id = :owner, status_id = :status WHERE id IN "
                "(SELECT id FROM leads WHERE owner_id IS NOT NULL AND owner_id != :owner "
                "ORDER BY id DESC LIMIT :n)"
            ),
            {"owner": big, "status": lead_status, "n": BIG_STATUS_LEADS},
        )
        session.execute(
            text(
                "INSERT INTO manager_rights (manager_id, user_id) SELECT :m, :u WHERE NOT EXISTS "
                "(SELECT 1 FROM manager_rights WHERE manager_id = :m AND user_id = :u)"
            ),
            {"m": maria, "u": big},
        )


def measure(path: Path) -> tuple[float, float, int]:
    from PySide6.QtWidgets import QApplication

    from leaddesk.ui.shell.build import build_main_window
    from leaddesk.ui.shell.launch import wait_until_loaded

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive while measuring)
    database = open_database(str(path))
    started = time.perf_counter()
    window = build_main_window(database, ACTOR)
    window.resize(1200, 760)
    window.show()
    wait_until_loaded(window)  # the trees are read off the GUI thread
    ready = time.perf_counter() - started

    view = window.owner_tree
    model = view.model()
    status_index = model.find_status_index(BIG_OWNER, "LEAD")
    assert status_index.isValid(), "the 50,000-lead status is not in the tree"
    view.expand(status_index.parent())
    wait_until_loaded(window)
    started = time.perf_counter()
    view.expand(status_index)
    wait_until_loaded(window)  # until the first page (not the "Loading…" row) is in
    first_rows = time.perf_counter() - started
    shown = model.rowCount(status_index)
    total = model.status_count(status_index)
    assert shown > 0 and total == BIG_STATUS_LEADS, (shown, total)
    window.close()
    database.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ready, first_rows, peak_kb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_cache_options(parser)
    args = parser.parse_args()
    path = cached_database(args, f"window-open-{USERS}u-{LEADS}l.sqlite3", fill_database)
    if args.build_only:
        return 0
    ready, first_rows, peak_kb = measure(path)
    print(
        f"window ready: {ready * 1000:.0f} ms (target < 1000 ms); "
        f"first rows of a {BIG_STATUS_LEADS:,}-lead status: {first_rows * 1000:.0f} ms "
        f"(target < 200 ms); peak memory: {peak_kb / 1024:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
