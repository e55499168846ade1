"""Assigning from Leads to be Assigned buckets, and undoing a batch, on SQLite and PostgreSQL.

Demo data: Downtown Office has Olivia Office (office manager), Maria Manager and Sam Field
(members, not office managers); pass group Inbound Team has Pat Group and Jane Doe.
"""

from __future__ import annotations

from sqlalchemy import select

from leaddesk.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.reassignment.undo_rules import last_undoable_batch
from leaddesk.store.lookup import find_user
from leaddesk.store.models import OfficeMember, PassBatch, PassGroupMember
from leaddesk.store.queries import visible_buckets
from tests.helpers.demo_names import group_id, lead_by_name, leads_of, office_id, user_id
from tests.helpers.engine_checks import (
    assert_refused,
    batch_rows,
    grant_right,
    lead_state,
    set_active,
)

OFFICE_LEAD = "Walk-in: Corner Florist website"
GROUP_LEAD = "Web form: Evergreen Landscaping"


def _assign(session, database, actor, lead_name, to, note=""):
    lead = lead_by_name(database, lead_name)
    return assign_from_bucket(
        session,
        actor_id=user_id(database, actor),
        leads=[LeadRef(lead.id, lead.version)],
        user_id=user_id(database, to),
        note=note,
    )


def _bucket_names(database, actor):
    with database.read() as session:
        user = find_user(session, actor)
        return {
            (b.kind, b.name): [lead.name for lead in b.leads]
            for b in visible_buckets(session, user)
        }


# -- who sees which bucket -------------------------------------------------------------------


def test_office_bucket_is_visible_only_to_office_managers(database):
    assert _bucket_names(database, "Olivia Office") == {
        ("office", "Downtown Office"): [OFFICE_LEAD]
    }
    # Maria and Sam are members of Downtown Office but not its office managers.
    assert _bucket_names(database, "Maria Manager") == {}
    assert _bucket_names(database, "Sam Field") == {}


def test_pass_group_bucket_is_visible_to_its_members(database):
    expected = {("group", "Inbound Team"): [GROUP_LEAD, "Web form: Velvet Salon booking"]}
    assert _bucket_names(database, "Pat Group") == expected
    assert _bucket_names(database, "Jane Doe") == expected
    assert _bucket_names(database, "Victor Outside") == {}


def test_admin_sees_every_bucket(database):
    assert set(_bucket_names(database, "Ada Admin")) == {
        ("office", "Downtown Office"),
        ("group", "Inbound Team"),
    }


# -- assigning from a bucket -------------------------------------------------------------------


def test_office_manager_assigns_to_herself(database):
    olivia = user_id(database, "Olivia Office")
    lead = lead_by_name(database, OFFICE_LEAD)
    with database.write() as session:
        result = _assign(session, database, "Olivia Office", OFFICE_LEAD, "Olivia Office", "mine")
    after = lead_state(database, lead.id)
    assert (after.owner_id, after.bucket_office_id, after.version) == (
        olivia,
        None,
        lead.version + 1,
    )
    rows = batch_rows(database, result.batch_id)
    assert rows["batch"][0].method == PassMethod.BUCKET_ASSIGN.value
    assert [(h.from_office_id, h.to_owner_id) for h in rows["history"]] == [
        (office_id(database), olivia)
    ]
    assert [(n.lead_id, n.body) for n in rows["notes"]] == [(lead.id, "mine")]
    assert rows["outbox"] == []  # nobody is emailed about their own pass


def test_office_manager_assigns_to_a_member_she_does_not_manage(database):
    maria = user_id(database, "Maria Manager")
    with database.write() as session:
        result = _assign(session, database, "Olivia Office", OFFICE_LEAD, "Maria Manager", "yours")
    rows = batch_rows(database, result.batch_id)
    assert lead_state(database, rows["history"][0].lead_id).owner_id == maria
    assert [(m.recipient_id, m.kind, m.lead_count) for m in rows["outbox"]] == [(maria, "owner", 1)]
    assert [n.body for n in rows["notes"]] == ["yours"]


