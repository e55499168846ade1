"""Start-up benchmark: whole processes, each against a baseline measured in the same run.

On the demo database, on SQLite (a temporary file) and PostgreSQL (``LEADDESK_BENCH_PG_URL``,
an admin URL that may CREATE DATABASE, or a throwaway cluster from the machine's server
binaries):

- window: ``leaddesk --as "Maria Manager" --screenshot FILE`` against a bare PySide6 window
  with a tree view rendered the same way. The figure is the time from starting the process
  to the window's first paint (its frame and loading state; both processes report the
  moment, ``LEADDESK_TRACE_START``); beside it, the time until LeadDesk's trees were filled
  and each whole process (the PNG of the filled window written, the process ended);
- ``leaddesk leads`` and ``leaddesk pass`` (one lead, back and forth between two users)
  against importing SQLAlchemy and running one query with the driver.

Each figure is the median of ``--runs`` runs after a warm-up; the app and its baseline run
alternately so a busy machine slows both alike; CPU seconds (user + system) are shown
beside, as they suffer less from a busy machine. Then ``python -X importtime`` of each app
run: the ten modules that cost the most by themselves (median of three runs). Usage::

    python benchmarks/startup.py [--runs 7] [--command-runs 31] [--no-postgresql]
                                 [--only window|commands]

The commands take a third of a second, so a neighbour's burst on this shared machine moves
one run by as much as LeadDesk's whole difference: they run ``--command-runs`` times in
pairs (app then baseline, then baseline then app, ...), and a command's ratio is the median
of the pairs' ratios, so slow moments cancel out within each pair. The spread of the pairs'
ratios (quartiles) is printed beside it. Every module is compiled to bytecode first, as an
installed program is (``PYTHONDONTWRITEBYTECODE`` would otherwise make each run compile
LeadDesk's sources again).

The last line is ``window_vs_bare_qt=R1 cli_vs_bare_sqlalchemy=R2``: the worst ratio over the
backends (and, for R2, over both commands). Targets: R1 at most 2.5, R2 at most 1.5. The line
before it gives the same ratios in CPU seconds (user + system, with the programs a process
starts), the steadier figure while other work shares the machine.
"""

from __future__ import annotations

import argparse
import compileall
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from leaddesk.store.database import open_database  # noqa: E402
from leaddesk.store.demo import create_demo  # noqa: E402
from tests.helpers.postgres import Cluster, start_cluster  # noqa: E402

ACTOR = "Maria Manager"
OWNERS = ("John Smith", "Jane Doe")  # the passed lead goes back and forth between these

BARE_QT = """
import sys, time
from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView

class Window(QMainWindow):
    painted = False

    def paintEvent(self, event):
        super().paintEvent(event)
        self.painted = True

app = QApplication(sys.argv[:1])
window = Window()
model = QStandardItemModel()
model.setHorizontalHeaderLabels(["Lead", "Company"])
for user in range(8):
    owner = QStandardItem(f"User {user}")
    for status in ("LEAD", "OPPORTUNITY"):
        group = QStandardItem(status)
        for lead in range(3):
            group.appendRow([QStandardItem(f"Lead {lead}"), QStandardItem("Company")])
        owner.appendRow(group)
    model.appendRow(owner)
tree = QTreeView()
tree.setModel(model)
window.setCentralWidget(tree)
window.resize(1180, 720)
window.show()
tree.expand(model.index(0, 0))
while not window.painted:
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
now, cpu = time.monotonic(), time.process_time()
print(f"leaddesk-start first-paint {now:.6f} {cpu:.6f}", file=sys.stderr, flush=True)
if not window.grab().save(sys.argv[1], "PNG"):
    sys.exit(1)
"""

BARE_SQLITE = """
import sys, sqlalchemy, sqlite3
connection = sqlite3.connect(sys.argv[1])
print(connection.execute("SELECT count(*) FROM leads").fetchone()[0])
"""

BARE_POSTGRESQL = """
import sys, sqlalchemy, psycopg
with psycopg.connect(sys.argv[1]) as connection:
    print(connection.execute("SELECT count(*) FROM leads").fetchone()[0])
"""


@dataclass
class Case:
    what: str
    backend: str
    app: Callable[[], list[str]]  # the arguments after "python" for the next run
    baseline: list[str]
    kind: str  # "window" or "cli"


@dataclass
class Result:
    case: Case
    app_s: float
    baseline_s: float
    app_cpu_s: float
    baseline_cpu_s: float
    # Commands: the wall-clock and CPU ratio of each pair of runs (app beside its baseline).
    pair_ratios: list[float] = field(default_factory=list)
    pair_cpu_ratios: list[float] = field(default_factory=list)
    # The window: app_s and baseline_s are to the first paint; these are the medians to the
    # trees filled (LeadDesk) and of the whole processes (both), in seconds.
    filled_s: float = float("nan")
    app_whole_s: float = float("nan")
    baseline_whole_s: float = float("nan")

    @property
    def ratio(self) -> float:
        if self.pair_ratios:
            return statistics.median(self.pair_ratios)
        return self.app_s / self.baseline_s

    @property
    def cpu_ratio(self) -> float:
        if self.pair_cpu_ratios:
            return statistics.median(self.pair_cpu_ratios)
        return self.app_cpu_s / self.baseline_cpu_s

    @property
    def spread(self) -> str:
        """The quartiles of the pairs' wall-clock ratios (commands only)."""
        if len(self.pair_ratios) < 4:
            return ""
        low, _median, high = statistics.quantiles(self.pair_ratios, n=4)
        return f"{low:.2f}–{high:.2f}"


