"""Offline sync benchmark: making a replica, pushing a journal, pulling changes, and how a
sync's cost follows what changed rather than the size of the database.

PostgreSQL server (``LEADDESK_BENCH_PG_URL``, an admin URL that may CREATE DATABASE, or a
throwaway cluster from the machine's server binaries), set up with ``leaddesk server setup``
and Maria Manager linked to the ordinary login ``bench_maria``: every figure is as that
login, under the server's row-level security. The replica is a SQLite file. Two databases,
every lead in Maria's view (she manages the generated users):

- replica create: a full pull of the person's view (leads, history, notes, people);
- no-op sync: nothing changed since the last pull;
- pull 1,000: one pass on the server moved 1,000 leads, then sync;
- pull 10,000 (large database): the same with 10,000 leads;
- push 1,000 (large database): 1,000 passes of one lead made on the replica, sent through
  the controller on the server, a chunk of 100 entries per server transaction, replayed
  together (``reassignment.replay``); the baselines are the same push one entry per
  transaction (chunks of one) and the same 1,000 passes made online, one by one, directly
  on the server as the same login (interleaved in halves, see ``compare_pushes``).

Usage::

    python benchmarks/sync.py [--sizes 25000 100000]

The last line is ``full_pull_large_vs_small=R1 pull_1000_large_vs_small=R2
push_vs_online=R3 push_vs_one_per_transaction=R4``: a full pull grows with the view, an
incremental pull does not.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import leaddesk.offline.push as push  # noqa: E402
from leaddesk.offline import create_replica, sync_replica  # noqa: E402
from leaddesk.offline.replica import open_replica  # noqa: E402
from leaddesk.offline.server_link import connect_server  # noqa: E402
from leaddesk.offline.sync import pull_into  # noqa: E402
from leaddesk.reassignment.controller import pass_leads  # noqa: E402
from leaddesk.reassignment.requests import LeadRef, Selection, Target  # noqa: E402
from leaddesk.server.setup import set_up_server  # noqa: E402
from leaddesk.store.database import Database, open_database  # noqa: E402
from leaddesk.store.demo import create_demo  # noqa: E402
from leaddesk.store.migrate import SCHEMA_HEAD  # noqa: E402
from leaddesk.store.models import Lead, ManagerRight, User  # noqa: E402

LOGIN = "bench_maria"
USERS = 50


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


class Server:
    """One benchmark database on the cluster, set up with Maria's login."""

    def __init__(self, admin_url: str, leads: int) -> None:
        self.admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
        self.name = f"bench_sync_{leads}"
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
            connection.execute(
                text(
                    f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                    f"'{LOGIN}') THEN CREATE ROLE {LOGIN} LOGIN; END IF; END $$"
                )
            )
        self.owner_url = make_url(admin_url).set(database=self.name)
        self.owner = open_database(self.owner_url.render_as_string(hide_password=False))
        create_demo(self.owner, users=USERS, leads=leads)
        set_up_server(self.owner)
        with self.owner.write() as session:
            session.execute(
                text("UPDATE users SET db_login = :login WHERE name = 'Maria Manager'"),
                {"login": LOGIN},
            )
            session.execute(text("SELECT leaddesk_sync_login(:login)"), {"login": LOGIN})
            session.execute(text("ANALYZE"))
        self.login_url = self.owner_url.set(username=LOGIN).render_as_string(hide_password=False)

    def managed(self) -> list[int]:
        with self.owner.read() as session:
            maria = session.scalars(select(User.id).where(User.name == "Maria Manager")).one()
            return list(
                session.scalars(
                    select(ManagerRight.user_id)
                    .where(ManagerRight.manager_id == maria, ManagerRight.user_id != maria)
                    .order_by(ManagerRight.user_id)
                )
            )

    def move_on_server(self, count: int, to_user: int) -> None:
        """Passes by the owner login (as Ada) of ``count`` leads not yet with ``to_user``,
        500 at a time (what people do; not timed)."""
        with self.owner.read() as session:
            ada = session.scalars(select(User.id).where(User.name == "Ada Admin")).one()
            ids = list(
                session.scalars(
                    select(Lead.id).where(Lead.owner_id != to_user).order_by(Lead.id).limit(count)
                )
            )
        for start in range(0, len(ids), 500):
            with self.owner.write() as session:
                pass_leads(
                    session,
                    actor_id=ada,
                    selection=Selection.of_leads([LeadRef(i) for i in ids[start : start + 500]]),
                    target=Target.user(to_user),
                )

    def close(self) -> None:
        self.owner.dispose()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def offline_passes(replica_path: str, count: int, targets: list[int]) -> None:
    """``count`` passes of one lead each on the replica (journaled; not timed)."""
    replica = open_database(replica_path)
    try:
        with replica.read() as session:
            maria = session.scalars(select(User.id).where(User.name == "Maria Manager")).one()
            leads = session.execute(
                select(Lead.id, Lead.version, Lead.owner_id).order_by(Lead.id).limit(count)
            ).all()
        for number, (lead_id, version, owner) in enumerate(leads):
            target = next(t for t in targets[number % 7 :] + targets if t != owner)
            with replica.write() as session:
                pass_leads(
                    session,
                    actor_id=maria,
                    selection=Selection.of_leads([LeadRef(lead_id, version)]),
                    target=Target.user(target),
                    note="Offline pass",
                )
    finally:
        replica.dispose()