def test_group_member_assigns_to_another_member(database):
    pat = user_id(database, "Pat Group")
    with database.write() as session:
        result = _assign(session, database, "Jane Doe", GROUP_LEAD, "Pat Group")
    rows = batch_rows(database, result.batch_id)
    assert [(h.from_group_id, h.to_owner_id) for h in rows["history"]] == [
        (group_id(database), pat)
    ]
    assert [(m.recipient_id, m.lead_count) for m in rows["outbox"]] == [(pat, 1)]


def test_bucket_lead_may_go_to_a_user_the_actor_manages(database):
    grant_right(database, "Pat Group", "John Smith")
    with database.write() as session:
        _assign(session, database, "Pat Group", GROUP_LEAD, "John Smith")
    assert lead_state(database, lead_by_name(database, GROUP_LEAD).id).owner_id == user_id(
        database, "John Smith"
    )


def test_bucket_lead_to_a_non_member_the_actor_does_not_manage_is_refused(database):
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: _assign(s, database, "Pat Group", GROUP_LEAD, "Victor Outside"),
        match="Victor Outside is not a member of the bucket",
    )
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: _assign(s, database, "Olivia Office", OFFICE_LEAD, "Jane Doe"),
        match="Jane Doe is not a member of the bucket",
    )


def test_member_who_is_not_office_manager_cannot_assign_from_the_office_bucket(database):
    for actor, to in (("Maria Manager", "Maria Manager"), ("Sam Field", "Sam Field")):
        assert_refused(
            database,
            PermissionDeniedError,
            lambda s, a=actor, t=to: _assign(s, database, a, OFFICE_LEAD, t),
            match="Only office managers of that office",
        )


def test_non_member_cannot_assign_from_the_pass_group_bucket(database):
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: _assign(s, database, "Maria Manager", GROUP_LEAD, "Maria Manager"),
        match="Only members of that pass group",
    )


def test_assign_refusals_unknown_inactive_stale_empty_not_in_bucket(database):
    olivia, sam = user_id(database, "Olivia Office"), user_id(database, "Sam Field")
    waiting = lead_by_name(database, OFFICE_LEAD)
    owned = leads_of(database, "Sam Field")[0]
    cases = [
        ([LeadRef(987654, 1)], sam, NotFoundError, "no lead with id 987654"),
        ([LeadRef(waiting.id, waiting.version)], 987654, NotFoundError, "no user with id 987654"),
        ([], sam, InvalidInputError, "No lead was selected"),
        ([LeadRef(owned.id, owned.version)], sam, InvalidInputError, "not in a Leads to be"),
        ([LeadRef(waiting.id, waiting.version + 1)], sam, ConflictError, "changed since"),
    ]
    for refs, to, error, message in cases:
        assert_refused(
            database,
            error,
            lambda s, r=refs, t=to: assign_from_bucket(s, actor_id=olivia, leads=r, user_id=t),
            match=message,
        )
    set_active(database, "Sam Field", False)
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: assign_from_bucket(
            s, actor_id=olivia, leads=[LeadRef(waiting.id, waiting.version)], user_id=sam
        ),
        match="Sam Field is inactive",
    )
    assert_refused(
        database,
        InvalidInputError,
        lambda s: assign_from_bucket(
            s,
            actor_id=olivia,
            leads=[LeadRef(waiting.id, waiting.version)],
            user_id=olivia,
            note="n" * 4001,
        ),
        match="at most 4,000",
    )


# -- undo ---------------------------------------------------------------------------------


