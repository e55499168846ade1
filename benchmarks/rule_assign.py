"""Assign-all-by-rule benchmark: 10,000 leads waiting in one bucket, assigned by its rule.

On SQLite (a temporary file). Each run starts from a fresh copy of a template database (the
demo data plus the waiting leads, and a user owning as many leads for the baseline); setup
is not timed; the time includes planning, the batch, history, notes, outbox and the commit.
The baseline in the same run is the controller passing the same number of leads of one user
to another (one target, the simplest set-based pass). Usage::

    python benchmarks/rule_assign.py [--leads 10000] [--runs 5]

Prints per rule the median seconds, the statements sent, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from leaddesk.admin.bucket_rules import set_bucket_rule  # noqa: E402
from leaddesk.reassignment.controller import pass_leads  # noqa: E402
from leaddesk.reassignment.requests import Selection, Target  # noqa: E402
from leaddesk.reassignment.rule_assign import assign_all_by_rule  # noqa: E402
from leaddesk.store.bucket_rules import AssignRule, BucketKey  # noqa: E402
from leaddesk.store.database import open_database  # noqa: E402
from leaddesk.store.demo import create_demo  # noqa: E402
from leaddesk.store.models import Lead, Office, Status, User, utc_now  # noqa: E402
from tests.helpers.statements import counting_statements  # noqa: E402


def make_template(path: Path, leads: int) -> None:
    database = open_database(str(path))
    create_demo(database)
    now = utc_now()
    with database.write() as session:
        office = session.scalars(select(Office.id).where(Office.name == "Downtown Office")).one()
        status = session.scalars(select(Status.id).where(Status.name == "LEAD")).one()
        john = session.scalars(select(User.id).where(User.name == "John Smith")).one()
        rows = [
            {
                "name": f"Waiting {n}",
                "status_id": status,
                "bucket_office_id": office,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(leads)
        ] + [
            {
                "name": f"Owned {n}",
                "status_id": status,
                "owner_id": john,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(leads)
        ]
        session.execute(insert(Lead), rows)
    database.dispose()


def timed(template: Path, work_dir: Path, rule: AssignRule | None) -> tuple[float, int, int]:
    copy = work_dir / "run.sqlite3"
    shutil.copy(template, copy)
    database = open_database(str(copy))
    with database.read() as session:
        ids = {n: i for i, n in session.execute(select(User.id, User.name))}
        office = session.scalars(select(Office.id).where(Office.name == "Downtown Office")).one()
    bucket = BucketKey(office_id=office)
    if rule is not None:
        with database.write() as session:
            set_bucket_rule(session, ids["Ada Admin"], bucket, rule=rule)
    with database.read() as session:  # warm the cache as a window would have
        session.scalar(select(Lead.id).where(Lead.bucket_office_id == office).limit(1))
    with counting_statements(database.engine) as log:
        start = time.perf_counter()
        with database.write() as session:
            if rule is None:
                moved = pass_leads(
                    session,
                    actor_id=ids["Maria Manager"],
                    selection=Selection.all_of_user(ids["John Smith"]),
                    target=Target.user(ids["Jane Doe"]),
                    note="Baseline",
                ).moved
            else:
                moved = assign_all_by_rule(
                    session, actor_id=ids["Olivia Office"], bucket=bucket, note="By rule"
                ).moved
        elapsed = time.perf_counter() - start
    database.dispose()
    return elapsed, log.count, moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.sqlite3"
        make_template(template, args.leads)
        results: dict[str, tuple[float, int, int]] = {}
        for label, rule in (
            ("baseline pass", None),
            ("round robin", AssignRule.ROUND_ROBIN),
            ("least loaded", AssignRule.LEAST_LOADED),
        ):
            runs = [timed(template, work, rule) for _ in range(args.runs)]
            results[label] = (statistics.median(r[0] for r in runs), runs[0][1], runs[0][2])
        base = results["baseline pass"][0]
        print(f"SQLite, {args.leads:,} waiting leads, median of {args.runs} runs:")
        for label, (seconds, statements, moved) in results.items():
            print(
                f"  {label:14} {seconds:6.3f} s  {statements:3} statements  "
                f"{moved:,} leads  x{seconds / base:.2f} of baseline"
            )


if __name__ == "__main__":
    main()
