"""Offboarding passes every lead of a leaver and deactivates them in one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.reassignment.requests import PassMethod, Selection, Target
from leaddesk.store.models import LeadNote, OutboxMessage, PassBatch, PassHistory, User
from tests.helpers.demo_names import group_id, leads_of, office_id, snapshot, user_id


def test_offboard_to_a_user_moves_every_lead_with_history_note_and_one_email(database):
    ada, john, jane = (user_id(database, n) for n in ("Ada Admin", "John Smith", "Jane Doe"))
    johns = [lead.id for lead in leads_of(database, "John Smith")]
    with database.write() as session:
        result = offboard_user(
            session, actor_id=ada, user_id=john, target=Target.user(jane), note="John left us"
        )
    assert result.moved == len(johns) == 3
    assert leads_of(database, "John Smith") == []
    assert set(johns) <= {lead.id for lead in leads_of(database, "Jane Doe")}
    batch_id = result.pass_result.batch_id
    with database.read() as session:
        assert session.get(User, john).active is False
        assert session.get(PassBatch, batch_id).method == PassMethod.OFFBOARD.value
        history = list(session.scalars(select(PassHistory).where(PassHistory.batch_id == batch_id)))
        notes = list(session.scalars(select(LeadNote).where(LeadNote.batch_id == batch_id)))
        outbox = list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.batch_id == batch_id))
        )
    assert sorted(h.lead_id for h in history) == sorted(johns)
    assert {(h.from_owner_id, h.to_owner_id) for h in history} == {(john, jane)}
    assert [n.body for n in notes] == ["John left us"] * 3
    assert [(m.recipient_id, m.lead_count) for m in outbox] == [(jane, 3)]


@pytest.mark.parametrize("kind", ["office", "group"])
def test_offboard_into_a_bucket(database, kind):
    ada, sam = user_id(database, "Ada Admin"), user_id(database, "Sam Field")
    target = (
        Target.office(office_id(database)) if kind == "office" else Target.group(group_id(database))
    )
    with database.write() as session:
        result = offboard_user(session, actor_id=ada, user_id=sam, target=target, note="")
    assert result.moved == 3
    assert leads_of(database, "Sam Field") == []
    with database.read() as session:
        assert session.scalar(select(User.active).where(User.id == sam)) is False
        recipients = set(
            session.scalars(
                select(OutboxMessage.recipient_id).where(
                    OutboxMessage.batch_id == result.pass_result.batch_id
                )
            )
        )
    expected = (
        {user_id(database, "Olivia Office")}
        if kind == "office"
        else {
            user_id(database, "Pat Group"),
            user_id(database, "Jane Doe"),
        }
    )
    assert recipients == expected


def test_offboarded_user_is_never_a_target_and_keeps_history(database):
    ada, john, jane, maria = (
        user_id(database, n) for n in ("Ada Admin", "John Smith", "Jane Doe", "Maria Manager")
    )
    with database.write() as session:
        offboard_user(session, actor_id=ada, user_id=john, target=Target.user(jane))
    with pytest.raises(PermissionDeniedError, match="inactive"), database.write() as session:
        pass_leads(
            session, actor_id=maria, selection=Selection.all_of_user(jane), target=Target.user(john)
        )
    with database.read() as session:
        assert session.scalars(select(PassHistory).where(PassHistory.from_owner_id == john)).all()


@pytest.mark.parametrize(
    ("actor", "leaver", "target", "error", "message"),
    [
        ("Maria Manager", "John Smith", "Jane Doe", PermissionDeniedError, "Only administrators"),
        ("Ada Admin", "John Smith", None, InvalidInputError, "Choose where their leads go"),
        ("Ada Admin", "John Smith", "John Smith", InvalidInputError, "choose someone else"),
        ("Ada Admin", "Ada Admin", "Jane Doe", InvalidInputError, "yourself"),
    ],
)
def test_refused_offboarding_changes_nothing(database, actor, leaver, target, error, message):
    before = snapshot(database)
    leaver_id = user_id(database, leaver)
    with pytest.raises(error, match=message), database.write() as session:
        offboard_user(
            session,
            actor_id=user_id(database, actor),
            user_id=leaver_id,
            target=Target.user(user_id(database, target)) if target else None,
        )
    assert snapshot(database) == before
    with database.read() as session:
        assert session.get(User, leaver_id).active is True


def test_offboarding_to_an_inactive_user_is_refused_and_rolls_back(database):
    ada, john, jane, sam = (
        user_id(database, n) for n in ("Ada Admin", "John Smith", "Jane Doe", "Sam Field")
    )
    with database.write() as session:
        offboard_user(session, actor_id=ada, user_id=sam, target=Target.user(jane))
    before = snapshot(database)
    with pytest.raises(PermissionDeniedError, match="inactive"), database.write() as session:
        offboard_user(session, actor_id=ada, user_id=john, target=Target.user(sam))
    assert snapshot(database) == before
    with database.read() as session:
        assert session.get(User, john).active is True
