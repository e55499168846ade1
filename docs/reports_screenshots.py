"""The pictures of workload and reports in ``docs/screenshots/``, from demo data with six
weeks of passes, offscreen.

    python docs/reports_screenshots.py [--out DIR]

Writes workload.png and workload-dark.png (the Pass to pane's bars and chart, as Maria
Manager), and reports-passes.png, reports-waiting.png, reports-workload.png and
reports-waiting-dark.png (the Reports window, as Ada Admin). The passes are made through the
controller and then dated back over six weeks (the controller stamps "now"), so the
charts have weeks and waits to show.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS / "screenshots")
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.TemporaryDirectory(prefix="leaddesk-report-pictures-")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["LEADDESK_EMAIL_AUTOSEND"] = "0"
    os.environ["LEADDESK_SETTINGS_FILE"] = os.path.join(scratch.name, "settings.ini")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    os.environ["HOME"] = scratch.name
    os.chdir(scratch.name)
    try:
        make_history("leaddesk.db")
        return take_pictures(out)
    finally:
        os.chdir(DOCS)
        scratch.cleanup()


def make_history(url: str) -> None:
    """Demo data, more leads, and six weeks of passes into and out of the buckets."""
    from sqlalchemy import select, update

    from leaddesk.reassignment.controller import assign_from_bucket, pass_leads
    from leaddesk.reassignment.requests import LeadRef, Selection, Target
    from leaddesk.store.database import open_database
    from leaddesk.store.demo import create_demo
    from leaddesk.store.models import Lead, Office, PassBatch, PassGroup, User, utc_now

    database = open_database(url)
    create_demo(database, leads=160, seed=7)
    rng = random.Random(13)
    with database.read() as session:
        people = dict(session.execute(select(User.name, User.id)).all())
        downtown = session.scalar(select(Office.id))
        inbound = session.scalar(select(PassGroup.id))
    team = [people[n] for n in ("John Smith", "Jane Doe", "Sam Field", "Maria Manager")]
    start = utc_now().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(weeks=6)

    def dated(batch_id: int, when: object) -> None:
        with database.write() as session:
            session.execute(
                update(PassBatch).where(PassBatch.id == batch_id).values(created_at=when)
            )

    def some_lead(owner: int) -> LeadRef | None:
        with database.read() as session:
            found = session.execute(
                select(Lead.id, Lead.version).where(Lead.owner_id == owner).limit(20)
            ).all()
        return LeadRef(*rng.choice(found)) if found else None

    for day in range(0, 42):
        when = start + timedelta(days=day, hours=rng.randrange(9))
        if when.weekday() >= 5:
            continue
        for _ in range(rng.randrange(1, 4)):
            lead = some_lead(rng.choice(team))
            if lead is None:
                continue
            into_office = rng.random() < 0.7
            target = Target.office(downtown) if into_office else Target.group(inbound)
            with database.write() as session:
                result = pass_leads(
                    session,
                    actor_id=people["Maria Manager"],
                    selection=Selection.of_leads([lead]),
                    target=target,
                )
            dated(result.batch_id, when)
            if day > 38 and rng.random() < 0.6:
                continue  # still waiting
            assigner = "Olivia Office" if into_office else "Pat Group"
            to = rng.choice(
                [people["Sam Field"], people["Maria Manager"]]
                if into_office
                else [people["Jane Doe"], people["Pat Group"]]
            )
            with database.read() as session:
                version = session.scalar(select(Lead.version).where(Lead.id == lead.id))
            with database.write() as session:
                assigned = assign_from_bucket(
                    session,
                    actor_id=people[assigner],
                    leads=[LeadRef(lead.id, version)],
                    user_id=to,
                )
            dated(assigned.batch_id, when + timedelta(hours=rng.choice([1, 2, 3, 5, 8, 20, 30])))
        if rng.random() < 0.5:
            giver, taker = rng.sample(team, 2)
            lead = some_lead(giver)
            if lead is not None:
                with database.write() as session:
                    moved = pass_leads(
                        session,
                        actor_id=people["Ada Admin"],
                        selection=Selection.of_leads([lead]),
                        target=Target.user(taker),
                    )
                dated(moved.batch_id, when + timedelta(hours=1))
    database.dispose()


def take_pictures(out: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from leaddesk import ui
    from leaddesk.ui.common.palettes import dark_palette
    from leaddesk.ui.common.qt_messages import quiet_offscreen_notices
    from leaddesk.ui.shell.launch import prepare_for_picture
    from leaddesk.ui.shell.window_services import WindowServices

    app = QApplication.instance() or QApplication(sys.argv[:1])
    quiet_offscreen_notices()
    light = app.palette()
    written: list[Path] = []

    def settle(done: Callable[[], bool] = lambda: True, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for _round in range(3):
                app.processEvents()
            if done():
                return
            if time.monotonic() > deadline:
                raise SystemExit("timed out waiting for the window")
            time.sleep(0.02)

    def save(widget: object, name: str) -> None:
        path = out / name
        if not widget.grab().save(str(path), "PNG"):  # type: ignore[attr-defined]
            raise SystemExit(f"cannot write {path}")
        written.append(path)

    for palette, suffix in ((light, ""), (dark_palette(), "-dark")):
        app.setPalette(palette)
        window = ui.main_window("leaddesk.db", "Maria Manager")
        window.setProperty("screenshotOnly", True)
        window.resize(1180, 760)
        window.show()
        panel = window.workload_panel
        settle(lambda panel=panel: bool(panel.feed.report.users))
        prepare_for_picture(window)
        settle()
        save(window, f"workload{suffix}.png")
        window.close()

        admin = ui.main_window("leaddesk.db", "Ada Admin")
        admin.setProperty("screenshotOnly", True)
        admin.show()
        services = admin.findChild(WindowServices)
        reports = services.open_reports()
        settle(lambda reports=reports: not reports.loading)
        names = ("passes", "waiting", "workload") if not suffix else ("waiting",)
        for name in names:
            reports.tabs.setCurrentWidget(reports.pages[name])
            settle()
            save(reports, f"reports-{name}{suffix}.png")
        admin.close()
    app.setPalette(light)
    for path in written:
        print(
            f"wrote {path.relative_to(DOCS.parent) if path.is_relative_to(DOCS.parent) else path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
