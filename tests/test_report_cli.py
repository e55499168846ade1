"""``leaddesk report``: the same figures as the report layer, as a table, CSV, JSON and a
PNG drawn by the window's painter; bad input is one line and writes nothing. Both
backends."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from leaddesk.store.database import Database
from leaddesk.ui.common.icons import status_colour
from tests.helpers.cli_run import run, run_json
from tests.helpers.report_story import build_story

MARIA = "Maria Manager"


@pytest.fixture
def story(database: Database) -> Database:
    return build_story(database)


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_passes_report_as_table_csv_and_json(story, db_url, capsys, tmp_path):
    out = tmp_path / "passes.csv"
    code, printed, err = run(
        capsys, "--db", db_url, "report", "passes", "--as", MARIA, "--since", "2026-11-01",
        "--csv", str(out),
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = printed.splitlines()
    assert lines[0] == "Passes per manager per week, since 2026-11-01"
    assert lines[1].split() == [
        "week",
        "starting",
        "manager",
        "passes",
        "leads",
        "passed",
        "undone",
    ]
    assert [line.split() for line in lines[3:6]] == [
        ["2026-11-02", "Maria", "Manager", "4", "5", "0"],
        ["2026-11-02", "Olivia", "Office", "3", "3", "0"],
        ["2026-11-09", "Maria", "Manager", "1", "6", "1"],
    ]
    assert lines[-1] == f"Wrote 3 rows to {out}."
    assert _csv(out) == [
        ["week starting", "manager", "passes", "leads passed", "undone"],
        ["2026-11-02", "Maria Manager", "4", "5", "0"],
        ["2026-11-02", "Olivia Office", "3", "3", "0"],
        ["2026-11-09", "Maria Manager", "1", "6", "1"],
    ]
    rows = run_json(capsys, "--db", db_url, "report", "passes", "--as", "Olivia Office",
                    "--since", "2026-11-01")  # fmt: skip
    assert rows == [
        {"week starting": "2026-11-02", "manager": "Maria Manager", "passes": 4,
         "leads passed": 4, "undone": 0},
        {"week starting": "2026-11-02", "manager": "Olivia Office", "passes": 3,
         "leads passed": 3, "undone": 0},
    ]  # fmt: skip


def test_waiting_report_in_hours(story, db_url, capsys, tmp_path):
    # Measured until the command runs (later than the story's "now"): the stays that ended
    # keep their hand-worked figures; with only one still waiting, the median does too.
    out = tmp_path / "waits.csv"
    code, _, err = run(capsys, "--db", db_url, "report", "waiting", "--as", "Olivia Office",
                       "--since", "2026-11-01", "--csv", str(out))  # fmt: skip
    assert (code, err) == (0, "")
    header, downtown = _csv(out)
    assert header == ["bucket", "kind", "stays", "still waiting", "median hours",
                      "90th percentile hours"]  # fmt: skip
    assert downtown[:5] == ["Downtown Office", "office", "4", "1", "4.0"]
    assert float(downtown[5]) > 102.6


def test_workload_report_and_its_chart(story, db_url, capsys, tmp_path):
    image_path = tmp_path / "workload.png"
    code, printed, err = run(capsys, "--db", db_url, "report", "workload", "--as", MARIA,
                             "--png", str(image_path))  # fmt: skip
    assert (code, err) == (0, "")
    assert [line.split() for line in printed.splitlines()[3:7]] == [
        ["Jane", "Doe", "2", "3", "5"],
        ["John", "Smith", "0", "0", "0"],
        ["Maria", "Manager", "0", "0", "0"],
        ["Sam", "Field", "3", "2", "5"],
    ]
    assert printed.splitlines()[-1] == f"Saved the chart to {image_path}."
    image = QImage(str(image_path))
    assert not image.isNull() and image.width() >= 900
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }
    # The bars carry the statuses' colours (the same as the trees' status icons).
    assert status_colour("LEAD").name() in colours
    assert status_colour("OPPORTUNITY").name() in colours
    assert QColor(status_colour("WON")).name() not in colours  # closed: not workload


def test_workload_says_since_does_not_apply(db_url, capsys):
    code, _, err = run(capsys, "--db", db_url, "report", "workload", "--as", MARIA,
                       "--since", "2026-11-01")  # fmt: skip
    assert code == 0
    assert err == "leaddesk: note: workload counts open leads now; --since does not apply.\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "last week"],
         "'last week' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)."),
        (["--since", "2999-01-01"],
         "--since 2999-01-01 is in the future; give a date up to today."),
        (["--png", "chart.jpg"], "--png chart.jpg: the file name must end in .png."),
        (["--png", "no/such/folder/chart.png"],
         "Cannot save to no/such/folder/chart.png: the folder no/such/folder does not exist."),
        (["--csv", "no/such/folder/r.csv"],
         "Cannot export to no/such/folder/r.csv: the folder no/such/folder does not exist."),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(
    db_url, capsys, tmp_path, monkeypatch, arguments, message
):
    monkeypatch.chdir(tmp_path)
    code, printed, err = run(capsys, "--db", db_url, "report", "passes", "--as", MARIA, *arguments)
    assert (code, printed, err) == (1, "", f"leaddesk: error: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_report_for_someone_unknown_is_refused(db_url, capsys):
    code, _, err = run(capsys, "--db", db_url, "report", "passes", "--as", "Maria Manger")
    assert code == 1
    assert err.startswith("leaddesk: error: There is no user called 'Maria Manger'.")
