"""Look up the demo data's named rows by name inside tests."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.store.database import Database
from leaddesk.store.models import Lead, Office, OutboxMessage, PassGroup, PassHistory, Status, User


def user_id(database: Database, name: str) -> int:
    with database.read() as session:
        return session.scalars(select(User.id).where(User.name == name)).one()


def office_id(database: Database, name: str = "Downtown Office") -> int:
    with database.read() as session:
        return session.scalars(select(Office.id).where(Office.name == name)).one()


def group_id(database: Database, name: str = "Inbound Team") -> int:
    with database.read() as session:
        return session.scalars(select(PassGroup.id).where(PassGroup.name == name)).one()


def status_id(database: Database, name: str) -> int:
    with database.read() as session:
        return session.scalars(select(Status.id).where(Status.name == name)).one()


def leads_of(database: Database, owner: str) -> list[Lead]:
    with database.read() as session:
        owner_id = session.scalars(select(User.id).where(User.name == owner)).one()
        return list(
            session.scalars(select(Lead).where(Lead.owner_id == owner_id).order_by(Lead.id))
        )


def lead_by_name(database: Database, name: str) -> Lead:
    with database.read() as session:
        return session.scalars(select(Lead).where(Lead.name == name)).one()


def snapshot(database: Database) -> dict[str, object]:
    """Everything a refused pass must leave untouched."""
    with database.read() as session:
        return {
            "leads": [
                tuple(row)
                for row in session.execute(
                    select(
                        Lead.id,
                        Lead.owner_id,
                        Lead.bucket_office_id,
                        Lead.bucket_group_id,
                        Lead.version,
                    ).order_by(Lead.id)
                )
            ],
            "history": session.scalar(select(func.count()).select_from(PassHistory)),
            "outbox": session.scalar(select(func.count()).select_from(OutboxMessage)),
        }


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0
