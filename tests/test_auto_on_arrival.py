"""A bucket with automatic assignment gives each arriving lead an owner in the transaction
of the pass, on every path into a bucket: the window's passes (drag, Pass Lead tab), the
command line, offboarding and import. On SQLite and PostgreSQL.

Demo data: Downtown Office has Olivia Office (office manager), Maria Manager and Sam Field;
Maria manages John Smith (4 open leads in the demo).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.admin.bucket_rules import set_away
from leaddesk.cli import main
from leaddesk.data_io.lead_import import import_leads
from leaddesk.reassignment.controller import pass_leads, undo_batch
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.reassignment.undo_rules import last_undoable_batch
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.models import Lead, LeadNote, OutboxMessage, PassBatch, PassHistory, utc_now
from tests.helpers.demo_names import leads_of, office_id, user_id
from tests.helpers.engine_checks import set_rule

MEMBERS = ("Olivia Office", "Maria Manager", "Sam Field")


@pytest.fixture
def auto_office(database) -> int:
    office = office_id(database)
    set_rule(database, BucketKey(office_id=office), AssignRule.ROUND_ROBIN, auto=True)
    return office


def _batches_of(database, lead_id: int) -> list[tuple[str, str | None, str | None]]:
    """Each step of a lead's history: (method, to office?, to owner?) oldest first."""
    with database.read() as session:
        rows = session.execute(
            select(PassBatch.method, PassHistory.to_office_id, PassHistory.to_owner_id)
            .join(PassBatch, PassBatch.id == PassHistory.batch_id)
            .where(PassHistory.lead_id == lead_id)
            .order_by(PassHistory.id)
        ).all()
    return [tuple(row) for row in rows]


def _check_two_steps(database, lead_ids: list[int], office: int, method: str, note: str) -> None:
    members = {user_id(database, name) for name in MEMBERS}
    with database.read() as session:
        leads = list(session.scalars(select(Lead).where(Lead.id.in_(lead_ids))))
        assert {lead.owner_id in members for lead in leads} == {True}
        assert {lead.bucket_office_id for lead in leads} == {None}
        # The note is on each lead once, from the pass.
        for lead_id in lead_ids:
            bodies = session.scalars(select(LeadNote.body).where(LeadNote.lead_id == lead_id))
            assert list(bodies).count(note) == (1 if note else 0)
    for lead in leads:
        steps = _batches_of(database, lead.id)
        assert [(m, o) for m, o, _u in steps[-2:]] == [(method, office), ("auto_assign", None)]
        assert steps[-1][2] == lead.owner_id


def _emails_of_last_two_batches(database) -> dict[str, list[tuple[int, int]]]:
    with database.read() as session:
        last = session.scalars(select(PassBatch.id).order_by(PassBatch.id.desc()).limit(2)).all()
        rows = session.execute(
            select(OutboxMessage.kind, OutboxMessage.recipient_id, OutboxMessage.lead_count)
            .where(OutboxMessage.batch_id.in_(last))
            .order_by(OutboxMessage.recipient_id)
        ).all()
    found: dict[str, list[tuple[int, int]]] = {}
    for kind, recipient, count in rows:
        found.setdefault(kind, []).append((recipient, count))
    return found


def test_a_pass_into_an_auto_bucket_is_assigned_in_the_same_transaction(database, auto_office):
    maria = user_id(database, "Maria Manager")
    leads = [lead.id for lead in leads_of(database, "John Smith")]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(user_id(database, "John Smith")),
            target=Target.office(auto_office),
            note="John is away",
            method=PassMethod.DRAG_USER,
        )
    assert result.auto_assigned == len(leads)
    _check_two_steps(database, leads, auto_office, "drag_user", "John is away")
    emails = _emails_of_last_two_batches(database)
    # Nobody is told that leads wait (none do); each new owner but the actor gets one email.
    assert "bucket" not in emails
    with database.read() as session:
        owners = list(session.scalars(select(Lead.owner_id).where(Lead.id.in_(leads))))
    expected = sorted((uid, owners.count(uid)) for uid in set(owners) if uid != maria)
    assert emails["owner"] == expected
    assert result.notifications == len(expected)


