"""The ways to pass and who may pass what, through the controller, on SQLite and PostgreSQL.

Each pass checks what it leaves behind (owners, versions, history, one note per lead, one
outbox row per recipient); each refusal checks that nothing at all changed. Refusals for bad
input are in test_engine_refusals.py; preview and the set-based shape in
test_engine_set_based.py.
"""

from __future__ import annotations

import pytest

from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import (
    LeadRef,
    PassMethod,
    Selection,
    Target,
    TargetKind,
)
from tests.helpers.demo_names import group_id, lead_by_name, leads_of, office_id, status_id, user_id
from tests.helpers.engine_checks import (
    assert_refused,
    batch_rows,
    lead_state,
    set_active,
)


def _ids(database, *names):
    return [user_id(database, name) for name in names]


def _refs(leads):
    return [LeadRef(lead.id, lead.version) for lead in leads]


# -- the four ways to pass ---------------------------------------------------------------


def test_pass_listed_leads_with_versions_to_a_user(database):
    maria, john, sam = _ids(database, "Maria Manager", "John Smith", "Sam Field")
    picked = leads_of(database, "John Smith")[:2]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads(_refs(picked)),
            target=Target.user(sam),
            note="Sam covers these accounts now",
            method=PassMethod.DRAG_LEAD,
        )
    assert (result.moved, result.target, result.target_name) == (2, Target.user(sam), "Sam Field")
    assert result.method is PassMethod.DRAG_LEAD
    assert result.notifications == 1
    for before in picked:
        after = lead_state(database, before.id)
        assert (after.owner_id, after.bucket_office_id, after.bucket_group_id) == (sam, None, None)
        assert after.version == before.version + 1
        assert after.last_batch_id == result.batch_id
    rows = batch_rows(database, result.batch_id)
    batch = rows["batch"][0]
    assert (batch.actor_id, batch.method, batch.lead_count) == (maria, "drag_lead", 2)
    assert batch.note == "Sam covers these accounts now"
    assert [
        (h.lead_id, h.from_owner_id, h.from_office_id, h.to_owner_id, h.to_version)
        for h in rows["history"]
    ] == [(lead.id, john, None, sam, lead.version + 1) for lead in picked]
    assert [(n.lead_id, n.author_id, n.body) for n in rows["notes"]] == [
        (lead.id, maria, "Sam covers these accounts now") for lead in picked
    ]
    assert [(m.recipient_id, m.kind, m.lead_count, m.status) for m in rows["outbox"]] == [
        (sam, "owner", 2, "queued")
    ]
    assert rows["outbox"][0].recipient_email == "sam.field@example.com"
    assert len(leads_of(database, "John Smith")) == 1


def test_pass_all_leads_of_a_user_into_an_office_bucket(database):
    maria, john, olivia = _ids(database, "Maria Manager", "John Smith", "Olivia Office")
    downtown = office_id(database)
    johns = leads_of(database, "John Smith")
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.office(downtown),
            note="John left; office decides",
            method=PassMethod.DRAG_USER,
        )
    assert result.moved == 3
    assert result.target.kind is TargetKind.OFFICE
    assert result.target_name == "Downtown Office"
    for lead in johns:
        after = lead_state(database, lead.id)
        assert (after.owner_id, after.bucket_office_id, after.bucket_group_id) == (
            None,
            downtown,
            None,
        )
    rows = batch_rows(database, result.batch_id)
    assert {(h.from_owner_id, h.to_owner_id, h.to_office_id) for h in rows["history"]} == {
        (john, None, downtown)
    }
    assert len(rows["history"]) == 3
    assert [n.body for n in rows["notes"]] == ["John left; office decides"] * 3
    # Only the office manager hears about the bucket: not Maria (the actor, a member) and
    # not Sam (a member but not an office manager).
    assert [(m.recipient_id, m.kind, m.lead_count, m.office_id) for m in rows["outbox"]] == [
        (olivia, "bucket", 3, downtown)
    ]


