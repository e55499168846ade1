"""Assignment rules per bucket and users' away periods: set from the command line by
administrators, refused cleanly otherwise, and enforced by the database itself."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from leaddesk.cli import main
from leaddesk.store.models import AuditEntry, BucketRule, User
from tests.helpers.demo_names import group_id, office_id, user_id


def run(db_url, *argv, actor="Ada Admin"):
    return main([*argv, "--db", db_url, "--as", actor])


def _rules(database):
    with database.read() as session:
        return [
            (r.office_id, r.group_id, r.rule, r.auto)
            for r in session.scalars(select(BucketRule).order_by(BucketRule.id))
        ]


def test_office_and_group_rules_are_set_and_changed(db_url, database, capsys):
    assert run(db_url, "office", "set", "Downtown Office", "--assign", "round-robin", "--auto") == 0
    assert capsys.readouterr().out.strip() == (
        "Leads to be Assigned of Downtown Office: round-robin, automatic on arrival."
    )
    assert run(db_url, "group", "set", "Inbound Team", "--assign", "least-loaded") == 0
    office, group = office_id(database), group_id(database)
    assert _rules(database) == [
        (office, None, "round_robin", True),
        (None, group, "least_loaded", False),
    ]
    # Setting again changes the one row of that bucket, never adds a second.
    assert run(db_url, "office", "set", "Downtown Office", "--assign", "manual") == 0
    assert _rules(database)[0] == (office, None, "manual", False)
    with database.read() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["bucket.rule", "bucket.rule", "bucket.rule"]


@pytest.mark.parametrize(
    ("argv", "actor", "message"),
    [
        (
            ["office", "set", "Downtown Office", "--assign", "manual", "--auto"],
            "Ada Admin",
            "Automatic assignment needs a rule: choose round-robin or least-loaded.",
        ),
        (
            ["office", "set", "Nowhere", "--assign", "round-robin"],
            "Ada Admin",
            "There is no office called 'Nowhere'.",
        ),
        (
            ["group", "set", "Inbound Team", "--assign", "round-robin"],
            "Maria Manager",
            "Only administrators can do this; Maria Manager is not an administrator.",
        ),
    ],
)
def test_bad_rule_requests_get_one_line_and_change_nothing(
    db_url, database, capsys, argv, actor, message
):
    assert run(db_url, *argv, actor=actor) == 1
    assert capsys.readouterr().err.strip() == f"leaddesk: error: {message}"
    assert _rules(database) == []


def test_away_period_is_set_cleared_and_checked(db_url, database, capsys):
    argv = ["user", "set", "Sam Field", "--away-from", "2026-12-01T00:00+00:00"]
    assert run(db_url, *argv, "--away-until", "2026-12-10T09:00+01:00") == 0
    assert "away from 2026-12-01 00:00 until 2026-12-10 08:00 (UTC)" in capsys.readouterr().out
    with database.read() as session:
        sam = session.get(User, user_id(database, "Sam Field"))
        assert (sam.away_from, sam.away_until) == (
            datetime(2026, 12, 1, 0, 0),
            datetime(2026, 12, 10, 8, 0),
        )
    bad = ["user", "set", "Sam Field", "--away-from", "2026-12-10", "--away-until", "2026-12-01"]
    assert run(db_url, *bad) == 1
    assert "must end after it starts" in capsys.readouterr().err
    assert run(db_url, "user", "set", "Sam Field", "--away-from", "soon") == 1
    assert capsys.readouterr().err.strip() == (
        "leaddesk: error: --away-from 'soon' is not a date; write it as YYYY-MM-DD or "
        "YYYY-MM-DD HH:MM."
    )
    assert run(db_url, "user", "set", "Sam Field", "--not-away") == 0
    with database.read() as session:
        sam = session.get(User, user_id(database, "Sam Field"))
        assert (sam.away_from, sam.away_until) == (None, None)


@pytest.mark.parametrize(
    "statement",
    [
        # A rule of two buckets at once, or of none.
        "INSERT INTO bucket_rules (office_id, group_id, rule, auto) "
        "VALUES (:o, :g, 'manual', false)",
        "INSERT INTO bucket_rules (office_id, group_id, rule, auto) "
        "VALUES (NULL, NULL, 'manual', false)",
        # A rule nobody knows, and automatic assignment without a rule.
        "INSERT INTO bucket_rules (office_id, rule, auto) VALUES (:o, 'random', false)",
        "INSERT INTO bucket_rules (office_id, rule, auto) VALUES (:o, 'manual', true)",
        # An away period that ends before it starts.
        "UPDATE users SET away_from = '2026-12-10 00:00:00', away_until = '2026-12-01 00:00:00'",
    ],
)
def test_the_database_refuses_broken_rules_and_away_periods(database, statement):
    params = {"o": office_id(database), "g": group_id(database)}
    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})


def test_the_database_refuses_two_rules_for_one_bucket(database):
    insert = "INSERT INTO bucket_rules (office_id, rule, auto) VALUES (:o, 'round_robin', false)"
    with database.write() as session:
        session.execute(text(insert), {"o": office_id(database)})
    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(text(insert), {"o": office_id(database)})
