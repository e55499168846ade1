"""A small story of passes with fixed times, for the report tests (worked by hand in
tests/test_reports.py's docstring)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.database import Database
from leaddesk.store.models import Lead, PassBatch
from tests.helpers.demo_names import lead_by_name, office_id, user_id

NOW = datetime(2026, 11, 10, 9, 0)
SINCE = datetime(2026, 11, 1)


# Through the models' DateTime type, so SQLite stores the times as the app writes them.


def date_batch(database: Database, batch_id: int, when: datetime) -> None:
    with database.write() as session:
        session.execute(update(PassBatch).where(PassBatch.id == batch_id).values(created_at=when))


def set_created(database: Database, lead: str, when: datetime) -> None:
    with database.write() as session:
        session.execute(update(Lead).where(Lead.name == lead).values(created_at=when))


def lead_ref(database: Database, lead: str) -> LeadRef:
    found = lead_by_name(database, lead)
    return LeadRef(found.id, found.version)


def pass_at(
    database: Database, actor: str, leads: list[str], target: Target, when: datetime
) -> int:
    with database.write() as session:
        result = pass_leads(
            session,
            actor_id=user_id(database, actor),
            selection=Selection.of_leads([lead_ref(database, lead) for lead in leads]),
            target=target,
        )
    date_batch(database, result.batch_id, when)
    return result.batch_id


def assign_at(database: Database, lead: str, to: str, when: datetime) -> None:
    with database.write() as session:
        result = assign_from_bucket(
            session,
            actor_id=user_id(database, "Olivia Office"),
            leads=[lead_ref(database, lead)],
            user_id=user_id(database, to),
        )
    date_batch(database, result.batch_id, when)


def build_story(database: Database) -> Database:
    downtown = Target.office(office_id(database))
    set_created(database, "Walk-in: Corner Florist website", datetime(2026, 11, 2, 8))
    set_created(database, "Web form: Evergreen Landscaping", datetime(2026, 11, 1, 9))
    set_created(database, "Web form: Velvet Salon booking", datetime(2026, 11, 5, 8))
    assign_at(database, "Walk-in: Corner Florist website", "Sam Field", datetime(2026, 11, 2, 10))
    maria = "Maria Manager"
    pass_at(database, maria, ["Harbor Logistics renewal"], downtown, datetime(2026, 11, 3, 9))
    assign_at(database, "Harbor Logistics renewal", "Sam Field", datetime(2026, 11, 3, 10, 30))
    pass_at(database, maria, ["Lakeside Realty signage"], downtown, datetime(2026, 11, 4, 9))
    pass_at(database, maria, ["Atlas Insurance office move"], downtown, datetime(2026, 11, 4, 12))
    assign_at(database, "Atlas Insurance office move", "Sam Field", datetime(2026, 11, 4, 18))
    jane = Target.user(user_id(database, "Jane Doe"))
    two = ["Oakridge School tablets", "Crescent Bakery POS upgrade"]
    pass_at(database, maria, two, jane, datetime(2026, 11, 8, 23, 30))
    with database.write() as session:
        everything = pass_leads(
            session,
            actor_id=user_id(database, maria),
            selection=Selection.all_of_user(user_id(database, "Jane Doe")),
            target=Target.user(user_id(database, "John Smith")),
        )
    date_batch(database, everything.batch_id, datetime(2026, 11, 9, 10))
    with database.write() as session:
        undo = undo_batch(session, actor_id=user_id(database, maria), batch_id=everything.batch_id)
    date_batch(database, undo.batch_id, datetime(2026, 11, 9, 11))
    return database
