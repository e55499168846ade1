"""Passing a long list of leads on PostgreSQL, as the owner login and as a manager's own login.

A pass of listed leads (a multi-selection in the window, a bucket, an offline replay) pins
every lead to the version the person saw. On a set-up server (``leaddesk server setup``,
Maria Manager linked to the login ``bench_maria``) this passes ``--leads`` leads three ways,
each from a fresh copy of the template, preview first, then the pass (commit included):

- by user: all leads of one user (the baseline, as in ``bulk_pass.py``);
- listed: the same leads, listed with their versions, to a user;
- listed, to a bucket: the same, into an office's Leads to be Assigned bucket.

Usage: ``python benchmarks/pinned_pass.py [--leads 10000] [--runs 1]``. The last line is
``listed_vs_by_user_login=R`` (pass seconds, as the login, medians).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

import bulk_pass  # noqa: E402
import policy_cost  # noqa: E402
from sqlalchemy import select  # noqa: E402

from leaddesk.reassignment.controller import pass_leads, preview_pass  # noqa: E402
from leaddesk.reassignment.requests import (  # noqa: E402
    LeadRef,
    PassMethod,
    Selection,
    Target,
)
from leaddesk.store.database import Database  # noqa: E402
from leaddesk.store.models import Lead, Office  # noqa: E402

WAYS = ("by user", "listed", "listed, to a bucket")
LOGINS = ("owner", "login")


def run_once(database: Database, way: str) -> tuple[float, float]:
    """(preview seconds, pass seconds) for one way on this database."""
    people = bulk_pass._people(database)
    with database.read() as session:
        refs = [
            LeadRef(lead_id, version)
            for lead_id, version in session.execute(
                select(Lead.id, Lead.version).where(Lead.owner_id == people.source)
            )
        ]
        office = session.scalars(select(Office.id).order_by(Office.id).limit(1)).one()
    selection = (
        Selection.all_of_user(people.source) if way == "by user" else Selection.of_leads(refs)
    )
    target = Target.office(office) if way.endswith("bucket") else Target.user(people.target)
    start = time.perf_counter()
    with database.read() as session:
        preview_pass(session, actor_id=people.actor, selection=selection, target=target)
    previewed = time.perf_counter()
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=people.actor,
            selection=selection,
            target=target,
            note=bulk_pass.NOTE,
            method=PassMethod.DRAG_USER,
        )
    passed = time.perf_counter()
    if result.moved != len(refs):
        raise SystemExit(f"{way}: moved {result.moved} leads, expected {len(refs)}")
    return previewed - start, passed - previewed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    pg, cluster = bulk_pass._postgres_backend()
    if pg is None:
        print("PostgreSQL: no LEADDESK_BENCH_PG_URL and no server binaries; nothing to measure")
        return 1
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        pg.template(args.leads)
        pg.server_template(args.leads)
        for _round in range(args.runs):
            for way in WAYS:
                for login in LOGINS:
                    owner_database = pg.fresh(args.leads, "bench_server_template")
                    database = (
                        owner_database if login == "owner" else policy_cost.as_login(owner_database)
                    )
                    try:
                        measured = run_once(database, way)
                    finally:
                        if database is not owner_database:
                            database.dispose()
                        pg.drop(owner_database)
                    times.setdefault((way, login), []).append(measured)
                    print(
                        f"  {way:<20} {login:<6} {measured[0]:.2f} / {measured[1]:.2f} s",
                        file=sys.stderr,
                    )
    finally:
        pg.close()
        if cluster is not None:
            cluster.stop()  # type: ignore[attr-defined]
    print(f"\nPostgreSQL, {args.leads:,} leads, median of {args.runs} (seconds):")
    print("| selection | login | preview | pass |")
    print("|---|---|---:|---:|")
    medians = {}
    for (way, login), runs in times.items():
        preview = statistics.median(r[0] for r in runs)
        passed = statistics.median(r[1] for r in runs)
        medians[(way, login)] = passed
        shown = "owner login" if login == "owner" else f"{policy_cost.LOGIN} (own login)"
        print(f"| {way} | {shown} | {preview:.2f} | {passed:.2f} |")
    ratio = medians[("listed", "login")] / medians[("by user", "login")]
    print(f"listed_vs_by_user_login={ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
