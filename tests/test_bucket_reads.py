"""The reads behind the Leads to be Assigned tab: the buckets an actor sees with their leads,
and who may take bucket leads (the Assign… dialog's list: the actor, the users they manage,
and the active members of every bucket the selected leads wait in). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.reassignment.targets import bucket_assignees
from leaddesk.store.models import Office, OfficeMember, User
from leaddesk.store.queries import visible_buckets
from tests.helpers.demo_names import lead_by_name, user_id
from tests.helpers.statements import counting_statements

FLORIST = "Walk-in: Corner Florist website"  # Downtown Office: Olivia (manager), Maria, Sam
EVERGREEN = "Web form: Evergreen Landscaping"  # Inbound Team: Pat Group, Jane Doe
VELVET = "Web form: Velvet Salon booking"  # Inbound Team


def names(database, actor: str, *leads: str) -> list[str]:
    with database.read() as session:
        users = bucket_assignees(
            session,
            actor_id=user_id(database, actor),
            lead_ids=[lead_by_name(database, name).id for name in leads],
        )
    return [user.name for user in users]


def test_an_office_lead_goes_to_its_members_and_the_users_the_actor_manages(database):
    assert names(database, "Olivia Office", FLORIST) == [
        "Maria Manager",
        "Olivia Office",
        "Sam Field",
    ]


def test_a_pass_group_lead_goes_to_its_members(database):
    assert names(database, "Pat Group", EVERGREEN, VELVET) == ["Jane Doe", "Pat Group"]


def test_leads_in_two_buckets_go_only_to_who_may_take_every_one(database):
    # No one is in both buckets: what is left is whom Maria manages (and Maria).
    assert names(database, "Maria Manager", FLORIST, EVERGREEN) == [
        "Jane Doe",
        "John Smith",
        "Maria Manager",
        "Sam Field",
    ]


def test_an_administrator_may_give_them_to_any_active_user(database):
    with database.write() as session:
        session.execute(update(User).where(User.name == "Victor Outside").values(active=False))
    assert names(database, "Ada Admin", FLORIST, EVERGREEN) == [
        "Ada Admin",
        "Jane Doe",
        "John Smith",
        "Maria Manager",
        "Olivia Office",
        "Pat Group",
        "Sam Field",
    ]


def test_an_inactive_member_is_not_offered(database):
    with database.write() as session:
        session.execute(update(User).where(User.name == "Maria Manager").values(active=False))
    assert names(database, "Olivia Office", FLORIST) == ["Olivia Office", "Sam Field"]


def test_a_lead_not_in_a_bucket_or_not_there_at_all_is_refused(database):
    with pytest.raises(InvalidInputError, match="is not waiting in a Leads to be Assigned"):
        names(database, "Olivia Office", FLORIST, "Harbor Logistics renewal")
    with database.read() as session, pytest.raises(NotFoundError, match="no lead with id 987"):
        bucket_assignees(session, actor_id=user_id(database, "Olivia Office"), lead_ids=[987, 988])


def test_the_same_statements_for_one_lead_or_many(database):
    actor = user_id(database, "Ada Admin")
    one = [lead_by_name(database, FLORIST).id]
    three = one + [lead_by_name(database, name).id for name in (EVERGREEN, VELVET)]
    counts = []
    for leads in (one, three):
        with counting_statements(database.engine) as sent, database.read() as session:
            bucket_assignees(session, actor_id=actor, lead_ids=leads)
        counts.append(sent.count)
    assert counts[0] == counts[1]


def test_every_bucket_keeps_its_own_leads_and_the_read_costs_the_same_for_more_buckets(database):
    olivia = user_id(database, "Olivia Office")
    harbor = lead_by_name(database, "Harbor Logistics renewal")
    with database.read() as session:
        actor = session.get(User, olivia)
        with counting_statements(database.engine) as one_office:
            visible_buckets(session, actor)
    with database.write() as session:
        second = Office(name="Harbor Office")
        session.add(second)
        session.flush()
        session.add(OfficeMember(office_id=second.id, user_id=olivia, is_office_manager=True))
        pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.of_leads([LeadRef(harbor.id, harbor.version)]),
            target=Target.office(second.id),
            note="",
            method=PassMethod.DRAG_LEAD,
        )
    with database.read() as session:
        actor = session.get(User, olivia)
        with counting_statements(database.engine) as two_offices:
            buckets = visible_buckets(session, actor)
    assert [(b.kind, b.name, [lead.name for lead in b.leads]) for b in buckets] == [
        ("office", "Downtown Office", [FLORIST]),
        ("office", "Harbor Office", ["Harbor Logistics renewal"]),
    ]
    assert two_offices.count == one_office.count