def run_process(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one whole process."""
    elapsed, cpu, _milestones = run_traced(args, env)
    return elapsed, cpu


def run_traced(
    args: list[str], env: dict[str, str]
) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """One whole process's wall-clock and CPU seconds, and the milestones it reported
    (``leaddesk-start NAME MONOTONIC CPU`` on stderr) as seconds since it was started and
    CPU seconds so far."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started_at = time.monotonic()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    milestones = {}
    for line in done.stderr.splitlines():
        if line.startswith("leaddesk-start "):
            _tag, name, at, cpu_so_far = line.split()
            milestones[name] = (float(at) - started_at, float(cpu_so_far))
    return elapsed, cpu, milestones


def measure_window(case: Case, runs: int, env: dict[str, str]) -> Result:
    """The window: seconds and CPU seconds to the first paint, each run's process reporting
    the moment; the app and the baseline alternate."""
    traced = {**env, "LEADDESK_TRACE_START": "1"}
    run_traced(case.app(), traced)  # warm-up: disk cache, .pyc files
    run_traced(case.baseline, traced)
    app, baseline = [], []
    for _ in range(runs):
        app.append(run_traced(case.app(), traced))
        baseline.append(run_traced(case.baseline, traced))

    def median(runs: list[tuple[float, float, dict]], milestone: str, part: int) -> float:
        return statistics.median(marks[milestone][part] for _, _, marks in runs)

    return Result(
        case,
        median(app, "first-paint", 0),
        median(baseline, "first-paint", 0),
        median(app, "first-paint", 1),
        median(baseline, "first-paint", 1),
        filled_s=median(app, "trees-filled", 0),
        app_whole_s=statistics.median(wall for wall, _, _ in app),
        baseline_whole_s=statistics.median(wall for wall, _, _ in baseline),
    )


def measure_pairs(case: Case, runs: int, env: dict[str, str]) -> Result:
    """A command: ``runs`` pairs of the app and its baseline run back to back, which one goes
    first alternating, so that a busy moment of the machine falls on both sides of a pair."""
    run_process(case.app(), env)  # warm-up: disk cache, .pyc files
    run_process(case.baseline, env)
    app, baseline = [], []
    for index in range(runs):
        if index % 2:
            baseline.append(run_process(case.baseline, env))
            app.append(run_process(case.app(), env))
        else:
            app.append(run_process(case.app(), env))
            baseline.append(run_process(case.baseline, env))
    return Result(
        case,
        statistics.median(wall for wall, _ in app),
        statistics.median(wall for wall, _ in baseline),
        statistics.median(cpu for _, cpu in app),
        statistics.median(cpu for _, cpu in baseline),
        pair_ratios=[a[0] / b[0] for a, b in zip(app, baseline, strict=True)],
        pair_cpu_ratios=[a[1] / b[1] for a, b in zip(app, baseline, strict=True)],
    )


def import_top(
    next_args: Callable[[], list[str]], env: dict[str, str], runs: int = 3, count: int = 10
) -> list[tuple[float, str]]:
    """The modules with the largest self time under ``-X importtime`` (median ms of runs)."""
    costs: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *next_args()],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _cumulative, name = line[len("import time:") :].split("|")
            costs.setdefault(name.strip(), []).append(int(self_us) / 1000)
    medians = [(statistics.median(times), name) for name, times in costs.items()]
    return sorted(medians, reverse=True)[:count]


def leaddesk_cases(backend: str, url: str, driver_url: str, work: Path) -> list[Case]:
    app = ["-m", "leaddesk", "--db", url]
    lead_id = _a_lead_of(url, OWNERS[0])
    bare_cli = ["-c", BARE_SQLITE if backend == "sqlite" else BARE_POSTGRESQL, driver_url]
    shot = str(work / f"window-{backend}.png")

    next_owner = itertools.cycle([OWNERS[1], OWNERS[0]])

    def passing() -> list[str]:
        # The same work every run: the lead goes to the other owner and back.
        return [*app, "pass", "--as", ACTOR, "--lead", str(lead_id), "--to-user", next(next_owner)]

    return [
        Case(
            "window",
            backend,
            lambda: [*app, "--as", ACTOR, "--screenshot", shot],
            ["-c", BARE_QT, str(work / "bare.png")],
            "window",
        ),
        Case("leads", backend, lambda: [*app, "leads", "--as", ACTOR], bare_cli, "cli"),
        Case("pass", backend, passing, bare_cli, "cli"),
    ]


