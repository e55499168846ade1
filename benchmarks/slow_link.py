"""The window over a slow link: PostgreSQL behind a delaying proxy at 0, 50 and 150 ms.

Builds a PostgreSQL database with the demo data plus 500 users (all managed by Maria
Manager) and 1,000,000 leads, one user ("Big Holder") holding 50,000 of them in LEAD, all
generated with set-based SQL (``generate_series``). Then, for each round trip, through
``tests/helpers/slow_link.SlowLink`` on loopback:

- window ready: from building the main window (database open) until both trees are filled;
- first rows of the 50,000-lead status: from expanding it until its first leads are shown;
- one-lead pass: from the drop on Jane Doe until "Lead pass successful" shows (the two
  dialogs in between are answered by the script, within 15 ms each);
- the longest event-loop block of the scripted session (open, expand, search, drag, confirm,
  note, done, refresh; ``tests/helpers/scripted_session``): net of the time the GUI thread
  waited for a core (what the window's code holds the loop for, whatever the machine's
  load; ``tests/helpers/event_loop``), on the wall clock, and the longest stretch of
  GUI-thread CPU time.

    python benchmarks/slow_link.py [--leads N] [--users N] [--delays 0,50,150] [--runs 3]

PostgreSQL comes from ``LEADDESK_BENCH_PG_URL`` (an admin URL) or a throwaway cluster from
the machine's server binaries. Figures are medians of ``--runs``; a Markdown table is printed.
Targets at 50 ms (issue 14): ready < 1.5 s, pass < 1 s, no block over 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LEADDESK_EMAIL_AUTOSEND"] = "0"  # a benchmark sends no email

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from leaddesk.store.database import open_database
from leaddesk.store.demo import create_demo
from tests.helpers.event_loop import Longest
from tests.helpers.scripted_session import SessionFigures
from tests.helpers.slow_link import SlowLink

ACTOR = "Maria Manager"
BIG_OWNER = "Big Holder"
BIG_STATUS_LEADS = 50_000
DATABASE_NAME = "leaddesk_slow_link_bench"


@dataclass(frozen=True)
class Figures:
    round_trip_ms: int
    ready_s: float
    first_rows_s: float
    pass_s: float
    blocked_ms: float  # median over the runs of each session's longest block, net
    wall_ms: float  # the same on the wall clock
    cpu: Longest  # the longest GUI-thread CPU stretch of all runs


def build_database(admin_url: URL, *, users: int, leads: int) -> URL:
    """The demo data, then ``users`` users and ``leads`` leads made by the server itself."""
    started = time.perf_counter()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE_NAME}"'))
    admin.dispose()
    url = admin_url.set(database=DATABASE_NAME)
    database = open_database(url.render_as_string(hide_password=False))
    create_demo(database)
    with database.engine.begin() as connection:
        # The benchmark's own set-up, in SQL: the app never writes this way.
        def one(sql: str, **params: object) -> int:
            return int(connection.execute(text(sql), params).scalar_one())

        maria = one("SELECT id FROM users WHERE name = :n", n=ACTOR)
        lead_status = one("SELECT id FROM statuses WHERE name = 'LEAD'")
        other_statuses = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM statuses WHERE name <> 'LEAD' ORDER BY position")
            )
        ]
        connection.execute(
            text(
                "INSERT INTO users (name, email, active, is_admin, created_at) "
                "SELECT CASE WHEN g = 1 THEN :big ELSE 'Bench User ' || lpad(g::text, 4, '0') "
                "END, 'bench' || g || '@example.com', true, false, now() "
                "FROM generate_series(1, :users) AS g"
            ),
            {"big": BIG_OWNER, "users": users},
        )
        connection.execute(
            text(
                "INSERT INTO manager_rights (manager_id, user_id) SELECT :maria, id FROM users "
                "WHERE name = :big OR name LIKE 'Bench User %'"
            ),
            {"maria": maria, "big": BIG_OWNER},
        )
        big = one("SELECT id FROM users WHERE name = :n", n=BIG_OWNER)
        bench = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM users WHERE name LIKE 'Bench User %' ORDER BY id")
            )
        ]
        # Big Holder: exactly 50,000 leads, all LEAD; everyone else's spread over users and
        # statuses (LEAD too). Arrays of ids are integers from the database, not input.
        statuses = [lead_status, *other_statuses]
        connection.execute(
            text(
                "INSERT INTO leads (name, company, email, phone, status_id, owner_id, version, "
                "created_at, updated_at) "
                "SELECT 'Lead ' || g, 'Company ' || (g % 9973), '', '', "
                f"CASE WHEN g <= :big_count THEN :lead ELSE (ARRAY{statuses})"
                f"[1 + g % {len(statuses)}] END, "
                f"CASE WHEN g <= :big_count THEN :big ELSE (ARRAY{bench})[1 + g % {len(bench)}]"
                " END, 1, now() - (g || ' seconds')::interval, now() "
                "FROM generate_series(1, :leads) AS g"
            ),
            {"big_count": BIG_STATUS_LEADS, "lead": lead_status, "big": big, "leads": leads},
        )
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    database.dispose()
    print(
        f"built {users} users and {leads:,} leads in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return url


def put_harbor_back(url: URL) -> None:
    """The scripted session passes John Smith's Harbor lead to Jane Doe; give it back."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE leads SET owner_id = (SELECT id FROM users WHERE name = 'John Smith'), "
                "bucket_office_id = NULL, bucket_group_id = NULL "
                "WHERE name = 'Harbor Logistics renewal'"
            )
        )
    engine.dispose()


