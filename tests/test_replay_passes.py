"""Replaying a replica's journaled passes together (``reassignment.replay``) ends exactly as
passing them one by one through ``pass_leads`` would: the same passes applied, the same
refusals in the same words, and the same leads, history, notes, batches and emails. On
SQLite every pass goes one by one; on PostgreSQL consecutive passes of distinct leads are
checked and written together, in a number of statements that does not grow with them.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, event, select, text

from leaddesk.errors import LeadDeskError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.replay import JournaledPass, replay_passes
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import (
    NOTE_MAX_LENGTH,
    Lead,
    LeadNote,
    OutboxMessage,
    PassBatch,
    PassHistory,
)
from tests.helpers.demo_names import leads_of, office_id, user_id
from tests.helpers.statements import counting_statements


def journal(database: Database) -> list[JournaledPass]:
    """Passes Maria made offline, in order, at the versions her copy showed: most apply;
    some are refused on each of the rules a pass is checked by."""
    jane, sam, maria, victor = (
        user_id(database, name)
        for name in ("Jane Doe", "Sam Field", "Maria Manager", "Victor Outside")
    )
    john_leads = leads_of(database, "John Smith")
    sam_leads = leads_of(database, "Sam Field")
    jane_leads = leads_of(database, "Jane Doe")
    maria_leads = leads_of(database, "Maria Manager")
    victor_leads = leads_of(database, "Victor Outside")

    def ref(lead: Lead, hops: int = 0) -> LeadRef:
        return LeadRef(lead.id, lead.version + hops)

    def journaled(leads, target, note="", method=PassMethod.DRAG_LEAD) -> JournaledPass:
        return JournaledPass(str(uuid.uuid4()), tuple(leads), target, note, method)

    first, second, third = john_leads
    return [
        journaled([ref(first)], Target.user(jane), "Call them Monday"),
        journaled([ref(second), ref(third)], Target.user(sam)),
        # The same lead again, as the first pass left it.
        journaled([ref(first, 1)], Target.user(sam), "Sam is closer"),
        journaled([ref(sam_leads[0], 5)], Target.user(jane)),  # changed meanwhile
        journaled([ref(sam_leads[1])], Target.user(victor)),  # no right over Victor
        journaled([ref(sam_leads[2])], Target.office(office_id(database)), "For the office"),
        # One of the two is with Jane already: only the other moves.
        journaled([ref(jane_leads[0]), ref(maria_leads[0])], Target.user(jane), "Both to Jane"),
        journaled([ref(jane_leads[1])], Target.user(jane)),  # already there
        journaled([LeadRef(999_999, 1)], Target.user(jane)),  # no such lead
        journaled([ref(victor_leads[0])], Target.user(jane)),  # not Maria's to pass
        journaled([ref(jane_leads[2])], Target.user(sam), "x" * (NOTE_MAX_LENGTH + 1)),
        journaled([ref(jane_leads[2])], Target.user(maria), method=PassMethod.LEAD_TAB),
        journaled([ref(jane_leads[3])], Target.user(sam), "From the lead", PassMethod.LEAD_TAB),
        journaled([ref(second, 1)], Target.user(maria), "Back to me"),
        journaled([ref(bucket_lead(database, "Walk-in"))], Target.user(jane)),  # unseen bucket
    ]


def admins_journal(database: Database) -> list[JournaledPass]:
    """Ada (who sees every bucket) takes leads out of the buckets and passes one on."""
    jane, sam, victor = (
        user_id(database, name) for name in ("Jane Doe", "Sam Field", "Victor Outside")
    )
    walk_in = bucket_lead(database, "Walk-in")
    evergreen = bucket_lead(database, "Web form: Evergreen")
    return [
        JournaledPass(
            str(uuid.uuid4()),
            (LeadRef(walk_in.id, walk_in.version),),
            Target.user(jane),
            "Yours",
            PassMethod.DRAG_LEAD,
        ),
        JournaledPass(
            str(uuid.uuid4()),
            (LeadRef(evergreen.id, evergreen.version),),
            Target.user(sam),
            "",
            PassMethod.DRAG_LEAD,
        ),
        JournaledPass(
            str(uuid.uuid4()),
            (LeadRef(walk_in.id, walk_in.version + 1),),
            Target.user(victor),
            "On to Victor",
            PassMethod.COMMAND_LINE,
        ),
    ]


def bucket_lead(database: Database, name_start: str) -> Lead:
    with database.read() as session:
        return session.scalars(select(Lead).where(Lead.name.startswith(name_start))).one()


def replayed_together(database: Database, actor: str, passes: list[JournaledPass]) -> list[tuple]:
    with database.write() as session:
        answers = replay_passes(session, actor_id=user_id(database, actor), passes=passes)
    return [
        (answer.batch_id is not None, type(answer.refusal), str(answer.refusal or ""))
        for answer in answers
    ]


def passed_one_by_one(database: Database, actor: str, passes: list[JournaledPass]) -> list[tuple]:
    actor_id = user_id(database, actor)
    answers = []
    for journaled in passes:
        try:
            with database.write() as session:
                pass_leads(
                    session,
                    actor_id=actor_id,
                    selection=Selection.of_leads(list(journaled.leads)),
                    target=journaled.target,
                    note=journaled.note,
                    method=journaled.method,
                    client_uuid=journaled.client_uuid,
                )
        except LeadDeskError as refusal:
            answers.append((False, type(refusal), str(refusal)))
        else:
            answers.append((True, type(None), ""))
    return answers


def what_was_written(database: Database, passes: list[JournaledPass]) -> dict[str, list]:
    """Everything the passes wrote, batches named by their place in the journal (batch ids
    differ between databases: a refused pass's batch may use up a sequence number)."""
    place = {journaled.client_uuid: index for index, journaled in enumerate(passes)}
    with database.read() as session:
        index_of = {
            batch_id: place.get(client_uuid, "automatic")
            for batch_id, client_uuid in session.execute(
                select(PassBatch.id, PassBatch.client_uuid)
            )
        }
        return {
            "leads": sorted(
                session.execute(
                    select(
                        Lead.id,
                        Lead.owner_id,
                        Lead.bucket_office_id,
                        Lead.bucket_group_id,
                        Lead.version,
                    )
                ).all()
            ),
            "last batches": sorted(
                (lead_id, index_of.get(batch))
                for lead_id, batch in session.execute(select(Lead.id, Lead.last_batch_id))
            ),
            "batches": sorted(
                (index_of[row.id], row.method, row.note, row.lead_count, row.actor_id)
                for row in session.scalars(select(PassBatch))
            ),
            "history": sorted(
                (
                    index_of[row.batch_id],
                    row.lead_id,
                    row.from_owner_id,
                    row.from_office_id,
                    row.from_group_id,
                    row.to_owner_id,
                    row.to_office_id,
                    row.to_group_id,
                    row.to_version,
                )
                for row in session.scalars(select(PassHistory))
            ),
            "notes": sorted(
                (index_of.get(row.batch_id), row.lead_id, row.author_id, row.body)
                for row in session.scalars(select(LeadNote))
            ),
            "emails": sorted(
                (
                    index_of[row.batch_id],
                    row.recipient_id,
                    row.kind,
                    row.lead_count,
                    row.office_id,
                    row.group_id,
                    row.status,
                )
                for row in session.scalars(select(OutboxMessage))
            ),
        }


@pytest.mark.parametrize(
    ("actor", "make_journal", "applied"),
    [
        (
            "Maria Manager",
            journal,
            [
                True,
                True,
                True,
                False,
                False,
                True,
                True,
                False,
                False,
                False,
                False,
                False,
                True,
                True,
                False,
            ],
        ),
        ("Ada Admin", admins_journal, [True, True, True]),
    ],
    ids=["a-manager", "the-administrator"],
)
def test_replaying_passes_together_ends_as_passing_them_one_by_one(
    make_db_url, actor, make_journal, applied
) -> None:
    together = open_database(make_db_url())
    one_by_one = open_database(make_db_url())
    try:
        passes = make_journal(together)
        assert make_journal(one_by_one)[0].leads == passes[0].leads  # the same demo data
        answers = replayed_together(together, actor, passes)
        assert answers == passed_one_by_one(one_by_one, actor, passes)
        assert [was_applied for was_applied, _type, _why in answers] == applied
        written = what_was_written(together, passes)
        assert written == what_was_written(one_by_one, passes)
        # What the first applied pass wrote, seen once more from the journal's side.
        assert written["batches"][0][:4] == (0, passes[0].method.value, passes[0].note, 1)
        assert len([row for row in written["emails"] if row[0] == 0]) == 1  # to its new owner
    finally:
        together.dispose()
        one_by_one.dispose()


def test_passes_already_applied_report_their_batch_and_change_nothing(database) -> None:
    passes = journal(database)[:3]
    maria = user_id(database, "Maria Manager")
    with database.write() as session:
        first = replay_passes(session, actor_id=maria, passes=passes)
    before = what_was_written(database, passes)
    with database.write() as session:
        again = replay_passes(session, actor_id=maria, passes=passes)
    assert [answer.batch_id for answer in again] == [answer.batch_id for answer in first]
    assert all(answer.already_applied for answer in again)
    assert what_was_written(database, passes) == before


@pytest.mark.postgresql_only
@pytest.mark.parametrize("backend", ["postgresql"])
def test_statements_do_not_grow_with_the_passes_replayed(make_db_url) -> None:
    database = open_database(make_db_url())
    try:
        maria, jane, sam = (
            user_id(database, name) for name in ("Maria Manager", "Jane Doe", "Sam Field")
        )
        leads = [
            lead
            for owner in ("John Smith", "Maria Manager", "Jane Doe", "Sam Field")
            for lead in leads_of(database, owner)
        ]

        def passes(few: list[Lead]) -> list[JournaledPass]:
            return [
                JournaledPass(
                    str(uuid.uuid4()),
                    (LeadRef(lead.id, lead.version),),
                    Target.user(sam if lead.owner_id == jane else jane),
                    f"Note {lead.id}",
                    PassMethod.DRAG_LEAD,
                )
                for lead in few
            ]

        counts = []
        for few in (leads[:2], leads[2:]):
            with database.write() as session:
                with counting_statements(database.engine) as log:
                    answers = replay_passes(session, actor_id=maria, passes=passes(few))
                counts.append(log.count)
            assert all(answer.batch_id is not None for answer in answers)
        assert len(leads) - 2 >= 10
        # The look-up of applied UUIDs, the savepoint and its release, the person and the
        # targets, the leads, the rights, the batches, the moves, and the closing statement.
        assert counts[0] == counts[1] == 9, (counts, log.statements)
    finally:
        database.dispose()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_lead_changed_between_the_checks_and_the_move_refuses_only_its_pass(
    make_db_url,
) -> None:
    """Someone passes one of the leads online between the replay's checks and its move:
    that pass is refused as changed meanwhile; the others of its wave still apply."""
    url = make_db_url()
    database = open_database(url)
    other = open_database(url)
    try:
        passes = journal(database)[:3]
        target = passes[1].leads[0].id
        sam = user_id(database, "Sam Field")

        done = []

        def pass_it_online(_conn, _cursor, statement: str, *_args) -> None:
            if statement.lstrip().startswith("WITH wanted") and not done:
                done.append(True)
                with other.engine.begin() as connection:
                    connection.execute(
                        text("UPDATE leads SET version = version + 1 WHERE id = :id"),
                        {"id": target},
                    )

        event.listen(Engine, "before_cursor_execute", pass_it_online)
        with database.write() as session:
            answers = replay_passes(
                session, actor_id=user_id(database, "Maria Manager"), passes=passes
            )
        assert [answer.batch_id is not None for answer in answers] == [True, False, True]
        assert "changed since you looked" in str(answers[1].refusal)
        with database.read() as session:
            owners = dict(session.execute(select(Lead.id, Lead.owner_id)).all())
        assert owners[passes[2].leads[0].id] == sam
        assert owners[target] == user_id(database, "John Smith")
    finally:
        if event.contains(Engine, "before_cursor_execute", pass_it_online):
            event.remove(Engine, "before_cursor_execute", pass_it_online)
        database.dispose()
        other.dispose()
