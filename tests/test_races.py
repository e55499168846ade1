"""Every check a pass relies on holds at commit: deactivation, right revocation, bucket
visibility and a pass serialize, in either order, on SQLite and PostgreSQL.

Each test holds one transaction open at its critical point (after its checks and writes,
before commit), starts the other operation on a second engine, waits until that one is
blocked behind the first (see ``tests/helpers/interleave.py``), commits, and asserts what
the second one then did. On SQLite one writer at a time already gives this; on PostgreSQL
it takes the row locks the controller and the administration services now take.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.admin.offices import set_office_manager
from leaddesk.admin.rights import grant_right, revoke_right
from leaddesk.admin.users import deactivate_user
from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.models import Lead, ManagerRight, OutboxMessage, PassHistory, User
from tests.helpers.demo_names import lead_by_name, leads_of, office_id, user_id
from tests.helpers.interleave import start_behind


def _ids(database, *names):
    return [user_id(database, name) for name in names]


def _active(database, user):
    with database.read() as session:
        return session.get(User, user).active


def _owner(database, lead_id):
    with database.read() as session:
        return session.get(Lead, lead_id).owner_id


def _inactive_owners(database):
    """Leads owned by an inactive user: the state these races used to leave behind."""
    with database.read() as session:
        return list(
            session.scalars(
                select(Lead.id).join(User, User.id == Lead.owner_id).where(User.active.is_(False))
            )
        )


def _one_lead(database, owner):
    lead = leads_of(database, owner)[0]
    return lead, Selection.of_leads([LeadRef(lead.id, lead.version)])


SELECTIONS = ["one-lead", "whole-user"]


def _selection(database, kind):
    if kind == "one-lead":
        return _one_lead(database, "John Smith")[1]
    return Selection.all_of_user(user_id(database, "John Smith"))


# -- deactivation (offboarding) and a pass to the leaving user ---------------------------------


@pytest.mark.parametrize("kind", SELECTIONS)
def test_offboarding_first_then_a_pass_to_the_leaver_is_refused(engines, kind):
    first, second, watcher = engines
    ada, maria, jane, sam = _ids(first, "Ada Admin", "Maria Manager", "Jane Doe", "Sam Field")
    johns_before = [lead.id for lead in leads_of(first, "John Smith")]
    selection = _selection(first, kind)

    def pass_to_jane():
        with second.write() as session:
            return pass_leads(
                session, actor_id=maria, selection=selection, target=Target.user(jane)
            )

    with first.write() as session:
        offboard_user(session, actor_id=ada, user_id=jane, target=Target.user(sam), note="bye")
        behind = start_behind(second, watcher, pass_to_jane)
    outcome = behind.finish()

    assert behind.was_blocked
    assert isinstance(outcome.get("error"), PermissionDeniedError), outcome
    assert str(outcome["error"]) == "Jane Doe is inactive and cannot receive leads."
    assert [lead.id for lead in leads_of(first, "John Smith")] == johns_before
    assert leads_of(first, "Jane Doe") == []
    assert _inactive_owners(first) == []


@pytest.mark.parametrize("kind", SELECTIONS)
def test_a_pass_first_then_offboarding_passes_the_new_lead_on(engines, kind):
    first, second, watcher = engines
    ada, maria, jane, sam = _ids(first, "Ada Admin", "Maria Manager", "Jane Doe", "Sam Field")
    janes = len(leads_of(first, "Jane Doe"))
    johns = [lead.id for lead in leads_of(first, "John Smith")]
    selection = _selection(first, kind)
    passed = 1 if kind == "one-lead" else len(johns)

    def offboard_jane():
        with second.write() as session:
            return offboard_user(
                session, actor_id=ada, user_id=jane, target=Target.user(sam), note="bye"
            )

    with first.write() as session:
        pass_leads(session, actor_id=maria, selection=selection, target=Target.user(jane))
        behind = start_behind(second, watcher, offboard_jane)
    outcome = behind.finish()

    assert behind.was_blocked
    assert outcome["result"].moved == janes + passed, outcome
    assert not _active(first, jane)
    assert leads_of(first, "Jane Doe") == []
    assert _inactive_owners(first) == []
    with first.read() as session:
        trail = list(
            session.execute(
                select(PassHistory.from_owner_id, PassHistory.to_owner_id)
                .where(PassHistory.lead_id == johns[0])
                .order_by(PassHistory.id)
            )
        )
    assert [tuple(row) for row in trail] == [
        (user_id(first, "John Smith"), jane),
        (jane, sam),
    ]


def test_a_pass_first_then_a_plain_deactivation_is_refused_for_the_new_lead(engines):
    """Deactivating a user without leads while a pass to them is in flight: the
    deactivation waits, then sees the lead and refuses (the leads must go somewhere)."""
    first, second, watcher = engines
    ada, maria = _ids(first, "Ada Admin", "Maria Manager")
    with first.write() as session:
        newcomer = User(name="Nina New", email="nina@example.com")
        session.add(newcomer)
        session.flush()
        session.add(ManagerRight(manager_id=maria, user_id=newcomer.id))
    lead, selection = _one_lead(first, "John Smith")

    def deactivate():
        with second.write() as session:
            return deactivate_user(session, ada, newcomer.id)

    with first.write() as session:
        pass_leads(session, actor_id=maria, selection=selection, target=Target.user(newcomer.id))
        behind = start_behind(second, watcher, deactivate)
    outcome = behind.finish()

    assert behind.was_blocked
    assert isinstance(outcome.get("error"), InvalidInputError), outcome
    assert "Nina New still owns 1 lead(s)" in str(outcome["error"])
    assert _active(first, newcomer.id)
    assert _owner(first, lead.id) == newcomer.id


# -- manager right revocation and a pass -----------------------------------------------------


@pytest.mark.parametrize("over", ["target", "source"])
def test_revocation_first_then_the_pass_is_refused(engines, over):
    first, second, watcher = engines
    ada, maria, john, jane = _ids(first, "Ada Admin", "Maria Manager", "John Smith", "Jane Doe")
    lead, selection = _one_lead(first, "John Smith")
    revoked = jane if over == "target" else john

    def pass_to_jane():
        with second.write() as session:
            return pass_leads(
                session, actor_id=maria, selection=selection, target=Target.user(jane)
            )

    with first.write() as session:
        revoke_right(session, ada, manager_id=maria, user_id=revoked)
        behind = start_behind(second, watcher, pass_to_jane)
    outcome = behind.finish()

    assert behind.was_blocked
    name = "Jane Doe" if over == "target" else "John Smith"
    assert isinstance(outcome.get("error"), PermissionDeniedError), outcome
    assert f"Maria Manager has no manager right over {name}." in str(outcome["error"])
    assert _owner(first, lead.id) == john


@pytest.mark.parametrize("kind", SELECTIONS)
def test_a_pass_first_then_the_revocation_waits_for_it(engines, kind):
    first, second, watcher = engines
    ada, maria, jane = _ids(first, "Ada Admin", "Maria Manager", "Jane Doe")
    selection = _selection(first, kind)
    order: list[str] = []

    def revoke():
        with second.write() as session:
            revoke_right(session, ada, manager_id=maria, user_id=jane)
        order.append("revoke committed")

    with first.write() as session:
        pass_leads(session, actor_id=maria, selection=selection, target=Target.user(jane))
        behind = start_behind(second, watcher, revoke)
        order.append("pass committing")
    outcome = behind.finish()

    # The right the pass relied on existed until the pass committed.
    assert behind.was_blocked
    assert "error" not in outcome, outcome
    assert order == ["pass committing", "revoke committed"]
    with first.read() as session:
        assert session.get(ManagerRight, (maria, jane)) is None


# -- bucket visibility and an assignment ------------------------------------------------------


def test_losing_the_office_manager_flag_first_then_the_assignment_is_refused(engines):
    first, second, watcher = engines
    ada, olivia = _ids(first, "Ada Admin", "Olivia Office")
    lead = lead_by_name(first, "Walk-in: Corner Florist website")

    def assign():
        with second.write() as session:
            return assign_from_bucket(
                session, actor_id=olivia, leads=[LeadRef(lead.id, lead.version)], user_id=olivia
            )

    with first.write() as session:
        set_office_manager(session, ada, office_id(first), olivia, office_manager=False)
        behind = start_behind(second, watcher, assign)
    outcome = behind.finish()

    assert behind.was_blocked
    assert isinstance(outcome.get("error"), PermissionDeniedError), outcome
    assert "Only office managers of that office can assign" in str(outcome["error"])
    with first.read() as session:
        assert session.get(Lead, lead.id).bucket_office_id == office_id(first)
        assert session.scalars(select(OutboxMessage)).all() == []


# -- two administrators granting the same right -------------------------------------------------


def test_the_same_right_granted_twice_at_once_is_already_there_not_a_crash(engines):
    first, second, watcher = engines
    ada, victor, john = _ids(first, "Ada Admin", "Victor Outside", "John Smith")

    def grant_again():
        with second.write() as session:
            grant_right(session, ada, manager_id=victor, user_id=john)

    with first.write() as session:
        grant_right(session, ada, manager_id=victor, user_id=john)
        behind = start_behind(second, watcher, grant_again)
    outcome = behind.finish()

    assert behind.was_blocked
    assert isinstance(outcome.get("error"), InvalidInputError), outcome
    assert str(outcome["error"]) == "Victor Outside already manages John Smith."