def test_pass_one_status_of_a_user_into_a_pass_group_bucket(database):
    maria, john, pat, jane = _ids(database, "Maria Manager", "John Smith", "Pat Group", "Jane Doe")
    inbound = group_id(database)
    lead = lead_by_name(database, "Harbor Logistics renewal")
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.status_of_user(john, status_id(database, "LEAD")),
            target=Target.group(inbound),
            note="Inbound team, please",
            method=PassMethod.DRAG_STATUS,
        )
    assert result.moved == 1
    assert result.notifications == 2
    after = lead_state(database, lead.id)
    assert (after.owner_id, after.bucket_group_id) == (None, inbound)
    assert [lead.name for lead in leads_of(database, "John Smith")] == [
        "Crescent Bakery POS upgrade",
        "Northwind fleet tracking",
    ]
    rows = batch_rows(database, result.batch_id)
    assert [(h.lead_id, h.from_owner_id, h.to_group_id) for h in rows["history"]] == [
        (lead.id, john, inbound)
    ]
    assert [n.body for n in rows["notes"]] == ["Inbound team, please"]
    assert sorted((m.recipient_id, m.kind, m.lead_count, m.group_id) for m in rows["outbox"]) == (
        sorted([(pat, "bucket", 1, inbound), (jane, "bucket", 1, inbound)])
    )


def test_pass_from_the_lead_tab_to_another_user(database):
    maria, jane = _ids(database, "Maria Manager", "Jane Doe")
    lead = lead_by_name(database, "Atlas Insurance office move")
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.user(jane),
            method=PassMethod.LEAD_TAB,
        )
    assert result.moved == 1
    assert lead_state(database, lead.id).owner_id == jane
    rows = batch_rows(database, result.batch_id)
    assert rows["batch"][0].method == "lead_tab"
    assert [(h.from_owner_id, h.to_owner_id) for h in rows["history"]] == [(maria, jane)]


def test_pass_without_a_note_adds_no_note_but_still_history_and_email(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
            note="   ",
        )
    rows = batch_rows(database, result.batch_id)
    assert rows["batch"][0].note == ""
    assert rows["notes"] == []
    assert len(rows["history"]) == 3
    assert [(m.recipient_id, m.lead_count) for m in rows["outbox"]] == [(jane, 3)]


def test_each_batch_queues_one_email_per_recipient_not_one_per_lead(database):
    maria, john, jane, sam = _ids(database, "Maria Manager", "John Smith", "Jane Doe", "Sam Field")
    batches = []
    for source in (john, sam):
        with database.write() as session:
            batches.append(
                pass_leads(
                    session,
                    actor_id=maria,
                    selection=Selection.all_of_user(source),
                    target=Target.user(jane),
                    note="two batches",
                ).batch_id
            )
    for batch in batches:
        outbox = batch_rows(database, batch)["outbox"]
        assert [(m.recipient_id, m.lead_count) for m in outbox] == [(jane, 3)]


def test_leads_from_several_owners_in_one_batch_keep_each_from_owner(database):
    maria, john, jane, sam = _ids(database, "Maria Manager", "John Smith", "Jane Doe", "Sam Field")
    picked = leads_of(database, "John Smith")[:1] + leads_of(database, "Jane Doe")[:2]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads(_refs(picked)),
            target=Target.user(sam),
            note="merge",
        )
    history = batch_rows(database, result.batch_id)["history"]
    assert sorted((h.lead_id, h.from_owner_id) for h in history) == sorted(
        [(picked[0].id, john), (picked[1].id, jane), (picked[2].id, jane)]
    )


def test_a_lead_waiting_in_a_bucket_can_be_passed_on_by_who_sees_the_bucket(database):
    olivia, sam = _ids(database, "Olivia Office", "Sam Field")
    waiting = lead_by_name(database, "Walk-in: Corner Florist website")
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=olivia,
            selection=Selection.of_leads([LeadRef(waiting.id, waiting.version)]),
            target=Target.user(sam),
        )
    history = batch_rows(database, result.batch_id)["history"]
    assert [(h.from_owner_id, h.from_office_id, h.to_owner_id) for h in history] == [
        (None, office_id(database), sam)
    ]