def _a_lead_of(url: str, owner: str) -> int:
    listing = ["leads", "--as", ACTOR, "--owner", owner, "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", url, *listing],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)[0]["id"]


def sqlite_database(work: Path) -> tuple[str, str]:
    path = work / "demo.sqlite3"
    database = open_database(str(path))
    create_demo(database)
    database.dispose()
    return str(path), str(path)


def postgresql_database() -> tuple[str, str, Cluster | None]:
    admin_url = os.environ.get("LEADDESK_BENCH_PG_URL")
    cluster = None
    if not admin_url:
        cluster = start_cluster()
        if cluster is None:
            raise SystemExit("no PostgreSQL: set LEADDESK_BENCH_PG_URL or install postgresql-15")
        admin_url = cluster.admin_url
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "leaddesk_startup" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "leaddesk_startup"'))
    admin.dispose()
    url = make_url(admin_url).set(database="leaddesk_startup")
    app_url = url.render_as_string(hide_password=False)
    database = open_database(app_url)
    create_demo(database)
    database.dispose()
    driver_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return app_url, driver_url, cluster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument(
        "--command-runs",
        type=int,
        default=31,
        help="timed pairs of runs of each command and its baseline (default 31)",
    )
    parser.add_argument(
        "--only", choices=("window", "commands"), default=None, help="measure only these"
    )
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="leaddesk-startup-"))
    # An installed LeadDesk has its bytecode; no run should pay for compiling the sources.
    compileall.compile_dir(ROOT / "leaddesk", quiet=1)
    # Nobody's real settings or default database; the machine's own keyring, as a user has.
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
    }
    cases = leaddesk_cases("sqlite", *sqlite_database(work), work)
    cluster = None
    try:
        if not args.no_postgresql:
            app_url, driver_url, cluster = postgresql_database()
            cases += leaddesk_cases("postgresql", app_url, driver_url, work)
        if args.only is not None:
            cases = [c for c in cases if (c.kind == "window") == (args.only == "window")]
        results = []
        for case in cases:
            if case.kind == "cli":
                results.append(measure_pairs(case, args.command_runs, env))
            else:
                results.append(measure_window(case, args.runs, env))
            result = results[-1]
            spread = f", pairs {result.spread}" if result.spread else ""
            if case.kind == "window":
                spread = (
                    f", trees filled {result.filled_s:.3f} s, whole processes "
                    f"{result.app_whole_s:.3f} s / {result.baseline_whole_s:.3f} s"
                )
            print(
                f"{case.what:<7} {case.backend:<10} {result.app_s:6.3f} s  baseline "
                f"{result.baseline_s:6.3f} s  ratio {result.ratio:4.2f}{spread}  "
                f"(CPU {result.app_cpu_s:.3f} s / {result.baseline_cpu_s:.3f} s "
                f"= {result.cpu_ratio:4.2f})",
                flush=True,
            )
        print()
        for case in cases:
            print(f"-X importtime, {case.what} on {case.backend}: top 10 by self time (ms)")
            for self_ms, name in import_top(case.app, env):
                print(f"  {self_ms:7.1f}  {name}")
        print()
        _print_table(results, args.runs, args.command_runs)
    finally:
        if cluster is not None:
            cluster.stop()

    def worst(kind: str, ratio: Callable[[Result], float]) -> float:
        return max((ratio(r) for r in results if r.case.kind == kind), default=float("nan"))

    # CPU seconds move far less than wall clock on a busy machine: the same ratios in CPU.
    print(
        f"cpu: window_vs_bare_qt={worst('window', lambda r: r.cpu_ratio):.2f} "
        f"cli_vs_bare_sqlalchemy={worst('cli', lambda r: r.cpu_ratio):.2f}"
    )
    window, cli = worst("window", lambda r: r.ratio), worst("cli", lambda r: r.ratio)
    print(f"window_vs_bare_qt={window:.2f} cli_vs_bare_sqlalchemy={cli:.2f}")
    return 0


def _print_table(results: list[Result], runs: int, command_runs: int) -> None:
    print(
        f"median seconds after a warm-up, the window of {runs} runs, each command of "
        f"{command_runs} pairs (its ratios: the median of the pairs', quartiles beside); "
        "wall clock, CPU ratio beside"
    )
    print("| start-up | backend | LeadDesk | baseline | ratio | pairs' quartiles | CPU ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        name = "window to first paint" if r.case.kind == "window" else f"leaddesk {r.case.what}"
        print(
            f"| {name} | {r.case.backend} | {r.app_s:.3f} | {r.baseline_s:.3f} "
            f"| {r.ratio:.2f} | {r.spread} | {r.cpu_ratio:.2f} |"
        )
        if r.case.kind == "window":  # not a target: the filled picture, for comparison
            print(
                f"| window, whole `--screenshot` (trees filled at {r.filled_s:.3f}) "
                f"| {r.case.backend} | {r.app_whole_s:.3f} | {r.baseline_whole_s:.3f} "
                f"| {r.app_whole_s / r.baseline_whole_s:.2f} | | |"
            )


if __name__ == "__main__":
    sys.exit(main())
