"""Bad input to a pass: unknown names, stale versions, empty or malformed selections,
over-long notes, same source and target. Each raises a typed error and changes nothing."""

from __future__ import annotations

from leaddesk.errors import ConflictError, InvalidInputError, NotFoundError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import (
    LeadRef,
    Selection,
    Target,
)
from leaddesk.store.models import NOTE_MAX_LENGTH
from tests.helpers.demo_names import lead_by_name, leads_of, office_id, status_id, user_id
from tests.helpers.engine_checks import (
    assert_refused,
    batch_rows,
    lead_state,
)


def _ids(database, *names):
    return [user_id(database, name) for name in names]


def _refs(leads):
    return [LeadRef(lead.id, lead.version) for lead in leads]


# -- unknown names, stale versions, empty selections, notes, same place --------------------


def test_unknown_actor_source_target_lead_and_status_are_refused(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    lead = leads_of(database, "John Smith")[0]
    cases = [
        (
            dict(actor_id=987654, selection=Selection.all_of_user(john), target=Target.user(jane)),
            "no user with id 987654",
        ),
        (
            dict(actor_id=maria, selection=Selection.all_of_user(987654), target=Target.user(jane)),
            "no user with id 987654",
        ),
        (
            dict(actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(987654)),
            "no user with id 987654",
        ),
        (
            dict(
                actor_id=maria, selection=Selection.all_of_user(john), target=Target.office(987654)
            ),
            "no office with id 987654",
        ),
        (
            dict(
                actor_id=maria, selection=Selection.all_of_user(john), target=Target.group(987654)
            ),
            "no pass group with id 987654",
        ),
        (
            dict(
                actor_id=maria,
                selection=Selection.of_leads([LeadRef(lead.id, lead.version), LeadRef(987654, 1)]),
                target=Target.user(jane),
            ),
            "no lead with id 987654",
        ),
        (
            dict(
                actor_id=maria,
                selection=Selection.status_of_user(john, 987654),
                target=Target.user(jane),
            ),
            "no status with id 987654",
        ),
    ]
    for kwargs, message in cases:
        assert_refused(
            database, NotFoundError, lambda s, kw=kwargs: pass_leads(s, **kw), match=message
        )


def test_a_stale_version_is_a_conflict(database):
    maria, sam = _ids(database, "Maria Manager", "Sam Field")
    fresh, stale = leads_of(database, "John Smith")[:2]
    info = assert_refused(
        database,
        ConflictError,
        lambda s: pass_leads(
            s,
            actor_id=maria,
            selection=Selection.of_leads(
                [LeadRef(fresh.id, fresh.version), LeadRef(stale.id, stale.version - 1)]
            ),
            target=Target.user(sam),
        ),
        match="changed since you looked",
    )
    assert info.value.lead_ids == [stale.id]


def test_a_lead_passed_by_someone_else_meanwhile_is_a_conflict(database):
    maria, jane, sam = _ids(database, "Maria Manager", "Jane Doe", "Sam Field")
    seen = leads_of(database, "John Smith")[0]
    with database.write() as session:
        pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(seen.id, seen.version)]),
            target=Target.user(jane),
        )
    assert_refused(
        database,
        ConflictError,
        lambda s: pass_leads(
            s,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(seen.id, seen.version)]),
            target=Target.user(sam),
        ),
    )
    assert lead_state(database, seen.id).owner_id == jane


def test_empty_selections_are_refused(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    won = status_id(database, "WON")
    cases = [
        (Selection.of_leads([]), "No lead was selected"),
        (Selection(), "No lead was selected"),
        (Selection.status_of_user(john, won), "John Smith has no leads in status WON"),
    ]
    for selection, message in cases:
        assert_refused(
            database,
            InvalidInputError,
            lambda s, sel=selection: pass_leads(
                s, actor_id=maria, selection=sel, target=Target.user(jane)
            ),
            match=message,
        )
    with database.write() as session:
        pass_leads(
            session, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
        )
    assert_refused(
        database,
        InvalidInputError,
        lambda s: pass_leads(
            s, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(jane)
        ),
        match="John Smith has no leads; nothing was passed",
    )


def test_malformed_selections_are_refused(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    lead = leads_of(database, "John Smith")[0]
    cases = [
        (
            Selection(leads=(LeadRef(lead.id, lead.version),), user_id=john),
            "either specific leads or a user",
        ),
        (Selection(status_id=status_id(database, "LEAD")), "only be passed together with its user"),
        (
            Selection.of_leads(
                [LeadRef(lead.id, lead.version), LeadRef(lead.id, lead.version + 5)]
            ),
            "selected twice with different versions",
        ),
    ]
    for selection, message in cases:
        assert_refused(
            database,
            InvalidInputError,
            lambda s, sel=selection: pass_leads(
                s, actor_id=maria, selection=sel, target=Target.user(jane)
            ),
            match=message,
        )


def test_a_note_over_4000_characters_is_refused_and_4000_is_fine(database):
    maria, john, jane = _ids(database, "Maria Manager", "John Smith", "Jane Doe")
    assert_refused(
        database,
        InvalidInputError,
        lambda s: pass_leads(
            s,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
            note="x" * (NOTE_MAX_LENGTH + 1),
        ),
        match="4,001 characters; at most 4,000",
    )
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
            note="y" * NOTE_MAX_LENGTH,
        )
    assert [len(n.body) for n in batch_rows(database, result.batch_id)["notes"]] == [4000] * 3


def test_same_source_and_target_is_refused(database):
    maria, john = _ids(database, "Maria Manager", "John Smith")
    lead = leads_of(database, "John Smith")[0]
    waiting = lead_by_name(database, "Walk-in: Corner Florist website")
    olivia = user_id(database, "Olivia Office")
    cases = [
        (maria, Selection.all_of_user(john), Target.user(john), "already belong to John Smith"),
        (
            maria,
            Selection.status_of_user(john, status_id(database, "LEAD")),
            Target.user(john),
            "already belong to John Smith",
        ),
        (
            maria,
            Selection.of_leads([LeadRef(lead.id, lead.version)]),
            Target.user(john),
            "already with John Smith",
        ),
        (
            olivia,
            Selection.of_leads([LeadRef(waiting.id, waiting.version)]),
            Target.office(office_id(database)),
            "already with Downtown Office",
        ),
    ]
    for actor, selection, target, message in cases:
        assert_refused(
            database,
            InvalidInputError,
            lambda s, a=actor, sel=selection, t=target: pass_leads(
                s, actor_id=a, selection=sel, target=t
            ),
            match=message,
        )