# -- self passes, rights, inactive users ---------------------------------------------------


@pytest.mark.parametrize("method", [PassMethod.DRAG_LEAD, PassMethod.COMMAND_LINE])
def test_passing_to_yourself_is_allowed_outside_the_lead_tab(database, method):
    maria = user_id(database, "Maria Manager")
    lead = leads_of(database, "John Smith")[0]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.user(maria),
            method=method,
        )
    assert lead_state(database, lead.id).owner_id == maria
    # Nobody is emailed about leads they passed to themselves.
    assert result.notifications == 0
    assert batch_rows(database, result.batch_id)["outbox"] == []


def test_passing_to_yourself_from_the_lead_tab_is_refused(database):
    maria = user_id(database, "Maria Manager")
    lead = leads_of(database, "John Smith")[0]
    assert_refused(
        database,
        InvalidInputError,
        lambda s: pass_leads(
            s,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=Target.user(maria),
            method=PassMethod.LEAD_TAB,
        ),
        match="cannot pass a lead to yourself from inside the lead",
    )


def test_inactive_target_is_refused(database):
    maria, john, sam = _ids(database, "Maria Manager", "John Smith", "Sam Field")
    set_active(database, "Sam Field", False)
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: pass_leads(
            s, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(sam)
        ),
        match="Sam Field is inactive",
    )


def test_inactive_actor_is_refused(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    set_active(database, "Maria Manager", False)
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: pass_leads(
            s, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
        ),
        match="Maria Manager is inactive",
    )


def test_no_manager_right_over_the_source_is_refused(database):
    maria, victor, jane = _ids(database, "Maria Manager", "Victor Outside", "Jane Doe")
    victors = leads_of(database, "Victor Outside")
    for selection in (Selection.all_of_user(victor), Selection.of_leads(_refs(victors[:1]))):
        assert_refused(
            database,
            PermissionDeniedError,
            lambda s, sel=selection: pass_leads(
                s, actor_id=maria, selection=sel, target=Target.user(jane)
            ),
            match="Maria Manager has no manager right over Victor Outside",
        )


def test_no_manager_right_over_the_target_is_refused(database):
    maria, john, victor = _ids(database, "Maria Manager", "John Smith", "Victor Outside")
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: pass_leads(
            s, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(victor)
        ),
        match="no manager right over Victor Outside",
    )


def test_victor_outside_cannot_pass_johns_leads(database):
    victor, john = _ids(database, "Victor Outside", "John Smith")
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: pass_leads(
            s, actor_id=victor, selection=Selection.all_of_user(john), target=Target.user(victor)
        ),
        match="Victor Outside has no manager right over John Smith",
    )


def test_an_admin_may_pass_anyones_leads_to_anyone(database):
    ada, victor, john = _ids(database, "Ada Admin", "Victor Outside", "John Smith")
    with database.write() as session:
        result = pass_leads(
            session, actor_id=ada, selection=Selection.all_of_user(victor), target=Target.user(john)
        )
    assert result.moved == 2
    assert leads_of(database, "Victor Outside") == []


def test_leads_in_a_bucket_the_actor_cannot_see_are_refused(database):
    maria, jane = _ids(database, "Maria Manager", "Jane Doe")
    # Maria is a member of Downtown Office but not its office manager, and not in Inbound Team.
    for name in ("Walk-in: Corner Florist website", "Web form: Evergreen Landscaping"):
        lead = lead_by_name(database, name)
        assert_refused(
            database,
            PermissionDeniedError,
            lambda s, lead=lead: pass_leads(
                s,
                actor_id=maria,
                selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
                target=Target.user(jane),
            ),
            match="bucket Maria Manager cannot see",
        )