def test_undo_takes_back_the_automatic_assignment_into_the_bucket(database, auto_office):
    # An administrator: undoing the assignment takes leads from the members, which needs a
    # manager right over them (Maria has none over Olivia).
    admin = user_id(database, "Ada Admin")
    john = user_id(database, "John Smith")
    leads = [lead.id for lead in leads_of(database, "John Smith")]
    with database.write() as session:
        passed = pass_leads(
            session,
            actor_id=admin,
            selection=Selection.all_of_user(john),
            target=Target.office(auto_office),
        )
    with database.write() as session:
        batch = last_undoable_batch(session, actor_id=admin)
        assert batch.method == "auto_assign" and batch.id != passed.batch_id
        undo_batch(session, actor_id=admin, batch_id=batch.id)
    with database.read() as session:
        places = set(
            session.execute(
                select(Lead.owner_id, Lead.bucket_office_id).where(Lead.id.in_(leads))
            ).all()
        )
    # Back to waiting, and not assigned again by the undo.
    assert places == {(None, auto_office)}


def test_without_anyone_available_the_leads_wait_and_the_watchers_are_told(database, auto_office):
    admin = user_id(database, "Ada Admin")
    with database.write() as session:
        for name in MEMBERS:
            set_away(session, admin, user_id(database, name), away_from=utc_now(), away_until=None)
    lead = leads_of(database, "John Smith")[0]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.office(auto_office),
        )
    assert result.auto_assigned == 0
    with database.read() as session:
        assert session.get(Lead, lead.id).bucket_office_id == auto_office
        kinds = session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.batch_id == result.batch_id)
        ).all()
    assert kinds == ["bucket"]  # Olivia, the office manager


def test_the_pass_lead_tab_path(database, auto_office):
    lead = leads_of(database, "John Smith")[0]
    with database.write() as session:
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.office(auto_office),
            note="From the lead",
            method=PassMethod.LEAD_TAB,
        )
    _check_two_steps(database, [lead.id], auto_office, "lead_tab", "From the lead")


def test_the_command_line_path(db_url, database, auto_office, capsys):
    leads = [lead.id for lead in leads_of(database, "John Smith")]
    argv = ["pass", "--user", "John Smith", "--to-office", "Downtown Office", "--note", "CLI"]
    assert main([*argv, "--db", db_url, "--as", "Maria Manager"]) == 0
    assert f"; {len(leads)} assigned at once by the bucket's rule." in capsys.readouterr().out
    _check_two_steps(database, leads, auto_office, "command_line", "CLI")


def test_the_offboarding_path(database, auto_office):
    leads = [lead.id for lead in leads_of(database, "John Smith")]
    with database.write() as session:
        offboard_user(
            session,
            actor_id=user_id(database, "Ada Admin"),
            user_id=user_id(database, "John Smith"),
            target=Target.office(auto_office),
            note="John left",
        )
    _check_two_steps(database, leads, auto_office, "offboard", "John left")


def test_the_import_path(database, auto_office):
    data = (
        b"name,company,email,phone,status,owner,office,pass_group\r\n"
        b"Walk-in A,Shop,,,LEAD,,Downtown Office,\r\n"
        b"Walk-in B,Shop,,,LEAD,,Downtown Office,\r\n"
    )
    with database.write() as session:
        report = import_leads(
            session, actor_id=user_id(database, "Ada Admin"), data=data, source_name="t.csv"
        )
    assert report.auto_assigned == 2
    with database.read() as session:
        leads = list(session.scalars(select(Lead.id).where(Lead.name.like("Walk-in _"))))
    members = {user_id(database, name) for name in MEMBERS}
    for lead_id in leads:
        steps = _batches_of(database, lead_id)
        assert [(m, o) for m, o, _u in steps] == [("import", auto_office), ("auto_assign", None)]
        assert steps[-1][2] in members
    assert "bucket" not in _emails_of_last_two_batches(database)
