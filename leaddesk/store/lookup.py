"""Finding users, offices, pass groups, statuses and leads by what people type."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.models import Lead, Office, PassGroup, Status, User


def find_user(session: Session, name_email_or_id: str | int) -> User:
    """A user by display name, email address or id (names and emails ignore case)."""
    text = str(name_email_or_id).strip()
    if not text:
        raise InvalidInputError("No user name was given.")
    if text.isdigit():
        user = session.get(User, int(text))
        if user is not None:
            return user
    lowered = text.lower()
    matches = list(
        session.scalars(
            select(User).where(
                (func.lower(User.name) == lowered) | (func.lower(User.email) == lowered)
            )
        )
    )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise InvalidInputError(f"'{text}' matches more than one user; use the email address.")
    raise NotFoundError(f"There is no user called '{text}'.")


def _find_named(session: Session, model: type, noun: str, name_or_id: str | int) -> object:
    text = str(name_or_id).strip()
    if not text:
        raise InvalidInputError(f"No {noun} name was given.")
    if text.isdigit():
        row = session.get(model, int(text))
        if row is not None:
            return row
    row = session.scalars(
        select(model).where(func.lower(model.name) == text.lower())  # type: ignore[attr-defined]
    ).first()
    if row is None:
        raise NotFoundError(f"There is no {noun} called '{text}'.")
    return row


def find_office(session: Session, name_or_id: str | int) -> Office:
    return _find_named(session, Office, "office", name_or_id)  # type: ignore[return-value]


def find_group(session: Session, name_or_id: str | int) -> PassGroup:
    return _find_named(session, PassGroup, "pass group", name_or_id)  # type: ignore[return-value]


def find_status(session: Session, name_or_id: str | int) -> Status:
    return _find_named(session, Status, "status", name_or_id)  # type: ignore[return-value]


def find_lead(session: Session, lead_id: int | str) -> Lead:
    text = str(lead_id).strip()
    if not text.isdigit():
        raise InvalidInputError(f"'{text}' is not a lead id (a whole number).")
    lead = session.get(Lead, int(text))
    if lead is None:
        raise NotFoundError(f"There is no lead with id {text}.")
    return lead
