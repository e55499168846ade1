"""The three reports against figures worked out by hand, on SQLite and PostgreSQL.

One small story, made through the controller, with each batch's time set afterwards (the
reports read times; the controller stamps "now"). Times are UTC; 2 Nov 2026 is a Monday.

  Downtown Office (office managers: Olivia)
    Corner Florist  created there 2 Nov 08:00 (no history), assigned 2 Nov 10:00  ->  2 h
    Harbor          passed in 3 Nov 09:00, assigned 3 Nov 10:30                    ->  1.5 h
    Lakeside        passed in 4 Nov 09:00, still waiting at 10 Nov 09:00          ->  144 h
    Atlas           passed in 4 Nov 12:00, assigned 4 Nov 18:00                    ->  6 h
    sorted 1.5, 2, 6, 144: median = 2 + 0.5 * (6 - 2) = 4 h;
    90th percentile at position 0.9 * 3 = 2.7: 6 + 0.7 * (144 - 6) = 102.6 h
  Inbound Team (members: Pat, Jane)
    Evergreen  created there 1 Nov 09:00, still waiting   -> 216 h
    Velvet     created there 5 Nov 08:00, still waiting   -> 121 h
    median 168.5 h; 90th percentile 121 + 0.9 * 95 = 206.5 h

  Passes: week of 2 Nov: Olivia 3 (3 leads); Maria 4 (5 leads: three into Downtown, and on
  Sunday 8 Nov 23:30 one pass of Oakridge (Sam's) and Crescent (John's) to Jane).
  Week of 9 Nov: Maria 1 pass of Jane's 6 leads to John, undone an hour later (the undo
  is not a pass; the pass counts as undone).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from leaddesk.errors import PermissionDeniedError
from leaddesk.reassignment.requests import Target
from leaddesk.reports.passes import passes_report, passes_table
from leaddesk.reports.waiting import waiting_report
from leaddesk.reports.workload import workload_of, workload_report, workload_table
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.database import Database
from leaddesk.store.models import PassBatch
from leaddesk.store.tree_queries import owner_tree
from tests.helpers.demo_names import office_id, user_id
from tests.helpers.engine_checks import set_active, set_rule
from tests.helpers.report_story import NOW, SINCE, build_story, pass_at, set_created


@pytest.fixture
def story(database: Database) -> Database:
    return build_story(database)


def _waits(database: Database, actor: str, since: datetime = SINCE) -> dict[str, tuple]:
    with database.read() as session:
        report = waiting_report(session, actor_id=user_id(database, actor), since=since, now=NOW)
    return {
        b.name: (
            b.kind,
            b.stays,
            b.still_waiting,
            None if b.median_seconds is None else round(b.median_seconds / 3600, 6),
            None if b.p90_seconds is None else round(b.p90_seconds / 3600, 6),
        )
        for b in report.buckets
    }


def test_waiting_times_match_the_hand_worked_figures(story):
    assert _waits(story, "Ada Admin") == {
        "Downtown Office": ("office", 4, 1, 4.0, 102.6),
        "Inbound Team": ("group", 2, 2, 168.5, 206.5),
    }


def test_waiting_counts_only_stays_that_started_since_the_date(story):
    # From 4 Nov: Lakeside (144 h) and Atlas (6 h) in Downtown; Velvet (121 h) in Inbound.
    assert _waits(story, "Ada Admin", since=datetime(2026, 11, 4)) == {
        "Downtown Office": ("office", 2, 1, 75.0, 130.2),
        "Inbound Team": ("group", 1, 1, 121.0, 121.0),
    }
    assert _waits(story, "Ada Admin", since=datetime(2026, 11, 9)) == {
        "Downtown Office": ("office", 0, 0, None, None),
        "Inbound Team": ("group", 0, 0, None, None),
    }


def test_waiting_covers_only_the_buckets_the_actor_watches(story):
    assert _waits(story, "Olivia Office") == {"Downtown Office": ("office", 4, 1, 4.0, 102.6)}
    assert _waits(story, "Pat Group") == {"Inbound Team": ("group", 2, 2, 168.5, 206.5)}
    # Maria is a member of Downtown Office but not its office manager: she watches none.
    assert _waits(story, "Maria Manager") == {}


def _passes(database: Database, actor: str, since: datetime = SINCE) -> list[list[object]]:
    with database.read() as session:
        report = passes_report(session, actor_id=user_id(database, actor), since=since)
    return passes_table(report).rows


def test_passes_per_manager_per_week_match_the_hand_worked_figures(story):
    assert _passes(story, "Ada Admin") == [
        ["2026-11-02", "Maria Manager", 4, 5, 0],
        ["2026-11-02", "Olivia Office", 3, 3, 0],
        ["2026-11-09", "Maria Manager", 1, 6, 1],
    ]
    assert _passes(story, "Ada Admin", since=datetime(2026, 11, 8, 23, 30)) == [
        ["2026-11-02", "Maria Manager", 1, 2, 0],
        ["2026-11-09", "Maria Manager", 1, 6, 1],
    ]


def test_passes_count_only_what_the_actor_may_see(story):
    # Maria manages Sam, Jane and John: she sees Olivia's assignments to Sam as well.
    assert _passes(story, "Maria Manager") == _passes(story, "Ada Admin")
    # Olivia manages Sam and watches Downtown: of the Sunday pass she sees Sam's lead only,
    # and none of the week after (Jane's leads to John).
    assert _passes(story, "Olivia Office") == [
        ["2026-11-02", "Maria Manager", 4, 4, 0],
        ["2026-11-02", "Olivia Office", 3, 3, 0],
    ]
    assert _passes(story, "Victor Outside") == []


def test_automatic_assignment_on_arrival_is_no_second_pass_and_no_wait(database):
    set_rule(database, BucketKey(office_id=office_id(database)), AssignRule.ROUND_ROBIN, auto=True)
    set_created(database, "Walk-in: Corner Florist website", datetime(2026, 11, 1))
    arrival = datetime(2026, 11, 3, 9)
    pass_at(database, "Maria Manager", ["Harbor Logistics renewal"],
          Target.office(office_id(database)), arrival)  # fmt: skip
    with database.write() as session:
        session.execute(
            update(PassBatch).where(PassBatch.method == "auto_assign").values(created_at=arrival)
        )
    assert _passes(database, "Ada Admin") == [["2026-11-02", "Maria Manager", 1, 1, 0]]
    waits = _waits(database, "Ada Admin", since=datetime(2026, 11, 2))
    assert waits["Downtown Office"] == ("office", 1, 0, 0.0, 0.0)


def _workload(database: Database, actor: str) -> list[list[object]]:
    with database.read() as session:
        return workload_table(workload_report(session, actor_id=user_id(database, actor))).rows


def test_workload_counts_open_leads_per_user_by_status(story):
    # Jane: Bluebell, Oakridge (LEAD); Granite, Riverbend, Crescent (OPPORTUNITY); Summit
    # is WON (closed). Sam: Pioneer, Corner Florist, Harbor; Maple, Atlas. John holds only
    # a lost lead, Maria nothing; Lakeside waits in the office.
    assert _workload(story, "Maria Manager") == [
        ["Jane Doe", 2, 3, 5],
        ["John Smith", 0, 0, 0],
        ["Maria Manager", 0, 0, 0],
        ["Sam Field", 3, 2, 5],
    ]
    assert _workload(story, "Olivia Office") == [["Olivia Office", 1, 0, 1], ["Sam Field", 3, 2, 5]]


def test_workload_keeps_an_inactive_user_who_still_holds_open_leads(database):
    set_active(database, "Sam Field", False)
    set_active(database, "John Smith", False)
    # Sam still holds open leads; John's are lead and opportunity too. Neither vanishes.
    assert _workload(database, "Maria Manager") == [
        ["Jane Doe", 1, 2, 3],
        ["John Smith (inactive)", 1, 1, 2],
        ["Maria Manager", 1, 1, 2],
        ["Sam Field (inactive)", 2, 1, 3],
    ]


@pytest.mark.parametrize("actor", ["Maria Manager", "Olivia Office", "Ada Admin"])
def test_the_workload_from_the_owner_tree_count_is_the_report(story, actor):
    """The main window shows the workload from the grouped count its trees read (no read of
    its own): the same users, order, statuses and counts as the report, for a manager, an
    office manager and the administrator, with an inactive user still holding open leads
    and one holding none."""
    set_active(story, "Sam Field", False)  # holds open leads
    set_active(story, "John Smith", False)  # holds only a lost one
    actor_id = user_id(story, actor)
    with story.read() as session:
        report = workload_report(session, actor_id=actor_id)
        derived = workload_of(owner_tree(session, actor_id=actor_id))
    assert report.users  # not two empty reports
    assert derived == report


def test_an_inactive_actor_gets_no_report(database):
    set_active(database, "Maria Manager", False)
    with database.read() as session, pytest.raises(PermissionDeniedError):
        workload_report(session, actor_id=user_id(database, "Maria Manager"))