def measure_ready_and_first_rows(url: str) -> tuple[float, float]:
    from leaddesk.ui.shell.build import build_main_window
    from tests.helpers.scripted_session import wait_until
    from tests.helpers.window_trees import settle

    database = open_database(url)
    started = time.perf_counter()
    window = build_main_window(database, ACTOR)
    window.setProperty("ownsDatabase", True)
    window.resize(1200, 760)
    window.show()
    settle(window, timeout=300)
    ready = time.perf_counter() - started
    model, tree = window.owner_model, window.owner_tree
    status = model.find_status_index(BIG_OWNER, "LEAD")
    assert model.status_count(status) == BIG_STATUS_LEADS, "the big status is not there"
    tree.expand(status.parent())
    settle(window, timeout=300)
    started = time.perf_counter()
    tree.expand(model.find_status_index(BIG_OWNER, "LEAD"))

    def first_leads_shown() -> bool:
        index = model.find_status_index(BIG_OWNER, "LEAD")
        return model.rowCount(index) > 0 and model.item(model.index(0, 0, index)).kind == "lead"

    wait_until(first_leads_shown, timeout=300)
    first_rows = time.perf_counter() - started
    window.close()
    return ready, first_rows


def measure_session(url: str) -> SessionFigures:
    from leaddesk.ui.shell.build import build_main_window
    from tests.helpers.scripted_session import run_scripted_session

    database = open_database(url)
    window = build_main_window(database, ACTOR)
    window.setProperty("ownsDatabase", True)
    figures = run_scripted_session(window)
    window.close()
    return figures


def measure(url: URL, round_trip_ms: int, runs: int) -> Figures:
    port = url.port or 5432
    ready, first, sessions = [], [], []
    with SlowLink(port, delay_ms=round_trip_ms / 2) as link:
        slow = url.set(port=link.port).render_as_string(hide_password=False)
        for _run in range(runs):
            r, f = measure_ready_and_first_rows(slow)
            ready.append(r)
            first.append(f)
            put_harbor_back(url)
            sessions.append(measure_session(slow))
    for number, session in enumerate(sessions, 1):
        print(
            f"  {round_trip_ms} ms run {number}: ready {ready[number - 1]:.2f} s, first rows "
            f"{first[number - 1] * 1000:.0f} ms, pass {session.drop_to_done_s:.2f} s (preview "
            f"until the confirmation {session.drop_to_confirm_s:.2f} s, note to done "
            f"{session.note_to_done_s:.2f} s), longest block {session.blocked} net, "
            f"{session.wall} wall clock, GUI CPU {session.cpu}, longest collection {session.gc}",
            file=sys.stderr,
            flush=True,
        )
    return Figures(
        round_trip_ms,
        statistics.median(ready),
        statistics.median(first),
        statistics.median(session.drop_to_done_s for session in sessions),
        statistics.median(session.blocked.ms for session in sessions),
        statistics.median(session.wall.ms for session in sessions),
        max((session.cpu for session in sessions), key=lambda cpu: cpu.ms),
    )


def table(rows: list[Figures], users: int, leads: int) -> str:
    lines = [
        f"PostgreSQL behind the proxy, {users} users, {leads:,} leads "
        f"({BIG_STATUS_LEADS:,} in one status):",
        "",
        "| round trip | window ready | first rows of the 50,000-lead status | one-lead pass, "
        "drop → “Lead pass successful” | longest event-loop block, net of waiting for a core "
        "| the same, wall clock | longest GUI-thread CPU stretch |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.round_trip_ms} ms | {row.ready_s:.2f} s | {row.first_rows_s * 1000:.0f} ms "
            f"| {row.pass_s:.2f} s | {row.blocked_ms:.0f} ms | {row.wall_ms:.0f} ms "
            f"| {row.cpu.ms:.0f} ms ({row.cpu.step}) |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--delays", default="0,50,150", help="round trips in ms")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.leads < BIG_STATUS_LEADS + 1000 or args.users < 2:
        parser.error(f"--leads must be at least {BIG_STATUS_LEADS + 1000:,}, --users at least 2")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from leaddesk.ui.common.qt_messages import quiet_offscreen_notices

    quiet_offscreen_notices()
    cluster = None
    admin_url = os.environ.get("LEADDESK_BENCH_PG_URL")
    if not admin_url:
        from tests.helpers.postgres import start_cluster

        cluster = start_cluster()
        if cluster is None:
            print("no PostgreSQL: set LEADDESK_BENCH_PG_URL", file=sys.stderr)
            return 1
        admin_url = cluster.admin_url
    try:
        url = build_database(make_url(admin_url), users=args.users, leads=args.leads)
        delays = [int(delay) for delay in args.delays.split(",")]
        rows = [measure(url, delay, args.runs) for delay in delays]
        print(table(rows, args.users, args.leads))
        app.processEvents()
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
