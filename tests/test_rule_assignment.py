"""Assigning a bucket's waiting leads by its rule, on SQLite and PostgreSQL.

Demo data: Downtown Office has Olivia Office (office manager), Maria Manager and Sam Field;
Ada Admin is an administrator. Leads are put into buckets directly as test set-up.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from leaddesk.admin.bucket_rules import set_away
from leaddesk.admin.offices import add_office, add_office_member
from leaddesk.admin.users import add_user, update_user
from leaddesk.cli import main
from leaddesk.errors import ConflictError, InvalidInputError, PermissionDeniedError
from leaddesk.reassignment.controller import pass_leads, undo_batch
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.reassignment.rule_assign import assign_all_by_rule, assign_by_plan
from leaddesk.reassignment.rule_plan import plan_by_rule
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.database import open_database
from leaddesk.store.models import Lead, PassBatch, utc_now
from tests.helpers.demo_names import office_id, status_id, user_id
from tests.helpers.engine_checks import assert_refused, batch_rows, set_rule
from tests.helpers.statements import counting_statements

DOWNTOWN_MEMBERS = ["Olivia Office", "Maria Manager", "Sam Field"]


def fill_bucket(database, bucket: BucketKey, count: int, prefix: str = "Waiting") -> list[int]:
    """``count`` new leads waiting in ``bucket``, oldest first."""
    now = utc_now()
    with database.write() as session:
        first = session.scalar(select(Lead.id).order_by(Lead.id.desc()).limit(1)) or 0
        session.execute(
            insert(Lead),
            [
                {
                    "name": f"{prefix} {first + n}",
                    "status_id": status_id(database, "LEAD"),
                    "bucket_office_id": bucket.office_id,
                    "bucket_group_id": bucket.group_id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(count)
            ],
        )
        return list(
            session.scalars(
                select(Lead.id).where(Lead.id > first).order_by(Lead.id)  # just inserted
            )
        )


def owners(database, lead_ids: list[int]) -> list[int | None]:
    with database.read() as session:
        rows = session.execute(select(Lead.id, Lead.owner_id).where(Lead.id.in_(lead_ids)))
        by_id = {lead_id: owner_id for lead_id, owner_id in rows}
    return [by_id[i] for i in lead_ids]


def downtown(database) -> BucketKey:
    return BucketKey(office_id=office_id(database))


def add_member(database, name: str, office: int) -> int:
    admin = user_id(database, "Ada Admin")
    with database.write() as session:
        user = add_user(session, admin, name=name, email=name.lower().replace(" ", ".") + "@x.org")
        add_office_member(session, admin, office, user.id)
        return user.id


# -- round robin ----------------------------------------------------------------------------


def test_round_robin_is_fair_over_many_runs_and_restarts_skipping_away_and_inactive(db_url):
    database = open_database(db_url)
    bucket = downtown(database)
    set_rule(database, bucket, AssignRule.ROUND_ROBIN)
    away = add_member(database, "Una Away", bucket.office_id)
    gone = add_member(database, "Ian Inactive", bucket.office_id)
    admin = user_id(database, "Ada Admin")
    with database.write() as session:
        set_away(session, admin, away, away_from=None, away_until=utc_now().replace(year=2999))
        update_user(session, admin, gone, active=False)
    available = {user_id(database, name) for name in DOWNTOWN_MEMBERS}
    actor = user_id(database, "Olivia Office")
    received: list[int] = []
    for size in [1, 2, 5, 3, 1, 4, 7, 2]:
        leads = fill_bucket(database, bucket, size)
        with database.write() as session:
            plan = plan_by_rule(session, actor_id=actor, bucket=bucket)
            assign_by_plan(session, actor_id=actor, plan=plan)
        # In the order the bucket was served (the demo's waiting lead comes first).
        received += [lead.user_id for lead in plan.leads]
        assert set(owners(database, leads)) <= available
        # Every run starts from a freshly opened database: the order lives in the database.
        database.dispose()
        database = open_database(db_url)
    database.dispose()
    assert set(received) == available
    for start in range(len(received) - 2):
        window = received[start : start + 3]
        assert len(set(window)) == 3, f"someone got two before everyone got one: {received}"
    assert received[0] == min(available)


# -- least loaded ---------------------------------------------------------------------------


def test_least_loaded_picks_fewest_open_leads_then_longest_since_last_assignment(database):
    admin = user_id(database, "Ada Admin")
    with database.write() as session:
        office = add_office(session, admin, name="Least Office").id
    a, b, c = (add_member(database, name, office) for name in ("Ann A", "Ben B", "Cid C"))
    now = utc_now()
    open_status, closed_status = status_id(database, "LEAD"), status_id(database, "WON")
    rows = [(a, open_status)] * 2 + [(c, open_status)] + [(b, closed_status)] * 3
    with database.write() as session:
        session.execute(
            insert(Lead),
            [
                {
                    "name": f"Held {n}",
                    "status_id": s,
                    "owner_id": o,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for n, (o, s) in enumerate(rows)
            ],
        )
    # Ben's one open lead was passed to him just now: he received most recently.
    given = fill_bucket(database, BucketKey(office_id=office), 1, prefix="Given")
    with database.write() as session:
        pass_leads(
            session,
            actor_id=admin,
            selection=Selection.of_leads([LeadRef(given[0])]),
            target=Target.user(b),
        )
    bucket = BucketKey(office_id=office)
    set_rule(database, bucket, AssignRule.LEAST_LOADED)
    leads = fill_bucket(database, bucket, 4)
    with database.write() as session:
        plan = plan_by_rule(session, actor_id=admin, bucket=bucket)
    # Open loads A 2, B 1 (+3 closed), C 1. C and B tie; C never received, so C first; then
    # B; then all three have 2: A never received in a plan step, so A; then C again.
    assert [lead.user_id for lead in plan.leads] == [c, b, a, c]
    with database.write() as session:
        assign_by_plan(session, actor_id=admin, plan=plan)
    assert owners(database, leads) == [c, b, a, c]


# -- preview, one batch, conflicts ----------------------------------------------------------


def test_the_preview_is_exactly_what_is_done_in_one_batch_undone_together(database):
    bucket = downtown(database)
    set_rule(database, bucket, AssignRule.ROUND_ROBIN)
    leads = fill_bucket(database, bucket, 6)
    actor = user_id(database, "Olivia Office")
    with database.read() as session:
        plan = plan_by_rule(session, actor_id=actor, bucket=bucket)
    assert [lead.lead_id for lead in plan.leads][-6:] == leads
    with database.write() as session:
        result = assign_by_plan(session, actor_id=actor, plan=plan, note="Yours now")
    planned = {lead.lead_id: lead.user_id for lead in plan.leads}
    assert dict(zip(leads, owners(database, leads), strict=True)) == {i: planned[i] for i in leads}
    rows = batch_rows(database, result.batch_id)
    assert rows["batch"][0].method == PassMethod.RULE_ASSIGN
    assert len(rows["history"]) == len(plan.leads) == result.moved
    assert {h.to_owner_id for h in rows["history"]} == set(planned.values())
    assert {n.body for n in rows["notes"]} == {"Yours now"} and len(rows["notes"]) == result.moved
    # One email per new owner with their count; the actor is not emailed about her own pass.
    counts = {}
    for owner in planned.values():
        counts[owner] = counts.get(owner, 0) + 1
    counts.pop(actor, None)
    assert {m.recipient_id: m.lead_count for m in rows["outbox"]} == counts
    with database.write() as session:
        undo = undo_batch(session, actor_id=actor, batch_id=result.batch_id)
    assert undo.moved == result.moved
    assert owners(database, leads) == [None] * 6
    with database.read() as session:
        assert (
            session.scalar(select(Lead.bucket_office_id).where(Lead.id == leads[0]))
            == bucket.office_id
        )


def test_a_lead_changed_after_the_preview_refuses_the_whole_plan(database):
    bucket = downtown(database)
    set_rule(database, bucket, AssignRule.ROUND_ROBIN)
    leads = fill_bucket(database, bucket, 3)
    actor = user_id(database, "Olivia Office")
    with database.read() as session:
        plan = plan_by_rule(session, actor_id=actor, bucket=bucket)
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Ada Admin"),
            selection=Selection.of_leads([LeadRef(leads[1])]),
            target=Target.user(user_id(database, "John Smith")),
        )
    assert_refused(
        database,
        ConflictError,
        lambda session: assign_by_plan(session, actor_id=actor, plan=plan),
        match="changed by someone else meanwhile",
    )


def test_a_second_plan_from_the_same_moment_is_refused_after_the_first(database):
    bucket = downtown(database)
    set_rule(database, bucket, AssignRule.ROUND_ROBIN)
    fill_bucket(database, bucket, 2)
    actor = user_id(database, "Olivia Office")
    with database.read() as session:
        first = plan_by_rule(session, actor_id=actor, bucket=bucket)
        second = plan_by_rule(session, actor_id=actor, bucket=bucket)
    with database.write() as session:
        assign_by_plan(session, actor_id=actor, plan=first)
    assert_refused(
        database,
        ConflictError,
        lambda session: assign_by_plan(session, actor_id=actor, plan=second),
        match="changed since the preview",
    )


def test_refusals_change_nothing(database):
    bucket = downtown(database)
    olivia = user_id(database, "Olivia Office")
    assert_refused(
        database,
        InvalidInputError,
        lambda s: assign_all_by_rule(s, actor_id=olivia, bucket=bucket),
        match="assigned by hand",
    )
    set_rule(database, bucket, AssignRule.LEAST_LOADED)
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: assign_all_by_rule(s, actor_id=user_id(database, "Maria Manager"), bucket=bucket),
        match="Only office managers of Downtown Office",
    )
    admin = user_id(database, "Ada Admin")
    with database.write() as session:
        for name in DOWNTOWN_MEMBERS:
            set_away(session, admin, user_id(database, name), away_from=utc_now(), away_until=None)
    assert_refused(
        database,
        InvalidInputError,
        lambda s: assign_all_by_rule(s, actor_id=olivia, bucket=bucket),
        match="all are away or inactive",
    )


def test_assigning_is_a_fixed_number_of_statements(database):
    bucket = downtown(database)
    set_rule(database, bucket, AssignRule.LEAST_LOADED)
    actor = user_id(database, "Olivia Office")
    counts = []
    for size in (5, 400):
        fill_bucket(database, bucket, size)
        with counting_statements(database.engine) as log, database.write() as session:
            result = assign_all_by_rule(session, actor_id=actor, bucket=bucket)
        assert result.moved >= size
        counts.append(log.count)
    assert counts[0] == counts[1], counts


# -- command line -----------------------------------------------------------------------------


def test_assign_auto_from_the_command_line_with_dry_run(db_url, database, capsys):
    bucket = downtown(database)
    set_rule(database, bucket, AssignRule.ROUND_ROBIN)
    leads = fill_bucket(database, bucket, 2)
    argv = [
        "assign",
        "--bucket",
        "Downtown Office",
        "--auto",
        "--db",
        db_url,
        "--as",
        "Olivia Office",
    ]
    assert main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dry run: 3 lead(s) of Downtown Office would be assigned by round-robin")
    assert owners(database, leads) == [None, None]
    assert main([*argv, "--note", "Call today"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 lead(s) of Downtown Office assigned by round-robin (batch ")
    by_id = sorted(DOWNTOWN_MEMBERS, key=lambda name: user_id(database, name))
    assert ", ".join(f"{name} 1" for name in by_id) in out  # one each, in the rule's order
    assert None not in owners(database, leads)
    with database.read() as session:
        assert session.scalars(select(PassBatch.method).order_by(PassBatch.id.desc())).first() == (
            "rule_assign"
        )
    assert main([*argv[:-2], "--as", "Maria Manager"]) == 1
    assert "Only office managers of Downtown Office" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["assign", "--bucket", "Downtown Office", "--db", db_url, "--as", "Olivia Office"])
    assert usage.value.code == 2
    assert "with --bucket, say --auto" in capsys.readouterr().err
