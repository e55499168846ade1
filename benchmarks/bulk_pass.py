"""Bulk pass benchmark: all leads of one user to another, with a note, history and outbox.

Three ways, on SQLite (a temporary file) and PostgreSQL (``LEADDESK_BENCH_PG_URL``, an admin
URL that may CREATE DATABASE, or a throwaway cluster from the machine's server binaries):

- controller: ``pass_leads`` inside ``Database.write()``, exactly as the window and CLI do;
- raw SQL: hand-written SQL text on the DBAPI connection doing the same writes (batch row,
  leads updated, one history row and one note per lead, one outbox row);
- naive ORM: load each lead, change it, add history and note objects, flush per lead.

Every run starts from a fresh copy of a template database (file copy / CREATE DATABASE ...
TEMPLATE) that is warmed with the same read before timing; setup is not timed. The time
includes the commit. Usage::

    python benchmarks/bulk_pass.py [--sizes 10000 100000] [--runs 3] [--sqlite-runs 7]

The last line is ``controller_vs_raw_sqlite=R1 controller_vs_raw_postgresql=R2`` (medians
at the largest size), followed by ``login_vs_owner_postgresql=R3``: the same controller pass
as an ordinary login under the server policies vs the owner login (see policy_cost.py;
``--only-login`` runs just that part).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policy_cost  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from leaddesk.reassignment.controller import pass_leads  # noqa: E402
from leaddesk.reassignment.requests import PassMethod, Selection, Target  # noqa: E402
from leaddesk.store.database import Database, open_database  # noqa: E402
from leaddesk.store.demo import _bulk_insert_leads, create_demo  # noqa: E402
from leaddesk.store.models import (  # noqa: E402
    Lead,
    LeadNote,
    OutboxMessage,
    PassBatch,
    PassHistory,
    Status,
    User,
    utc_now,
)

NOTE = "Territory change: these accounts move to the new rep. Call them this week."
SOURCE = "Bench Source"
TARGET = "Bench Target"


@dataclass(frozen=True)
class People:
    actor: int
    source: int
    target: int
    target_email: str


# -- template databases ------------------------------------------------------------------


def _seed(database: Database, leads: int) -> None:
    """Demo data plus two bench users (managed by Maria) and ``leads`` leads of the source."""
    create_demo(database)
    with database.write() as session:
        maria = session.scalars(select(User.id).where(User.name == "Maria Manager")).one()
        ids = []
        for name in (SOURCE, TARGET):
            user = User(name=name, email=name.lower().replace(" ", ".") + "@example.com")
            session.add(user)
            session.flush()
            ids.append(user.id)
        session.execute(
            text("INSERT INTO manager_rights (manager_id, user_id) VALUES (:m, :u)"),
            [{"m": maria, "u": uid} for uid in ids],
        )
        statuses = list(session.scalars(select(Status.id).order_by(Status.position)))
    _bulk_insert_leads(database, leads, [ids[0]], statuses, random.Random(7))


def _people(database: Database) -> People:
    with database.read() as session:

        def uid(name: str) -> int:
            return session.scalars(select(User.id).where(User.name == name)).one()

        target = uid(TARGET)
        email = session.scalars(select(User.email).where(User.id == target)).one()
        return People(uid("Maria Manager"), uid(SOURCE), target, email)


class SqliteBackend:
    name = "sqlite"

    def __init__(self, work: Path) -> None:
        self.work = work
        self.templates: dict[int, Path] = {}
        self.counter = 0

    def template(self, leads: int) -> None:
        path = self.work / f"template-{leads}.sqlite3"
        database = open_database(str(path))
        _seed(database, leads)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.dispose()
        self.templates[leads] = path

    def fresh(self, leads: int) -> Database:
        self.counter += 1
        path = self.work / f"run-{self.counter}.sqlite3"
        shutil.copyfile(self.templates[leads], path)
        # Flush the copy now (untimed): otherwise the pass's commit, whose WAL checkpoint
        # fsyncs the file, would also pay for writing out the freshly copied pages.
        with path.open("rb+") as copied:
            os.fsync(copied.fileno())
        return open_database(str(path))

    def drop(self, database: Database) -> None:
        path = database.url.database
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresBackend:
    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.counter = 0
        self.templates: list[str] = []

    def _url(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def template(self, leads: int) -> None:
        name = f"bench_template_{leads}"
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._sql(f'CREATE DATABASE "{name}"')
        database = open_database(self._url(name))
        _seed(database, leads)
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
        database.dispose()
        self.templates.append(name)

    def server_template(self, leads: int) -> None:
        """A copy of the template set up as a shared server (policies on)."""
        name = f"bench_server_template_{leads}"
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "bench_template_{leads}"')
        database = open_database(self._url(name))
        policy_cost.prepare_template(self._sql, database)
        database.dispose()
        self.templates.append(name)

    def fresh(self, leads: int, template: str = "bench_template") -> Database:
        self.counter += 1
        name = f"bench_run_{self.counter}"
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}_{leads}"')
        return open_database(self._url(name))

    def drop(self, database: Database) -> None:
        name = database.url.database
        database.dispose()
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates:
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


# -- the three ways ----------------------------------------------------------------------


def via_controller(database: Database, people: People) -> int:
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=people.actor,
            selection=Selection.all_of_user(people.source),
            target=Target.user(people.target),
            note=NOTE,
            method=PassMethod.DRAG_USER,
        )
    return result.moved


def via_raw_sql(database: Database, people: People) -> int:
    """The same writes by hand: what an expert would type for this one case."""
    now = utc_now()
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:
            # Pragmas (WAL, foreign keys, autocommit mode) come from the engine's connect hook.
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(
                "INSERT INTO pass_batches (actor_id, method, note, lead_count, created_at)"
                " VALUES (?, 'drag_user', ?, 0, ?)",
                (people.actor, NOTE, now),
            )
            batch = cursor.lastrowid
            cursor.execute(
                "INSERT INTO pass_history (batch_id, lead_id, from_owner_id, to_owner_id,"
                " to_version) SELECT ?, id, owner_id, ?, version + 1 FROM leads"
                " WHERE owner_id = ?",
                (batch, people.target, people.source),
            )
            cursor.execute(
                "UPDATE leads SET owner_id = ?, version = version + 1, last_batch_id = ?,"
                " updated_at = ? WHERE owner_id = ?",
                (people.target, batch, now, people.source),
            )
            moved = cursor.rowcount
            cursor.execute(
                "INSERT INTO lead_notes (lead_id, author_id, batch_id, body, created_at)"
                " SELECT lead_id, ?, ?, ?, ? FROM pass_history WHERE batch_id = ?",
                (people.actor, batch, NOTE, now, batch),
            )
            params = "?, ?, ?, 'owner', ?, 'queued', 0, ?, ?, ?"
            cursor.execute("UPDATE pass_batches SET lead_count = ? WHERE id = ?", (moved, batch))
        else:
            cursor.execute(
                "INSERT INTO pass_batches (actor_id, method, note, lead_count, created_at)"
                " VALUES (%s, 'drag_user', %s, 0, %s) RETURNING id",
                (people.actor, NOTE, now),
            )
            batch = cursor.fetchone()[0]
            # The UPDATE re-checks owner_id after any lock wait, and the history is written
            # from its RETURNING rows in the same statement, so both match exactly even with
            # concurrent writers. (Feeding the notes from that CTE too measured the same.)
            cursor.execute(
                "WITH moved AS ("
                "  UPDATE leads SET owner_id = %(to)s, version = version + 1,"
                "   last_batch_id = %(batch)s, updated_at = %(now)s"
                "  WHERE owner_id = %(src)s RETURNING id, version)"
                " INSERT INTO pass_history (batch_id, lead_id, from_owner_id, to_owner_id,"
                "  to_version) SELECT %(batch)s, id, %(src)s, %(to)s, version FROM moved",
                {"to": people.target, "batch": batch, "now": now, "src": people.source},
            )
            moved = cursor.rowcount
            cursor.execute(
                "INSERT INTO lead_notes (lead_id, author_id, batch_id, body, created_at)"
                " SELECT lead_id, %s, %s, %s, %s FROM pass_history WHERE batch_id = %s",
                (people.actor, batch, NOTE, now, batch),
            )
            params = "%s, %s, %s, 'owner', %s, 'queued', 0, %s, %s, %s"
            cursor.execute("UPDATE pass_batches SET lead_count = %s WHERE id = %s", (moved, batch))
        cursor.execute(
            "INSERT INTO outbox (batch_id, recipient_id, recipient_email, kind, lead_count,"
            f" status, attempts, next_attempt_at, created_at, message_key) VALUES ({params})",
            (batch, people.target, people.target_email, moved, now, now, uuid.uuid4().hex),
        )
        if database.is_sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
        return moved
    finally:
        raw.close()


def via_naive_orm(database: Database, people: People) -> int:
    """One lead at a time, as code written without thinking about round trips would."""
    now = utc_now()
    with Session(database.engine) as session, session.begin():
        batch = PassBatch(actor_id=people.actor, method="drag_user", note=NOTE, created_at=now)
        session.add(batch)
        session.flush()
        ids = list(session.scalars(select(Lead.id).where(Lead.owner_id == people.source)))
        for lead_id in ids:
            lead = session.get(Lead, lead_id)
            assert lead is not None
            previous = lead.owner_id
            lead.owner_id = people.target
            lead.version += 1
            lead.last_batch_id = batch.id
            lead.updated_at = now
            session.add(
                PassHistory(
                    batch_id=batch.id,
                    lead_id=lead.id,
                    from_owner_id=previous,
                    to_owner_id=people.target,
                    to_version=lead.version,
                )
            )
            session.add(
                LeadNote(lead_id=lead.id, author_id=people.actor, batch_id=batch.id, body=NOTE)
            )
            session.flush()
        batch.lead_count = len(ids)
        session.add(
            OutboxMessage(
                batch_id=batch.id,
                recipient_id=people.target,
                recipient_email=people.target_email,
                kind="owner",
                lead_count=len(ids),
            )
        )
    return len(ids)


WAYS: dict[str, Callable[[Database, People], int]] = {
    "controller": via_controller,
    "raw SQL": via_raw_sql,
    "naive ORM": via_naive_orm,
}


def _check(database: Database, people: People, leads: int) -> None:
    """Every way must leave the same result behind, or the comparison means nothing."""
    with database.read() as session:
        counts = {
            "moved": session.scalar(
                select(text("count(*)")).select_from(Lead).where(Lead.owner_id == people.target)
            ),
            "history": session.scalar(select(text("count(*)")).select_from(PassHistory)),
            "notes": session.scalar(select(text("count(*)")).select_from(LeadNote)),
            "outbox": session.scalar(select(text("count(*)")).select_from(OutboxMessage)),
        }
    expected = {"moved": leads, "history": leads, "notes": leads, "outbox": 1}
    if counts != expected:
        raise SystemExit(f"wrong result after a run: {counts} != {expected}")


def _warm(database: Database, people: People) -> None:
    with database.read() as session:
        session.execute(select(text("count(*)")).select_from(Lead)).all()
        session.execute(select(Lead.id, Lead.version).where(Lead.owner_id == people.source)).all()


def measure(
    backend: SqliteBackend | PostgresBackend, way: str, leads: int, runs: int
) -> list[float]:
    times = []
    for _ in range(runs):
        database = backend.fresh(leads)
        try:
            people = _people(database)
            _warm(database, people)
            start = time.perf_counter()
            moved = WAYS[way](database, people)
            times.append(time.perf_counter() - start)
            if moved != leads:
                raise SystemExit(f"{way} moved {moved} leads, expected {leads}")
            _check(database, people, leads)
        finally:
            backend.drop(database)
    return times


def _timed_controller_pass(database: Database, leads: int) -> float:
    people = _people(database)
    _warm(database, people)
    start = time.perf_counter()
    moved = via_controller(database, people)
    elapsed = time.perf_counter() - start
    if moved != leads:
        raise SystemExit(f"the controller moved {moved} leads, expected {leads}")
    return elapsed


def measure_login_vs_owner(pg: PostgresBackend, leads: int, runs: int) -> float:
    """The controller pass as an ordinary login under the policies, vs the owner login."""
    pg.server_template(leads)
    times: dict[str, list[float]] = {way: [] for way in policy_cost.WAYS}
    for _round in range(runs):
        for way in policy_cost.WAYS:
            database = pg.fresh(leads, "bench_server_template")
            try:
                seconds = policy_cost.run_once(
                    way, database, lambda db: _timed_controller_pass(db, leads)
                )
                times[way].append(seconds)
                _check(database, _people(database), leads)
            finally:
                pg.drop(database)
            print(f"  postgresql {way:<20} {leads:>7,} leads: {seconds:.3f}", file=sys.stderr)
    return policy_cost.report(times, leads)


def _postgres_backend() -> tuple[PostgresBackend | None, object]:
    url = os.environ.get("LEADDESK_BENCH_PG_URL")
    cluster = None
    if not url:
        from tests.helpers.postgres import start_cluster

        cluster = start_cluster()
        if cluster is None:
            return None, None
        url = cluster.admin_url
    return PostgresBackend(url), cluster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="PostgreSQL runs per way and size")
    parser.add_argument(
        "--sqlite-runs", type=int, default=7, help="SQLite runs per way and size (cheaper, noisier)"
    )
    parser.add_argument(
        "--naive-max", type=int, default=10_000, help="largest size the naive ORM loop runs at"
    )
    # One run: at 10,000 leads the naive loop takes about 15 s on SQLite and a minute on
    # PostgreSQL on a 2-core machine; its order of magnitude is the point, not its median.
    parser.add_argument("--naive-runs", type=int, default=1)
    parser.add_argument(
        "--login-runs", type=int, default=3, help="runs per way of the login-vs-owner part"
    )
    parser.add_argument(
        "--only-login", action="store_true", help="run only the login-vs-owner part"
    )
    args = parser.parse_args()
    if args.only_login:
        return main_login_only(args.sizes, args.login_runs)

    work = Path(tempfile.mkdtemp(prefix="leaddesk-bench-"))
    pg, cluster = _postgres_backend()
    backends: list[SqliteBackend | PostgresBackend] = [SqliteBackend(work)]
    if pg is not None:
        backends.append(pg)
    else:
        print("PostgreSQL: no LEADDESK_BENCH_PG_URL and no server binaries; skipped")
    results: dict[tuple[str, str, int], float | None] = {}
    login_ratio: float | None = None
    try:
        for backend in backends:
            for leads in args.sizes:
                backend.template(leads)
                runs = args.runs if backend.name == "postgresql" else args.sqlite_runs
                naive = leads <= args.naive_max
                times: dict[str, list[float]] = {way: [] for way in WAYS}
                # Rounds alternate the ways, so a busy moment on a shared machine hits
                # each way alike instead of skewing one way's runs.
                for round_number in range(max(runs, args.naive_runs if naive else 0)):
                    for way in WAYS:
                        limit = (args.naive_runs if naive else 0) if way == "naive ORM" else runs
                        if round_number < limit:
                            times[way] += measure(backend, way, leads, 1)
                for way, measured in times.items():
                    results[(backend.name, way, leads)] = (
                        statistics.median(measured) if measured else None
                    )
                    print(
                        f"  {backend.name:<10} {way:<10} {leads:>7,} leads: "
                        + (" ".join(f"{t:.3f}" for t in measured) or "not run"),
                        file=sys.stderr,
                    )
        if pg is not None:
            login_ratio = measure_login_vs_owner(pg, max(args.sizes), args.login_runs)
    finally:
        for backend in backends:
            backend.close()
        if cluster is not None:
            cluster.stop()  # type: ignore[attr-defined]
        shutil.rmtree(work, ignore_errors=True)

    largest = max(args.sizes)
    print(
        "Median seconds per pass of all leads of one user (note, history, outbox written, "
        f"commit included); runs: SQLite {args.sqlite_runs}, PostgreSQL {args.runs}, "
        f"naive ORM {args.naive_runs}"
    )
    header = f"| {'backend':<10} | {'leads':>7} | {'controller':>10} | {'raw SQL':>8} | "
    header += f"{'naive ORM':>9} | {'ctrl/raw':>8} |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    ratios: dict[str, float] = {}
    for backend in backends:
        for leads in args.sizes:
            ctrl = results[(backend.name, "controller", leads)]
            raw = results[(backend.name, "raw SQL", leads)]
            naive = results[(backend.name, "naive ORM", leads)]
            assert ctrl is not None and raw is not None
            ratio = ctrl / raw
            if leads == largest:
                ratios[backend.name] = ratio
            naive_cell = f"{naive:.3f}" if naive is not None else "not run"
            print(
                f"| {backend.name:<10} | {leads:>7,} | {ctrl:>10.3f} | {raw:>8.3f} | "
                f"{naive_cell:>9} | {ratio:>8.2f} |"
            )
    print(
        "(each run opens a new engine, as the command line does: the controller's times "
        "include its first-use SQL compilation, about 50 ms)"
    )
    if any(results[(b.name, "naive ORM", largest)] is None for b in backends):
        print(
            f"(naive ORM runs only up to {args.naive_max:,} leads: at {largest:,} it takes "
            "minutes; it grows linearly with the lead count)"
        )
    sqlite_ratio = ratios.get("sqlite")
    pg_ratio = ratios.get("postgresql")
    print(
        f"controller_vs_raw_sqlite={sqlite_ratio:.2f} "
        + (
            f"controller_vs_raw_postgresql={pg_ratio:.2f}"
            if pg_ratio is not None
            else "controller_vs_raw_postgresql=n/a"
        )
    )
    if login_ratio is not None:
        print(f"login_vs_owner_postgresql={login_ratio:.2f} (target: at most 1.3)")
    return 0


def main_login_only(sizes: list[int], runs: int) -> int:
    pg, cluster = _postgres_backend()
    if pg is None:
        print("PostgreSQL: no LEADDESK_BENCH_PG_URL and no server binaries; nothing to measure")
        return 1
    try:
        largest = max(sizes)
        pg.template(largest)
        ratio = measure_login_vs_owner(pg, largest, runs)
    finally:
        pg.close()
        if cluster is not None:
            cluster.stop()  # type: ignore[attr-defined]
    print(f"login_vs_owner_postgresql={ratio:.2f} (target: at most 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