def online_passes(server: Server, count: int, targets: list[int]) -> float:
    """The baseline: the same kind of passes made directly on the server as the login."""
    database = open_database(server.login_url, migrate=False)
    try:
        with database.read() as session:
            maria = session.scalars(select(User.id).where(User.name == "Maria Manager")).one()
            leads = session.execute(
                select(Lead.id, Lead.version, Lead.owner_id).order_by(Lead.id.desc()).limit(count)
            ).all()

        def work() -> None:
            for number, (lead_id, version, owner) in enumerate(leads):
                target = next(t for t in targets[number % 7 :] + targets if t != owner)
                with database.write() as session:
                    pass_leads(
                        session,
                        actor_id=maria,
                        selection=Selection.of_leads([LeadRef(lead_id, version)]),
                        target=Target.user(target),
                        note="Online pass",
                    )

        return timed(work)
    finally:
        database.dispose()


def push_then_pull(replica_path: str, chunk: int = push.PUSH_CHUNK) -> tuple[float, float]:
    default, push.PUSH_CHUNK = push.PUSH_CHUNK, chunk
    try:
        with open_replica(replica_path) as replica:
            server = connect_server(make_url(_server_url(replica)))
            try:
                pushed = timed(lambda: push.push_journal(replica, server))
                pulled = timed(lambda: pull_into(replica, server, SCHEMA_HEAD))
            finally:
                server.dispose()
    finally:
        push.PUSH_CHUNK = default
    return pushed, pulled


# Each pass the person makes adds to what the server's policies look at for the next one
# (their own batches), so later passes cost a little more. The three ways are measured in
# halves of 500 in the order A B C C B A: each way's halves sit at the same mean position.
HALF = 500
ORDER = ("one per tx", "chunked", "online", "online", "chunked", "one per tx")


def compare_pushes(server: Server, path: str, targets: list[int]) -> dict[str, float]:
    spent = {way: 0.0 for way in ORDER}
    pulled = 0.0
    for way in ORDER:
        if way == "online":
            spent[way] += online_passes(server, HALF, targets)
            continue
        offline_passes(path, HALF, targets)
        pushed, pull = push_then_pull(path, chunk=1 if way == "one per tx" else push.PUSH_CHUNK)
        spent[way] += pushed
        if way == "chunked":
            pulled += pull
    return {
        "push 1,000 journaled": spent["chunked"],
        "  then pull them": pulled,
        "push 1,000, 1 per tx": spent["one per tx"],
        "1,000 online passes": spent["online"],
    }


def _server_url(replica: Database) -> str:
    with replica.read() as session:
        return str(session.scalar(text("SELECT server_url FROM replica_state")))


def measure(admin_url: str, leads: int, work: Path, large: bool) -> dict[str, float]:
    print(f"  preparing a server with {leads:,} leads ...", file=sys.stderr)
    server = Server(admin_url, leads)
    figures: dict[str, float] = {}
    try:
        path = str(work / f"replica-{leads}.sqlite3")
        figures["replica create"] = timed(
            lambda: create_replica(server.login_url, path, actor=None)
        )
        figures["no-op sync"] = timed(lambda: sync_replica(path))
        targets = server.managed()
        server.move_on_server(1_000, targets[0])
        figures["pull 1,000 changed"] = timed(lambda: sync_replica(path))
        if large:
            server.move_on_server(10_000, targets[1])
            figures["pull 10,000 changed"] = timed(lambda: sync_replica(path))
            figures.update(compare_pushes(server, path, targets))
    finally:
        server.close()
    for label, seconds in figures.items():
        print(f"  {leads:>7,} leads  {label:<22} {seconds:7.3f} s", file=sys.stderr)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[25_000, 100_000])
    args = parser.parse_args()
    small, large = args.sizes
    url = os.environ.get("LEADDESK_BENCH_PG_URL")
    cluster = None
    if not url:
        from tests.helpers.postgres import start_cluster

        cluster = start_cluster(durable=True)
        if cluster is None:
            print("No PostgreSQL: set LEADDESK_BENCH_PG_URL.", file=sys.stderr)
            return 1
        url = cluster.admin_url
    try:
        with tempfile.TemporaryDirectory(prefix="leaddesk-bench-sync-") as work:
            results = {
                size: measure(url, size, Path(work), size == large) for size in (small, large)
            }
    finally:
        if cluster is not None:
            cluster.stop()
    labels = list(results[large])
    print("\nOffline sync as an ordinary login under row-level security (seconds):")
    print(f"| {'step':<22} | {small:>9,} leads | {large:>9,} leads | large / small |")
    print(f"|{'-' * 24}|{'-' * 17}:|{'-' * 17}:|{'-' * 14}:|")
    for label in labels:
        first = results[small].get(label)
        second = results[large][label]
        shown = f"{first:>15.3f}" if first is not None else f"{'':>15}"
        ratio = f"{second / first:>13.2f}" if first else f"{'':>13}"
        print(f"| {label:<22} | {shown} | {second:>15.3f} | {ratio} |")
    full = results[large]["replica create"] / results[small]["replica create"]
    incremental = results[large]["pull 1,000 changed"] / results[small]["pull 1,000 changed"]
    pushed = results[large]["push 1,000 journaled"]
    online = pushed / results[large]["1,000 online passes"]
    one_per_transaction = pushed / results[large]["push 1,000, 1 per tx"]
    print(
        f"full_pull_large_vs_small={full:.2f} pull_1000_large_vs_small={incremental:.2f} "
        f"push_vs_online={online:.2f} push_vs_one_per_transaction={one_per_transaction:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
