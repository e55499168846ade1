"""How long ``leaddesk import leads`` takes for 100,000 rows on SQLite (target: under 10 s).

    python benchmarks/import_leads.py [--rows N] [--db URL]

Creates a throwaway SQLite database with the demo data unless --db is given, writes a CSV
of N leads spread over the demo owners, both buckets and all statuses, then times the
import (reading, validation and writing, in one transaction) and prints the figure.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leaddesk.data_io.lead_import import import_leads
from leaddesk.store.database import open_database
from leaddesk.store.demo import create_demo
from leaddesk.store.models import Lead, OutboxMessage, PassHistory, User

OWNERS = ["John Smith", "jane.doe@example.com", "Sam Field", "Maria Manager", "Pat Group"]
STATUSES = ["LEAD", "OPPORTUNITY", "WON", "NO SALE/LOST"]


def make_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        ["Name", "Company", "Email", "Phone", "Status", "Owner", "Office", "Pass Group"]
    )
    for index in range(rows):
        place = ["", "", ""]
        if index % 50 == 0:
            place[1] = "Downtown Office"
        elif index % 50 == 1:
            place[2] = "Inbound Team"
        else:
            place[0] = OWNERS[index % len(OWNERS)]
        writer.writerow(
            [
                f"Imported lead {index + 1}",
                f"Company {index % 997} Ltd",
                f"contact{index + 1}@company{index % 997}.example",
                f"+1 555 {index % 10000:04d}",
                STATUSES[index % len(STATUSES)],
                *place,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(args.db or str(Path(tmp) / "bench.sqlite3"))
        create_demo(database)
        with database.read() as session:
            ada = session.scalars(select(User.id).where(User.name == "Ada Admin")).one()
            before = session.scalar(select(func.count()).select_from(Lead))
        data = make_csv(args.rows)
        started = time.perf_counter()
        with database.write() as session:
            report = import_leads(session, actor_id=ada, data=data, source_name="bench.csv")
        elapsed = time.perf_counter() - started
        with database.read() as session:
            leads = session.scalar(select(func.count()).select_from(Lead)) - before
            history = session.scalar(
                select(func.count()).where(PassHistory.batch_id == report.batch_id)
            )
            outbox = session.scalar(
                select(func.count()).where(OutboxMessage.batch_id == report.batch_id)
            )
        database.dispose()
    print(
        f"import leads: {args.rows:,} rows ({len(data) / 1e6:.1f} MB) on "
        f"{database.url.get_backend_name()} in {elapsed:.2f} s "
        f"({args.rows / elapsed:,.0f} rows/s); {leads:,} leads, {history:,} history rows, "
        f"{outbox} notifications; problems: {len(report.problems)}"
    )
    return 0 if leads == args.rows and elapsed < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