def _pass_mixed_to_sam(database, note="to Sam"):
    """Maria passes one of John's and two of Jane's leads to Sam; returns (result, leads)."""
    picked = leads_of(database, "John Smith")[:1] + leads_of(database, "Jane Doe")[:2]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=user_id(database, "Maria Manager"),
            selection=Selection.of_leads([LeadRef(lead.id, lead.version) for lead in picked]),
            target=Target.user(user_id(database, "Sam Field")),
            note=note,
        )
    return result, picked


def test_undo_returns_every_lead_to_its_previous_owner_with_history_and_email(database):
    maria, john, jane = (user_id(database, n) for n in ("Maria Manager", "John Smith", "Jane Doe"))
    original, picked = _pass_mixed_to_sam(database)
    with database.write() as session:
        assert last_undoable_batch(session, actor_id=maria).id == original.batch_id
        undo = undo_batch(session, actor_id=maria, batch_id=original.batch_id)
    assert undo.moved == 3
    assert undo.method is PassMethod.UNDO
    for lead, owner in zip(picked, (john, jane, jane), strict=True):
        after = lead_state(database, lead.id)
        assert (after.owner_id, after.version) == (owner, lead.version + 2)
    rows = batch_rows(database, undo.batch_id)
    batch = rows["batch"][0]
    assert (batch.method, batch.undoes_id, batch.lead_count) == ("undo", original.batch_id, 3)
    assert sorted((h.lead_id, h.to_owner_id) for h in rows["history"]) == sorted(
        [(picked[0].id, john), (picked[1].id, jane), (picked[2].id, jane)]
    )
    assert [n.body for n in rows["notes"]] == [f"Undo of pass {original.batch_id}"] * 3
    assert sorted((m.recipient_id, m.lead_count) for m in rows["outbox"]) == sorted(
        [(john, 1), (jane, 2)]
    )
    with database.read() as session:
        assert session.get(PassBatch, original.batch_id).undone_by_id == undo.batch_id
        assert last_undoable_batch(session, actor_id=maria) is None


def test_undo_puts_leads_back_into_their_bucket(database):
    olivia, downtown = user_id(database, "Olivia Office"), office_id(database)
    with database.write() as session:
        assigned = _assign(session, database, "Olivia Office", OFFICE_LEAD, "Sam Field")
    with database.write() as session:
        undo_batch(session, actor_id=olivia, batch_id=assigned.batch_id)
    after = lead_state(database, lead_by_name(database, OFFICE_LEAD).id)
    assert (after.owner_id, after.bucket_office_id) == (None, downtown)


def test_undo_is_refused_once_a_lead_changed_since(database):
    maria = user_id(database, "Maria Manager")
    original, picked = _pass_mixed_to_sam(database)
    moved_on = lead_state(database, picked[0].id)
    with database.write() as session:
        pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(moved_on.id, moved_on.version)]),
            target=Target.user(maria),
        )
    info = assert_refused(
        database,
        ConflictError,
        lambda s: undo_batch(s, actor_id=maria, batch_id=original.batch_id),
        match="cannot be undone",
    )
    assert info.value.lead_ids == [moved_on.id]


def test_undo_twice_is_refused(database):
    maria = user_id(database, "Maria Manager")
    original, _picked = _pass_mixed_to_sam(database)
    with database.write() as session:
        undo = undo_batch(session, actor_id=maria, batch_id=original.batch_id)
    assert_refused(
        database,
        InvalidInputError,
        lambda s: undo_batch(s, actor_id=maria, batch_id=original.batch_id),
        match=f"already undone by pass {undo.batch_id}",
    )
    assert_refused(
        database,
        InvalidInputError,
        lambda s: undo_batch(s, actor_id=maria, batch_id=undo.batch_id),
        match="itself an undo",
    )


