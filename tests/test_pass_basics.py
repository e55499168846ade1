"""The four ways to pass, through the controller, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.models import LeadNote, OutboxMessage, PassHistory
from tests.helpers.demo_names import leads_of, office_id, status_id, user_id


def test_pass_all_of_a_users_leads_moves_three_with_history_notes_and_one_email(database):
    maria, john, jane = (user_id(database, n) for n in ("Maria Manager", "John Smith", "Jane Doe"))
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
            note="John left",
            method=PassMethod.DRAG_USER,
        )
    assert result.moved == 3
    assert leads_of(database, "John Smith") == []
    assert len(leads_of(database, "Jane Doe")) == 4 + 3
    with database.read() as session:
        history = list(
            session.scalars(select(PassHistory).where(PassHistory.batch_id == result.batch_id))
        )
        notes = list(session.scalars(select(LeadNote).where(LeadNote.batch_id == result.batch_id)))
        outbox = list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.batch_id == result.batch_id))
        )
    assert {h.from_owner_id for h in history} == {john}
    assert {h.to_owner_id for h in history} == {jane}
    assert [n.body for n in notes] == ["John left"] * 3
    assert [(m.recipient_id, m.lead_count, m.kind) for m in outbox] == [(jane, 3, "owner")]


def test_pass_one_status_moves_only_that_status(database):
    maria, john, sam = (user_id(database, n) for n in ("Maria Manager", "John Smith", "Sam Field"))
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.status_of_user(john, status_id(database, "OPPORTUNITY")),
            target=Target.user(sam),
        )
    assert result.moved == 1
    assert len(leads_of(database, "John Smith")) == 2


def test_pass_single_lead_to_office_bucket_notifies_office_manager(database):
    maria = user_id(database, "Maria Manager")
    lead = leads_of(database, "John Smith")[0]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.office(office_id(database)),
        )
        recipients = list(
            session.scalars(
                select(OutboxMessage.recipient_id).where(OutboxMessage.batch_id == result.batch_id)
            )
        )
    assert result.moved == 1
    assert recipients == [user_id(database, "Olivia Office")]