def test_undo_refusals_unknown_batch_other_actor_inactive_owner(database):
    maria, olivia, ada = (
        user_id(database, n) for n in ("Maria Manager", "Olivia Office", "Ada Admin")
    )
    original, _picked = _pass_mixed_to_sam(database)
    assert_refused(
        database,
        NotFoundError,
        lambda s: undo_batch(s, actor_id=maria, batch_id=987654),
        match="no pass batch 987654",
    )
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: undo_batch(s, actor_id=olivia, batch_id=original.batch_id),
        match="Only the person who made pass",
    )
    set_active(database, "John Smith", False)
    assert_refused(
        database,
        PermissionDeniedError,
        lambda s: undo_batch(s, actor_id=maria, batch_id=original.batch_id),
        match="John Smith is no longer active",
    )
    set_active(database, "John Smith", True)
    # An admin may undo someone else's pass.
    with database.write() as session:
        assert undo_batch(session, actor_id=ada, batch_id=original.batch_id).moved == 3


def test_undo_of_a_whole_user_pass_restores_the_user(database):
    maria, john = user_id(database, "Maria Manager"), user_id(database, "John Smith")
    before = [(lead.id, lead.status_id) for lead in leads_of(database, "John Smith")]
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.group(group_id(database)),
        )
    assert leads_of(database, "John Smith") == []
    with database.write() as session:
        undo_batch(session, actor_id=maria, batch_id=result.batch_id)
    assert [(lead.id, lead.status_id) for lead in leads_of(database, "John Smith")] == before
    with database.read() as session:
        undos = list(session.scalars(select(PassBatch).where(PassBatch.method == "undo")))
    assert [b.undoes_id for b in undos] == [result.batch_id]


def test_a_bucket_lead_assigned_by_someone_else_meanwhile_is_a_conflict(database):
    """Olivia's screen still shows the lead waiting; Ada assigned it first."""
    waiting = lead_by_name(database, OFFICE_LEAD)
    with database.write() as session:
        _assign(session, database, "Ada Admin", OFFICE_LEAD, "Sam Field")
    assert_refused(
        database,
        ConflictError,
        lambda s: assign_from_bucket(
            s,
            actor_id=user_id(database, "Olivia Office"),
            leads=[LeadRef(waiting.id, waiting.version)],
            user_id=user_id(database, "Olivia Office"),
        ),
        match="changed since",
    )


def test_an_undo_to_owners_and_buckets_emails_each_person_once_by_the_first_way(database):
    """The outbox rows of a batch are queued by one statement; a person reached several
    ways gets one row: as new owner first, then as office manager, then as group member."""
    ada = user_id(database, "Ada Admin")
    jane, john, olivia, pat = (
        user_id(database, name) for name in ("Jane Doe", "John Smith", "Olivia Office", "Pat Group")
    )
    downtown, inbound = office_id(database), group_id(database)
    with database.write() as session:
        # Jane: owner, office manager and group member; Pat: office manager and group
        # member; John: group member only.
        session.add_all(
            [
                OfficeMember(office_id=downtown, user_id=jane, is_office_manager=True),
                OfficeMember(office_id=downtown, user_id=pat, is_office_manager=True),
                PassGroupMember(group_id=inbound, user_id=john),
            ]
        )
    picked = [
        leads_of(database, "Jane Doe")[0],
        lead_by_name(database, OFFICE_LEAD),
        lead_by_name(database, GROUP_LEAD),
    ]
    with database.write() as session:
        passed = pass_leads(
            session,
            actor_id=ada,
            selection=Selection.of_leads([LeadRef(lead.id, lead.version) for lead in picked]),
            target=Target.user(user_id(database, "Sam Field")),
        )
    with database.write() as session:
        undo = undo_batch(session, actor_id=ada, batch_id=passed.batch_id)
    assert undo.notifications == 4
    queued = {
        m.recipient_id: (m.kind, m.office_id, m.group_id, m.lead_count)
        for m in batch_rows(database, undo.batch_id)["outbox"]
    }
    assert queued == {
        jane: ("owner", None, None, 1),
        olivia: ("bucket", downtown, None, 1),
        pat: ("bucket", downtown, None, 1),
        john: ("bucket", None, inbound, 1),
    }
